// Where escalations' lateness comes from, read from the Temporal histories of a sample of cases. Each
// step's lateness (its workflow task started − its due instant) is the sum of three parts:
//  - timerLateMs: the timer expires after the due instant. A timer runs from when the workflow task that
//    starts it completes, so this is how much later that task completed than the instant the workflow
//    measured the timer from (the task's start, or the end of the recording it waited for).
//  - fireMs: the server fired the timer after it expired (its timer queue).
//  - dispatchMs: the workflow task the timer woke started after the timer fired (matching, worker polls).
import type { Client } from '@temporalio/client';
import { type Summary, summarize } from './stats.js';

export interface LatenessBreakdown {
  /** Cases whose histories were read, and steps matched to a timer (cases whose timers did not pair up one to one with their steps are left out). */
  sampleCases: number;
  steps: number;
  timerLateMs: Summary | null;
  fireMs: Summary | null;
  dispatchMs: Summary | null;
}

/** Milliseconds of a protobuf Timestamp or Duration. */
const tsToMs = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);

interface Woken {
  expiresAt: number;
  firedAt: number;
  startedAt: number;
}

/** The timers that fired in a history, in order, each with when it expired, fired and woke its task. */
function wokenTimers(
  events: Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>['events'],
) {
  const expiry = new Map<string, number>();
  const woken: Woken[] = [];
  const list = events ?? [];
  list.forEach((e, i) => {
    const at = tsToMs(e.eventTime);
    if (e.timerStartedEventAttributes) {
      expiry.set(String(e.eventId), at + tsToMs(e.timerStartedEventAttributes.startToFireTimeout));
    } else if (e.timerFiredEventAttributes) {
      const expiresAt = expiry.get(String(e.timerFiredEventAttributes.startedEventId));
      const started = list.slice(i + 1).find((x) => x.workflowTaskStartedEventAttributes);
      if (expiresAt !== undefined && started)
        woken.push({ expiresAt, firedAt: at, startedAt: tsToMs(started.eventTime) });
    }
  });
  return woken;
}

/**
 * `cases`: workflow ids with the due instants (ms) of the steps that fired, ascending. In the benchmark
 * every timer that fires wakes exactly one step (the steps of a case are at least 20 s apart), so the
 * k-th timer fired is paired with the k-th step.
 */
export async function latenessBreakdown(
  client: Client,
  cases: { workflowId: string; dueAt: number[] }[],
): Promise<LatenessBreakdown> {
  const timerLate: number[] = [];
  const fire: number[] = [];
  const dispatch: number[] = [];
  for (const c of cases) {
    const { events } = await client.workflow.getHandle(c.workflowId).fetchHistory();
    const woken = wokenTimers(events);
    if (woken.length !== c.dueAt.length) continue;
    woken.forEach((w, k) => {
      timerLate.push(w.expiresAt - c.dueAt[k]);
      fire.push(w.firedAt - w.expiresAt);
      dispatch.push(w.startedAt - w.firedAt);
    });
  }
  return {
    sampleCases: cases.length,
    steps: timerLate.length,
    timerLateMs: summarize(timerLate),
    fireMs: summarize(fire),
    dispatchMs: summarize(dispatch),
  };
}
