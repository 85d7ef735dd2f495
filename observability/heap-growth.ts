// How far V8 lets a process's heap grow past what was alive at the last full collection before it
// collects again. Left to itself V8 picks the factor from how fast the process allocates and how cheap
// its collections are, up to 4×. While a worker works off a burst of escalations it allocates fast and
// most of it dies soon after: measured on the production topology (bench/README.md, "Memory"), a case
// worker's main-thread heap went from ~50 to ~138 MiB with ~50–85 in use, and the delivery worker's
// from ~35 to ~116 MiB with ~35 alive after a forced collection — what put the workers over their
// memory budget at a burst's peak. A fixed factor of 1.3 collected more often, held the workers' sum at
// the peak ~160 MiB lower and cost no CPU per escalation beyond the runs' noise. V8 reads the setting at
// every full collection, so setting it once the process runs is enough (test/unit/heap-growth.test.ts).
import { setFlagsFromString } from 'node:v8';

/** Parses WORKER_HEAP_GROWING_PERCENT: a whole number 1–300, or empty/0 for V8's own choice. */
export function parseHeapGrowingPercent(raw: string): number | undefined {
  if (raw === '' || raw === '0') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 300)
    throw new Error(`WORKER_HEAP_GROWING_PERCENT must be a whole number from 0 to 300, got "${raw}"`);
  return n;
}

/** The heap grows to at most (1 + percent/100) × what the last full collection left alive. */
export function limitHeapGrowth(percent: number): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
