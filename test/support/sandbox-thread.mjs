// A stand-in for the SDK's workflow thread module (test/integration/workflow-threads.test.ts): it enters a
// vm sandbox with a timeout, as the SDK does, in the way the parent asks, and reports what happened.
import vm from 'node:vm';
import { parentPort } from 'node:worker_threads';

const context = vm.createContext({});
parentPort.on('message', ({ run, n = 1, busyMs = 0, timeout }) => {
  if (run === 'loop') parentPort.postMessage({ entering: true });
  const script =
    run === 'loop'
      ? new vm.Script('for (;;) {}')
      : new vm.Script(`{ const until = Date.now() + ${busyMs}; while (Date.now() < until) {} }`);
  try {
    for (let i = 0; i < n; i++) script.runInContext(context, { timeout });
    parentPort.postMessage({ done: n });
  } catch (err) {
    parentPort.postMessage({ failed: String(err) });
  }
});
