// What an entry into the workflow sandbox costs (issue 16): the case workflow run in this process without a
// server (support/case-sandbox.ts), its intake and its first escalation timed per case, once with Node's
// timer thread on every entry (the SDK's default: vm.Script#runInContext with a timeout) and once under
// the per-thread watch a worker uses instead (scripts/workflow-thread.mjs), alternating in each round.
// With `--load N` as many busy processes keep the cores occupied, as the server, the database and the other
// workers do when thousands of SLA steps fall due together.
//
// The baseline is the SDK's default in the same process and round; what is reported is the median over
// rounds of the per-case mean, wall time on the workflow thread (what every other workflow of the worker
// waits for) and this process's CPU (the timer threads included), and their ratios.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CELLS, ENTRIES, watchSandboxEntries } from '../scripts/workflow-thread.mjs';
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

type Mode = 'node-timeout' | 'watched';
interface Sample {
  intakeWallMs: number;
  intakeCpuMs: number;
  escalationWallMs: number;
  escalationCpuMs: number;
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
  const sandbox = await loadCaseSandbox();
  const cells = new BigInt64Array(new SharedArrayBuffer(CELLS * BigInt64Array.BYTES_PER_ELEMENT));

  /** One batch: `cases` cases started, then each one's first timer fired and its escalation answered. */
  async function batch(mode: Mode, offset: number): Promise<Sample> {
    const restore = mode === 'watched' ? watchSandboxEntries(cells) : () => {};
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
      restore();
    }
  }

  // A warm-up batch of each, not counted: the first cases pay for compiling the bundle's code.
  await batch('node-timeout', 0);
  await batch('watched', o.cases);
  let offset = 2 * o.cases;
  const levels = [];
  for (const load of o.loads) {
    const spinners = busy(load);
    try {
      const samples: Record<Mode, Sample[]> = { 'node-timeout': [], watched: [] };
      for (let r = 0; r < o.rounds; r++) {
        // Alternate which goes first, so neither always runs on a warmer (or more crowded) machine.
        const order: Mode[] = r % 2 === 0 ? ['node-timeout', 'watched'] : ['watched', 'node-timeout'];
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
      const ratio = (k: keyof Sample) => round(watched[k] / base[k], 2);
      levels.push({
        load,
        nodeTimeout: base,
        watched,
        ratioWatchedToNodeTimeout: {
          intakeWall: ratio('intakeWallMs'),
          intakeCpu: ratio('intakeCpuMs'),
          escalationWall: ratio('escalationWallMs'),
          escalationCpu: ratio('escalationCpuMs'),
        },
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
  for (const l of levels)
    say(
      `load ${l.load}: intake ${l.nodeTimeout.intakeWallMs} → ${l.watched.intakeWallMs} ms wall ` +
        `(×${l.ratioWatchedToNodeTimeout.intakeWall}), escalation ${l.nodeTimeout.escalationWallMs} → ` +
        `${l.watched.escalationWallMs} ms wall (×${l.ratioWatchedToNodeTimeout.escalationWall}); CPU ×` +
        `${l.ratioWatchedToNodeTimeout.intakeCpu} / ×${l.ratioWatchedToNodeTimeout.escalationCpu}`,
    );
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, `${JSON.stringify(result, null, 2)}\n`);
  say(`wrote ${o.out}`);
}
