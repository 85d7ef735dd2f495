// The entry of a worker's workflow thread (worker-threads.ts starts the SDK's workflow threads through it):
// it replaces Node's execution timeout on each entry into the workflow sandbox with one watch per thread,
// makes the SDK's promise hook skip its stack traces (unless asked to keep them; skipPromiseStacks below),
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
import v8 from 'node:v8';
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

let skippingStacks = false;
let hooksWrapped = false;
const noStack = () => '';

/**
 * From now on, the init hook of every promise hook created in this thread — the SDK creates one when it
 * sets up its sandbox — runs without formatting a stack trace, until the returned function is called.
 *
 * Why: the SDK's hook records, for every promise a workflow creates, a stack trace mapped through the
 * bundle's source map, for the stack-trace query (the UI's "Stack Trace" tab) — about a third of a
 * workflow thread's CPU and tens of KiB per cached case (bench/README.md, "sandbox"). Its hook still runs,
 * and must: the SDK's workflows fail their cancellation scopes' activities without it (tried); what it
 * reads as the stack is then empty, so it stores none and the query answers with no stacks.
 * @returns {() => void}
 */
export function skipPromiseStacks() {
  skippingStacks = true;
  if (!hooksWrapped) {
    hooksWrapped = true;
    const createHook = v8.promiseHooks.createHook;
    v8.promiseHooks.createHook = function createHookSkippingStacks(hooks) {
      const init = hooks.init;
      if (!init) return createHook.call(this, hooks);
      return createHook.call(this, {
        ...hooks,
        init(promise, parent) {
          if (!skippingStacks) return init(promise, parent);
          // The SDK reads the stack of an Error it creates; Node formats it with this thread's
          // Error.prepareStackTrace (the SDK's own, which maps every frame through the source map).
          const prepare = Error.prepareStackTrace;
          Error.prepareStackTrace = noStack;
          try {
            return init(promise, parent);
          } finally {
            Error.prepareStackTrace = prepare;
          }
        },
      });
    };
  }
  return () => {
    skippingStacks = false;
  };
}

const data = workerData?.[WORKFLOW_THREAD_DATA];
if (data) {
  watchSandboxEntries(new BigInt64Array(data.cells));
  if (!data.promiseStacks) skipPromiseStacks();
  createRequire(import.meta.url)(data.module);
}
