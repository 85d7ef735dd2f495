// Lowers the CPU priority (raises the nice value) of this whole process. On Linux a nice value belongs to
// each thread, and os.setPriority(0, …) changes only the calling one: V8's and libuv's threads, started
// before any user code, would keep competing at full priority. So every thread listed in /proc/self/task
// is lowered; threads started later inherit the value from the thread that starts them. Elsewhere the
// process as a whole is lowered, which is what the call means there.
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** Sets every thread of this process to `nice` (0–19); answers the nice value the main thread now has. */
export function lowerProcessPriority(nice: number): number {
  let tids: number[] = [];
  try {
    tids = readdirSync('/proc/self/task').map(Number).filter(Number.isInteger);
  } catch {
    // not Linux: the process-wide call below is the whole answer
  }
  for (const tid of tids) {
    try {
      setPriority(tid, nice);
    } catch {
      // a thread that ended since the listing
    }
  }
  setPriority(0, nice);
  return getPriority(0);
}
