// A case's parts request (备件申请), a child of the case workflow (docs/parts.md): reserve what is
// in stock, nearest warehouse first; buy the rest (quotes, approval, order — recorded through the API,
// which signals this workflow after each step); watch placed orders against their promised dates and
// escalate a late one on the case's calendar; tell the case when every line is reserved; issue the
// parts the repair used. Cancelled by the engineer, or by the case closing, it gives its stock back.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CaseActivities } from '../activities/index.js';
import { addBusinessMs } from '../domain/calendar.js';
import type { IssueLine, PartsRequestInput } from '../domain/parts/request.js';
import {
  type CancelPartsRequest,
  cancelPartsRequestUpdate,
  type PartsRequestState,
  partsChangedSignal,
  partsRequestStateQuery,
  partsReservedSignal,
  repairPartsSignal,
} from './parts-signals.js';

const act = proxyActivities<CaseActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export async function partsRequest(input: PartsRequestInput): Promise<PartsRequestState> {
  const { requestId, caseId } = input;
  const state: PartsRequestState = { requestId, phase: 'reserving', escalations: [] };
  let changes = 0;
  let repair: { lines: IssueLine[]; actor: string } | undefined;
  let cancelling = false;

  setHandler(partsRequestStateQuery, () => state);
  setHandler(partsChangedSignal, () => {
    changes += 1;
  });
  setHandler(repairPartsSignal, (r) => {
    repair = r;
  });
  setHandler(
    cancelPartsRequestUpdate,
    async (c: CancelPartsRequest) => {
      cancelling = true;
      try {
        const result = await act.cancelPartsRequest({ requestId, ...c });
        state.phase = 'cancelled';
        return result;
      } catch (err) {
        cancelling = false;
        // The refusal (already issued, …) goes back to the caller as the update's failure.
        if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) throw err.cause;
        throw err;
      }
    },
    {
      validator: (_c: CancelPartsRequest) => {
        if (cancelling || state.phase === 'cancelled' || state.phase === 'issued')
          throw ApplicationFailure.create({
            type: 'StepRejected',
            message: `parts request ${requestId} is ${cancelling ? 'being cancelled' : state.phase}`,
            nonRetryable: true,
          });
      },
    },
  );

  try {
    await act.openPartsRequest({ request: input, workflowId: workflowInfo().workflowId });
    const lines = await act.reserveParts({ requestId, step: 'reserve' });
    if (lines.some((l) => l.reserved < l.quantity)) {
      state.phase = 'purchasing';
      await act.openPurchases({ requestId, caseId });
    }
    await untilReserved();
    if (state.phase === 'reserved') {
      if (patched('parts-request-change')) {
        // A change of the case's parts cancels this request in the database and signals it.
        for (;;) {
          const seen = changes;
          await condition(() => repair !== undefined || state.phase === 'cancelled' || changes !== seen);
          if (repair || state.phase === 'cancelled') break;
          if ((await act.partsRequestProgress({ requestId })).status === 'cancelled')
            state.phase = 'cancelled';
        }
      } else await condition(() => repair !== undefined || state.phase === 'cancelled');
    }
    if (repair && state.phase !== 'cancelled') {
      await act.issuePartsForRepair({ requestId, lines: repair.lines, actor: repair.actor, step: 'repair' });
      state.phase = 'issued';
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // The case closed (or was cancelled) with the request open: give the stock back, keep what was ordered.
    if (state.phase !== 'cancelled' && state.phase !== 'issued' && !cancelling)
      await CancellationScope.nonCancellable(() =>
        act
          .cancelPartsRequest({
            requestId,
            actor: 'system',
            reason: 'the case closed',
            orders: 'keep_as_stock',
          })
          .catch(() => undefined),
      );
    state.phase = 'cancelled';
    return state;
  }
  await condition(() => !cancelling);
  return state;

  /** Looks at the purchases after every change, escalating late orders, until all lines are reserved. */
  async function untilReserved() {
    for (;;) {
      if (state.phase === 'cancelled' || cancelling) {
        await condition(() => !cancelling);
        if (state.phase === 'cancelled') return;
      }
      const seen = changes;
      const progress = await act.partsRequestProgress({ requestId });
      if (progress.status === 'cancelled') {
        state.phase = 'cancelled';
        return;
      }
      if (progress.allReserved) {
        state.phase = 'reserved';
        await act.markPartsReserved({ requestId });
        try {
          await getExternalWorkflowHandle(input.parentWorkflowId).signal(partsReservedSignal, { requestId });
        } catch {
          // The case has closed: nobody waits for the parts any more.
        }
        return;
      }
      // A repair report filed before the purchases arrived (parts found elsewhere): issue what there is.
      if (repair) return;
      const next = nextLateStep(progress.lateWatch, progress.lateEscalationMs);
      const woken = () => changes !== seen || cancelling || repair !== undefined;
      const interrupted = next
        ? await condition(woken, Math.max(1, Date.parse(next.dueAt) - Date.now()))
        : await condition(woken).then(() => true);
      if (!interrupted && next) {
        await act.escalateLateOrder({ ...next, caseId, requestId });
        state.escalations.push({
          purchaseOrderId: next.purchaseOrderId,
          level: next.level,
          dueAt: next.dueAt,
        });
      }
    }
  }

  /**
   * The earliest escalation not yet fired of the orders still short of delivery: level 1 at the promised
   * date (to procurement), level 2 after `graceMs` more working time of the case's calendar (to the
   * service manager).
   */
  function nextLateStep(
    orders: Array<{ purchaseOrderId: string; expectedAt: string; fired: number[] }>,
    graceMs: number,
  ): { purchaseOrderId: string; level: number; dueAt: string } | undefined {
    const steps: Array<{ purchaseOrderId: string; level: number; dueAt: string }> = [];
    for (const o of orders) {
      const fired = new Set([
        ...o.fired,
        ...state.escalations.filter((e) => e.purchaseOrderId === o.purchaseOrderId).map((e) => e.level),
      ]);
      if (!fired.has(1)) steps.push({ purchaseOrderId: o.purchaseOrderId, level: 1, dueAt: o.expectedAt });
      else if (!fired.has(2))
        steps.push({
          purchaseOrderId: o.purchaseOrderId,
          level: 2,
          dueAt: addBusinessMs(input.calendar, new Date(o.expectedAt), graceMs).toISOString(),
        });
    }
    return steps.sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt))[0];
  }
}
