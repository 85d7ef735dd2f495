// What an entry into the workflow sandbox costs (issue 16): the case workflow run in this process without a
// server (support/case-sandbox.ts), its intake and its first escalation timed per case, in three modes taking
// turns in each round: `node-timeout`, the SDK's default (Node's timer thread on every entry,
// vm.Script#runInContext with a timeout, and a source-mapped stack trace of every promise); `watched`, the
// per-thread watch instead of the timer threads (scripts/workflow-thread.mjs, watchSandboxEntries); and
// `no-stacks`, the watch and no promise stack traces (skipPromiseStacks) — what a worker runs.
// With `--load N` as many busy processes keep the cores occupied, as the server, the database and the other
// workers do when thousands of SLA steps fall due together.
//
// The baseline is the SDK's default in the same process and round; what is reported is the median over
// rounds of the per-case mean, wall time on the workflow thread (what every other workflow of the worker
// waits for) and this process's CPU (the timer threads included), and their ratios.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CELLS, ENTRIES, skipPromiseStacks, watchSandboxEntries } from '../scripts/workflow-thread.mjs';
import { machineInfo } from './escalation.js';
import { loadCaseSandbox, type RestingCase } from './support/case-sandbox.js';
import { percentile, round } from './support/stats.js';

export interface SandboxBenchOptions {
  cases: number;
  rounds: number;
  /** Busy processes kept running beside the measurement, one level after the other. */
  loads: number[];
  out: string;
  command: string;
}

const MODES = ['node-timeout', 'watched', 'no-stacks'] as const;
type Mode = (typeof MODES)[number];
interface Sample {
  intakeWallMs: number;
  intakeCpuMs: number;
  escalationWallMs: number;
  escalationCpuMs: number;
}

interface Ratios {
  intakeWall: number;
  intakeCpu: number;
  escalationWall: number;
  escalationCpu: number;
}

const say = (msg: string) => console.log(`[bench] ${new Date().toISOString().slice(11, 19)} ${msg}`);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** N processes spinning on a core each, at the same priority as this one. */
function busy(n: number): ChildProcess[] {
  return Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
}

export async function runSandboxBench(o: SandboxBenchOptions): Promise<void> {
  say('bundling the workflows');
  // The SDK creates its promise hook with the sandbox: wrapped from the start, skipping only when asked.
  skipPromiseStacks()();
  const sandbox = await loadCaseSandbox();
  const cells = new BigInt64Array(new SharedArrayBuffer(CELLS * BigInt64Array.BYTES_PER_ELEMENT));

  /** One batch: `cases` cases started, then each one's first timer fired and its escalation answered. */
  async function batch(mode: Mode, offset: number): Promise<Sample> {
    const unwatch = mode === 'node-timeout' ? () => {} : watchSandboxEntries(cells);
    const keepStacks = mode === 'no-stacks' ? skipPromiseStacks() : () => {};
    try {
      const resting: RestingCase[] = [];
      let wall = performance.now();
      let cpu = cpuMs();
      for (let i = 0; i < o.cases; i++) resting.push(await sandbox.startCase(offset + i));
      const intakeWallMs = (performance.now() - wall) / o.cases;
      const intakeCpuMs = (cpuMs() - cpu) / o.cases;
      wall = performance.now();
      cpu = cpuMs();
      // One after the other, as a burst reaches a worker's one workflow thread: each a different case.
      for (const c of resting) await sandbox.fireTimer(c);
      const escalationWallMs = (performance.now() - wall) / o.cases;
      const escalationCpuMs = (cpuMs() - cpu) / o.cases;
      for (const c of resting) await c.workflow.dispose();
      return { intakeWallMs, intakeCpuMs, escalationWallMs, escalationCpuMs };
    } finally {
      keepStacks();
      unwatch();
    }
  }

  // A warm-up batch of each, not counted: the first cases pay for compiling the bundle's code.
  let offset = 0;
  for (const mode of MODES) {
    await batch(mode, offset);
    offset += o.cases;
  }
  const levels = [];
  for (const load of o.loads) {
    const spinners = busy(load);
    try {
      const samples: Record<Mode, Sample[]> = { 'node-timeout': [], watched: [], 'no-stacks': [] };
      for (let r = 0; r < o.rounds; r++) {
        // Rotate which goes first, so none always runs on a warmer (or more crowded) machine.
        const order = MODES.map((_, i) => MODES[(i + r) % MODES.length]);
        for (const mode of order) {
          const s = await batch(mode, offset);
          offset += o.cases;
          samples[mode].push(s);
          say(
            `load ${load}, round ${r + 1}/${o.rounds}, ${mode}: intake ${s.intakeWallMs.toFixed(2)} ms wall ` +
              `${s.intakeCpuMs.toFixed(2)} ms CPU, escalation ${s.escalationWallMs.toFixed(2)} ms wall ` +
              `${s.escalationCpuMs.toFixed(2)} ms CPU per case`,
          );
        }
      }
      const median = (mode: Mode, k: keyof Sample) =>
        round(
          percentile(
            samples[mode].map((s) => s[k]).sort((a, b) => a - b),
            50,
          ),
          2,
        );
      const summary = (mode: Mode) => ({
        intakeWallMs: median(mode, 'intakeWallMs'),
        intakeCpuMs: median(mode, 'intakeCpuMs'),
        escalationWallMs: median(mode, 'escalationWallMs'),
        escalationCpuMs: median(mode, 'escalationCpuMs'),
      });
      const base = summary('node-timeout');
      const watched = summary('watched');
      const noStacks = summary('no-stacks');
      const ratios = (a: Sample, b: Sample): Ratios => ({
        intakeWall: round(a.intakeWallMs / b.intakeWallMs, 2),
        intakeCpu: round(a.intakeCpuMs / b.intakeCpuMs, 2),
        escalationWall: round(a.escalationWallMs / b.escalationWallMs, 2),
        escalationCpu: round(a.escalationCpuMs / b.escalationCpuMs, 2),
      });
      levels.push({
        load,
        nodeTimeout: base,
        watched,
        noStacks,
        ratioWatchedToNodeTimeout: ratios(watched, base),
        ratioNoStacksToNodeTimeout: ratios(noStacks, base),
        ratioNoStacksToWatched: ratios(noStacks, watched),
        rounds: samples,
      });
    } finally {
      for (const p of spinners) p.kill('SIGKILL');
    }
  }
  const result = {
    benchmark: 'sandbox',
    command: o.command,
    date: new Date().toISOString(),
    machine: machineInfo(),
    settings: { cases: o.cases, rounds: o.rounds, loads: o.loads },
    entriesWatched: Number(Atomics.load(cells, ENTRIES)),
    levels,
  };
  for (const l of levels) {
    const line = (name: string, m: Sample, r: Ratios) =>
      `${name} intake ${m.intakeWallMs} ms wall (×${r.intakeWall}), escalation ${m.escalationWallMs} ms wall ` +
      `(×${r.escalationWall}), CPU ×${r.intakeCpu} / ×${r.escalationCpu}`;
    say(
      `load ${l.load}: node-timeout intake ${l.nodeTimeout.intakeWallMs} ms, escalation ` +
        `${l.nodeTimeout.escalationWallMs} ms wall; ${line('watched', l.watched, l.ratioWatchedToNodeTimeout)}; ` +
        `${line('no-stacks', l.noStacks, l.ratioNoStacksToNodeTimeout)}`,
    );
  }
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, `${JSON.stringify(result, null, 2)}\n`);
  say(`wrote ${o.out}`);
}
