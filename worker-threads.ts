// The workflow threads of a worker process, started through scripts/workflow-thread.mjs, and the watch that
// stands in for the SDK's per-entry deadlock timeout (why: that file's header). The SDK creates its
// workflow threads with `new Worker(<its thread module>)`; watchWorkflowThreads() makes that
// constructor start them through our entry instead, with memory shared with this thread, and checks that
// memory once a second. It must run before the Temporal Worker is created (worker-factory.ts does).
//
// A thread that has been inside workflow code longer than `stuckAfterMs` is terminated: its workflows'
// tasks fail, the SDK stops the Worker and the process exits with an error, for its supervisor to restart
// (the process's other workflow threads, if any, go with it). The SDK's own timeout failed just the one
// task after 5 s and let the thread go on; we cannot interrupt one call without the timer thread this
// saves, so the limit is generous: our workflows' tasks take milliseconds, so a thread inside one for
// 30 s is a workflow caught in a loop, not a slow machine.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import workerThreads, { type WorkerOptions as ThreadOptions } from 'node:worker_threads';
import { CELLS, ENTERED_AT, ENTRIES, WORKFLOW_THREAD_DATA } from './scripts/workflow-thread.mjs';

/** How long one entry into workflow code may last before its thread is ended (see above). */
export const WORKFLOW_THREAD_STUCK_AFTER_MS = 30_000;
const CHECK_EVERY_MS = 1_000;

// Compiled, this module is dist/worker-threads.js and the entry dist/scripts/workflow-thread.mjs (the build
// copies scripts/*.mjs); from source both sit in the repository.
const ENTRY = new URL('./scripts/workflow-thread.mjs', import.meta.url);
const SDK_THREAD_MODULE = createRequire(import.meta.url).resolve(
  '@temporalio/worker/lib/workflow/workflow-worker-thread',
);

interface Watched {
  thread: workerThreads.Worker;
  cells: BigInt64Array;
}

export interface WorkflowThreadWatch {
  stuckAfterMs: number;
  /**
   * Keep the SDK's stack trace of every pending promise, for the stack-trace query (the UI's "Stack
   * Trace" tab); off by default for its cost (scripts/workflow-thread.mjs, skipPromiseStacks).
   */
  promiseStacks?: boolean;
  /** Called when a stuck thread is ended (default: an error on stderr naming how long it was stuck). */
  onStuck?: (stuckForMs: number) => void;
}

const watched = new Set<Watched>();
let watch: WorkflowThreadWatch = { stuckAfterMs: WORKFLOW_THREAD_STUCK_AFTER_MS };
let timer: NodeJS.Timeout | undefined;

/** Workflow threads now running through the watched entry, and their entries into workflow code so far. */
export function workflowThreadStats(): { threads: number; entries: number } {
  let entries = 0;
  for (const w of watched) entries += Number(Atomics.load(w.cells, ENTRIES));
  return { threads: watched.size, entries };
}

type ThreadClass = typeof workerThreads.Worker & { original?: typeof workerThreads.Worker; by?: object };
/** This module's instance (a test runner may load it more than once): the one whose watch applies. */
const INSTANCE = {};
const originalThreadClass = () => {
  const current = workerThreads.Worker as ThreadClass;
  return current.original ?? current;
};

/**
 * Starts the SDK's workflow threads of this process through the watched entry from now on (idempotent;
 * the latest `options` apply to every thread).
 */
export function watchWorkflowThreads(options: Partial<WorkflowThreadWatch> = {}): void {
  watch = { ...watch, ...options };
  if ((workerThreads.Worker as ThreadClass).by === INSTANCE) return;
  const Original = originalThreadClass();
  class WatchedThread extends Original {
    static readonly original = Original;
    static readonly by = INSTANCE;
    constructor(filename: string | URL, options?: ThreadOptions) {
      const path = filename instanceof URL ? fileURLToPath(filename) : filename;
      // Only the SDK's workflow thread, and only as the SDK starts it today (no workerData of its own,
      // which the entry's would replace); anything else starts as it asked, unwatched.
      if (path !== SDK_THREAD_MODULE || options?.workerData !== undefined) {
        super(filename, options);
        return;
      }
      const entry = watchedEntry(SDK_THREAD_MODULE);
      super(ENTRY, { ...options, workerData: entry.workerData });
      startWatching(this, entry.cells);
    }
  }
  // The SDK reads the constructor off the module object when it creates a thread (CommonJS), so this
  // replaces it for the SDK; `import { Worker }` bindings taken before keep the original.
  (workerThreads as { Worker: typeof workerThreads.Worker }).Worker = WatchedThread;
}

/** Starts a thread of `module` through the watched entry (tests: a module of their own instead of the SDK's). */
export function startWatchedThread(module: string): workerThreads.Worker {
  const entry = watchedEntry(module);
  const thread = new (originalThreadClass())(ENTRY, { workerData: entry.workerData });
  startWatching(thread, entry.cells);
  return thread;
}

/** The watched entry's data for a thread of `module`: memory shared with the thread, and this side's view. */
function watchedEntry(module: string) {
  const memory = new SharedArrayBuffer(CELLS * BigInt64Array.BYTES_PER_ELEMENT);
  return {
    workerData: {
      [WORKFLOW_THREAD_DATA]: { cells: memory, module, promiseStacks: watch.promiseStacks === true },
    },
    cells: new BigInt64Array(memory),
  };
}

function startWatching(thread: workerThreads.Worker, cells: BigInt64Array): void {
  const w = { thread, cells };
  watched.add(w);
  thread.once('exit', () => {
    watched.delete(w);
    if (watched.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  });
  timer ??= setInterval(checkThreads, CHECK_EVERY_MS).unref();
}

function checkThreads(): void {
  const now = Date.now();
  for (const w of watched) {
    const enteredAt = Number(Atomics.load(w.cells, ENTERED_AT));
    if (enteredAt === 0 || now - enteredAt <= watch.stuckAfterMs) continue;
    watched.delete(w);
    const stuckFor = now - enteredAt;
    (
      watch.onStuck ??
      ((ms: number) =>
        console.error(
          `[worker] a workflow thread has been running workflow code for ${ms} ms (limit ` +
            `${watch.stuckAfterMs} ms): a workflow is caught in a loop. Ending the thread; the worker stops ` +
            'with an error and its workflow tasks go to other workers.',
        ))
    )(stuckFor);
    void w.thread.terminate();
  }
}
