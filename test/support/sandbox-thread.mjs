// A stand-in for the SDK's workflow thread module (test/unit/workflow-threads.test.ts): it enters a
// vm sandbox with a timeout, as the SDK does, in the way the parent asks, and reports what happened; or, like
// the SDK's promise hook, reads a stack trace (formatted by its own Error.prepareStackTrace) for a promise.
import v8 from 'node:v8';
import vm from 'node:vm';
import { parentPort } from 'node:worker_threads';

const context = vm.createContext({});
const hooked = [];
let hook;
function promiseStack() {
  if (!hook) {
    Error.prepareStackTrace = (err, frames) => `${err}\n${frames.map((f) => `    at ${f}`).join('\n')}`;
    hook = v8.promiseHooks.createHook({ init: () => hooked.push(new Error().stack) });
  }
  hooked.length = 0;
  Promise.resolve();
  return { hookRan: hooked.length, stack: hooked[0] };
}

parentPort.on('message', ({ run, n = 1, busyMs = 0, timeout }) => {
  if (run === 'promise-stack') return parentPort.postMessage(promiseStack());
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
