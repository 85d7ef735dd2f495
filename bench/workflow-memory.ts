// What one cached case workflow costs in a worker's memory, measured without a server: the SDK's reusable
// V8 context (what a worker's workflow thread runs) is created in this process from a workflow bundle, and
// N case workflows are started in it, each from the recorded input of a real case and driven until it waits
// (its first projection answered, its escalation timer armed), as a worker would hold them in its cache.
//
//   node --expose-gc --import tsx bench/workflow-memory.ts [--bundle <file>] [--cases 500]
//        [--out bench/results/workflow-memory.json] [--snapshot <file.heapsnapshot>]
//
// The heap after a full GC, before and after, divided by N is the cost of one cached workflow. It omits the
// SDK core's (Rust) share per cached run, which the intake benchmark's RSS includes.
import { writeFileSync } from 'node:fs';
import v8 from 'node:v8';
import { globalHandlers } from '@temporalio/worker/lib/workflow/vm-shared.js';
import { loadCaseSandbox, type RestingCase } from './support/case-sandbox.js';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const cases = Number(opt('cases') ?? 500);
const out = opt('out');
const snapshot = opt('snapshot');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const heap = () => {
  for (let i = 0; i < 3; i++) gc?.();
  const s = v8.getHeapStatistics();
  return { used: s.used_heap_size, total: s.total_heap_size, rss: process.memoryUsage().rss };
};
const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;

const before0 = heap();
const sandbox = await loadCaseSandbox({
  bundle: opt('bundle'),
  testCalendar: args.includes('--test-calendar'),
  debug: Boolean(process.env.PROBE_DEBUG),
});
// --no-promise-hook: what the SDK's promise hook (a stack trace kept per pending promise) costs.
if (args.includes('--no-promise-hook'))
  (globalHandlers as unknown as { stopPromiseHook(): void }).stopPromiseHook();
const afterContext = heap();

let cpuMs = 0;
const workflows: RestingCase[] = [];
for (let i = 0; i < cases; i++) {
  const t0 = performance.now();
  workflows.push(await sandbox.startCase(i));
  cpuMs += performance.now() - t0;
}
const afterCases = heap();
if (process.env.PROBE_DEBUG) {
  const cache = (workflows[0].workflow as unknown as { activator: { moduleCache: Map<string, unknown> } })
    .activator.moduleCache;
  console.log('per-workflow modules', cache.size, [...cache.keys()]);
}
if (snapshot) v8.writeHeapSnapshot(snapshot);
const perWorkflow = (afterCases.used - afterContext.used) / cases;
const result = {
  cases,
  bundleBytes: sandbox.bundleBytes,
  contextMiB: mib(afterContext.used - before0.used),
  heapUsedMiB: mib(afterCases.used),
  rssMiB: mib(afterCases.rss),
  perWorkflowKiB: Math.round(perWorkflow / 102.4) / 10,
  perWorkflowRssKiB: Math.round((afterCases.rss - afterContext.rss) / cases / 102.4) / 10,
  activationMsPerCase: Math.round((cpuMs / cases) * 100) / 100,
  promiseHook: !args.includes('--no-promise-hook'),
  calendar: args.includes('--test-calendar') ? 'test' : 'cn',
};
console.log(JSON.stringify(result));
if (out) writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
for (const c of workflows) await c.workflow.dispose();
process.exit(0);
