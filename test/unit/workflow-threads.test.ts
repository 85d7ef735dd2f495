// The watch that replaces Node's per-entry execution timeout in workflow threads (worker-threads.ts): an
// entry's timeout no longer starts a timer of Node's, every entry is counted, and a thread caught in a loop
// inside the sandbox is ended once it has been there longer than the limit. A promise hook of the thread
// still runs for every promise but reads no stack trace unless asked to keep them. The threads run a stand-in for
// the SDK's thread module (test/support/sandbox-thread.mjs) that enters a sandbox the way the SDK does.
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { afterEach, expect, it } from 'vitest';
import { startWatchedThread, watchWorkflowThreads, workflowThreadStats } from '../../worker-threads.js';

const STAND_IN = fileURLToPath(new URL('../support/sandbox-thread.mjs', import.meta.url));
const threads: Worker[] = [];
afterEach(async () => {
  await Promise.all(threads.splice(0).map((t) => t.terminate()));
});

function start(): Worker {
  const thread = startWatchedThread(STAND_IN);
  threads.push(thread);
  return thread;
}
async function ask(thread: Worker, request: Record<string, unknown>): Promise<Record<string, unknown>> {
  thread.postMessage(request);
  const [reply] = await once(thread, 'message');
  return reply;
}

it('an entry asking for a timeout runs past it: the watch, not a timer of Node per entry, bounds it', async () => {
  watchWorkflowThreads({ stuckAfterMs: 30_000 });
  const thread = start();
  // Node would end this entry after 50 ms ("Script execution timed out").
  expect(await ask(thread, { run: 'busy', busyMs: 400, timeout: 50 })).toEqual({ done: 1 });
});

it('counts every entry of a thread, and a thread whose entries end is left running', async () => {
  let stuck = 0;
  watchWorkflowThreads({ stuckAfterMs: 1_000, onStuck: () => stuck++ });
  const thread = start();
  const before = workflowThreadStats();
  expect(await ask(thread, { run: 'busy', n: 2_000, busyMs: 0, timeout: 5_000 })).toEqual({ done: 2_000 });
  const after = workflowThreadStats();
  expect(after.threads).toBe(before.threads);
  expect(after.entries - before.entries).toBe(2_000);
  // Entries that each end at once add up to far more than the limit, and the thread is still answering.
  expect(await ask(thread, { run: 'busy', n: 30, busyMs: 50, timeout: 5_000 })).toEqual({ done: 30 });
  expect(stuck).toBe(0);
});

it('ends a thread caught in a loop inside the sandbox once it has been there longer than the limit', async () => {
  const stuckFor: number[] = [];
  watchWorkflowThreads({ stuckAfterMs: 1_500, onStuck: (ms) => stuckFor.push(ms) });
  const thread = start();
  const exited = once(thread, 'exit');
  expect(await ask(thread, { run: 'loop', timeout: 600_000 })).toEqual({ entering: true });
  const before = workflowThreadStats().threads;
  await exited;
  expect(stuckFor).toHaveLength(1);
  expect(stuckFor[0]).toBeGreaterThan(1_500);
  expect(workflowThreadStats().threads).toBe(before - 1);
});

it('a promise hook of the thread runs for every promise without a stack trace, unless stacks are kept', async () => {
  watchWorkflowThreads({ stuckAfterMs: 30_000 });
  const skipping = await ask(start(), { run: 'promise-stack' });
  expect(skipping).toEqual({ hookRan: 1, stack: '' });

  watchWorkflowThreads({ stuckAfterMs: 30_000, promiseStacks: true });
  try {
    const keeping = await ask(start(), { run: 'promise-stack' });
    expect(keeping.hookRan).toBe(1);
    expect(keeping.stack).toMatch(/^Error\n {4}at [\s\S]*\n {4}at promiseStack /);
  } finally {
    watchWorkflowThreads({ promiseStacks: false });
  }
});
