// The entry of a worker's workflow thread (worker-threads.ts starts the SDK's workflow threads through it):
// it replaces Node's execution timeout on each entry into the workflow sandbox with one watch per thread,
// then loads the thread's module (the SDK's own), which does everything else as it would have.
//
// Why: the SDK enters its sandbox (vm.Script#runInContext) several times per workflow task, each time
// with a timeout (its deadlock detection, 5 s). For every call with a timeout Node starts a thread to
// time it and joins that thread when the call returns (nodejs/node pull request 47739). When the machine's
// cores are busy — exactly when thousands of SLA steps fall due together — each join also waits for that
// thread to be scheduled. A case's intake and escalation took about twice as long on the workflow thread
// as without the timeouts, idle or busy, and up to 4–5 times in single rounds on busy cores; every
// workflow of the process waits behind that one thread (bench/README.md, "sandbox").
//
// Here an entry only writes when it began into memory shared with the process's main thread, which
// looks at it once a second and ends a thread stuck in workflow code for longer than it allows
// (worker-threads.ts). Plain JavaScript: a thread does not inherit the TypeScript loader of `npm start`.
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { workerData } from 'node:worker_threads';

/** Layout of the shared memory (a BigInt64Array): when the current outermost entry began, and entries. */
export const ENTERED_AT = 0;
export const ENTRIES = 1;
export const CELLS = 2;
/** workerData key under which the main thread passes the shared memory and the SDK's thread module. */
export const WORKFLOW_THREAD_DATA = 'shouhouWorkflowThread';

/**
 * Makes this thread's vm.Script#runInContext calls that ask for a timeout run without Node's per-call
 * timer thread, recording instead in `cells` when the outermost such call began (0 when none runs) and
 * counting them. Returns a function that restores Node's own behaviour.
 * @param {BigInt64Array} cells
 * @returns {() => void}
 */
export function watchSandboxEntries(cells) {
  const original = vm.Script.prototype.runInContext;
  let depth = 0;
  vm.Script.prototype.runInContext = function runInContext(context, options) {
    if (options?.timeout === undefined) return original.call(this, context, options);
    const { timeout: _replacedByTheWatch, ...rest } = options;
    if (depth++ === 0) Atomics.store(cells, ENTERED_AT, BigInt(Date.now()));
    try {
      return original.call(this, context, rest);
    } finally {
      if (--depth === 0) Atomics.store(cells, ENTERED_AT, 0n);
      Atomics.add(cells, ENTRIES, 1n);
    }
  };
  return () => {
    vm.Script.prototype.runInContext = original;
  };
}

const data = workerData?.[WORKFLOW_THREAD_DATA];
if (data) {
  watchSandboxEntries(new BigInt64Array(data.cells));
  createRequire(import.meta.url)(data.module);
}
