// How fast is this machine right now? The same code costs these shared VMs up to ~1.6× more CPU on one
// day than on another, so each size first times a fixed piece of work on the idle machine; CPU per
// escalation and lateness of runs on different days compare only together with it.
import { createHash } from 'node:crypto';
import { percentile } from './stats.js';

export interface Calibration {
  /** Median ms of 5 rounds of JSON round trips of a case-sized object (V8: allocation, strings, GC). */
  jsonMs: number;
  /** Median ms of 5 rounds of SHA-256 over 64 MiB (native code). */
  sha256Ms: number;
}

const sample = {
  caseId: '00000000-0000-0000-0000-000000000000',
  stage: 'assigned',
  events: Array.from({ length: 20 }, (_, i) => ({ seq: i, type: 'assigned', at: new Date(0).toISOString() })),
  clocks: Array.from({ length: 3 }, (_, i) => ({
    name: `clock-${i}`,
    steps: [0.75, 1, 1.5].map((at) => ({ at })),
  })),
};

function timed(work: () => void): number {
  const rounds: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    work();
    rounds.push(performance.now() - t);
  }
  return Math.round(
    percentile(
      rounds.sort((a, b) => a - b),
      50,
    ),
  );
}

export function calibrate(): Calibration {
  const block = Buffer.alloc(1 << 20, 7);
  return {
    jsonMs: timed(() => {
      let n = 0;
      for (let i = 0; i < 20_000; i++)
        n += (JSON.parse(JSON.stringify(sample)) as typeof sample).events.length;
      if (n === 0) throw new Error('unreachable');
    }),
    sha256Ms: timed(() => {
      const hash = createHash('sha256');
      for (let i = 0; i < 64; i++) hash.update(block);
      hash.digest();
    }),
  };
}
