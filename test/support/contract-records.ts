// Which documented operations the test suite exercised, and with which statuses: each test stack writes
// what it saw when it closes; `npm test` then checks that every operation answered each success status
// its document declares somewhere in the suite (scripts/contract-coverage.ts). Cleared when a run starts.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CONTRACT_RECORDS_DIR = join(
  new URL('../../', import.meta.url).pathname,
  '.test-results/contract',
);

export function clearContractRecords() {
  rmSync(CONTRACT_RECORDS_DIR, { recursive: true, force: true });
  mkdirSync(CONTRACT_RECORDS_DIR, { recursive: true });
}

/** Records `operationId status` pairs one stack saw. */
export function writeContractRecord(exercised: Iterable<string>) {
  mkdirSync(CONTRACT_RECORDS_DIR, { recursive: true });
  writeFileSync(join(CONTRACT_RECORDS_DIR, `${randomUUID()}.json`), JSON.stringify([...exercised]));
}

/** Every pair any stack of the run saw. */
export function readContractRecords(): Set<string> {
  const seen = new Set<string>();
  if (!existsSync(CONTRACT_RECORDS_DIR)) return seen;
  for (const file of readdirSync(CONTRACT_RECORDS_DIR)) {
    for (const pair of JSON.parse(readFileSync(join(CONTRACT_RECORDS_DIR, file), 'utf8')) as string[])
      seen.add(pair);
  }
  return seen;
}
