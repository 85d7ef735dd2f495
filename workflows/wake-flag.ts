// The wake-up both dispatcher workflows (webhooks, notifications) sleep on: a signal sets a flag, which
// is cleared before each batch, so a signal that arrives while a batch runs triggers one more.
import { condition, type SignalDefinition, setHandler } from '@temporalio/workflow';

export interface WakeFlag {
  /** Forget earlier wake-ups: called before a batch, which sees everything queued until then. */
  clear(): void;
  /** Sleep until woken or `timeoutMs` passes. */
  sleep(timeoutMs: number): Promise<boolean>;
}

export function wakeFlag(signal: SignalDefinition<[]>): WakeFlag {
  let woken = false;
  setHandler(signal, () => {
    woken = true;
  });
  return {
    clear: () => {
      woken = false;
    },
    sleep: (timeoutMs) => condition(() => woken, timeoutMs),
  };
}
