// A delivery worker lowers its own CPU priority so that sending never takes CPU from a due timer
// (worker.ts, WORKER_NICE). On Linux a nice value belongs to each thread: the process's threads started
// before the call (V8's, libuv's) must be lowered too, and threads started after it must inherit it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const module = fileURLToPath(new URL('../../observability/process-priority.ts', import.meta.url));

it('lowers every thread of the process, and threads started afterwards inherit the value', () => {
  const script = `
    import { readdirSync, readFileSync } from 'node:fs';
    import { Worker } from 'node:worker_threads';
    import { lowerProcessPriority } from ${JSON.stringify(module)};
    const before = readdirSync('/proc/self/task').length;
    const main = lowerProcessPriority(7);
    // A thread started after the call.
    const w = new Worker('setTimeout(() => {}, 200)', { eval: true });
    await new Promise((r) => w.once('online', r));
    // Field 19 of /proc/<tid>/stat is the nice value (after the parenthesised command name).
    const nice = readdirSync('/proc/self/task').map((tid) =>
      Number(readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ')[16]));
    console.log(JSON.stringify({ main, before, nice }));
    await w.terminate();
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  expect(child.status, child.stderr).toBe(0);
  const { main, before, nice } = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}');
  expect(main).toBe(7);
  expect(before).toBeGreaterThan(1);
  expect(nice.length).toBeGreaterThan(before);
  expect(new Set(nice)).toEqual(new Set([7]));
});
