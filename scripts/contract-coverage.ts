// After a full test run: every operation of the OpenAPI document must have answered each success (2xx)
// status it declares at least once, somewhere in the suite (every test stack checks its answers against
// the document and records them: test/support/contract.ts). `npm test` runs this after vitest.
import { openApiDocument } from '../api/openapi-document.js';
import { readContractRecords } from '../test/support/contract-records.js';

type Paths = Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown> }>>;

const doc = await openApiDocument();
const seen = readContractRecords();
const missing: string[] = [];
let checked = 0;
for (const [path, item] of Object.entries(doc.paths as Paths)) {
  for (const [method, op] of Object.entries(item)) {
    for (const status of Object.keys(op.responses ?? {}).filter((s) => /^2\d\d$/.test(s))) {
      checked += 1;
      if (!seen.has(`${op.operationId} ${status}`))
        missing.push(`${method.toUpperCase()} ${path} (${op.operationId}) ${status}`);
    }
  }
}
if (missing.length > 0) {
  console.error(
    `${missing.length} of ${checked} documented success answers were never exercised by the tests ` +
      '(drive each from a test of its route, e.g. test/integration/openapi-contract.test.ts):\n' +
      missing.join('\n'),
  );
  process.exit(1);
}
console.log(
  `contract coverage: all ${checked} documented success answers exercised and checked against the document`,
);
