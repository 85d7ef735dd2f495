// Activities of the parts workflows (partsRequest, partsReorder), built from their dependencies like
// every other activity factory and spread into createActivities.

import { ApplicationFailure } from '@temporalio/common';
import { loadCalendar } from '../../db/sla-store.js';
import { addBusinessMs } from '../../domain/calendar.js';
import {
  DEFAULT_PARTS_SETTINGS,
  type IssueLine,
  type OrderChoice,
  PartsRejected,
  type PartsRequestInput,
  type PartsSettings,
} from '../../domain/parts/request.js';
import { recordNotification } from '../notification-record.js';
import { queueNotification } from '../notifications/dispatch.js';
import type { NotificationDeps } from '../notifications/index.js';
import type { Notification } from '../notifier.js';
import { type WakeDeps, wakeDispatchers } from '../webhook-outbox.js';
import { reserveForRequest } from './ledger.js';
import { watchStockOrders } from './order-watch.js';
import {
  cancelRequest,
  createRequest,
  issueForRepair,
  markReserved,
  type Outcome,
  openPurchasesForRequest,
  orderWatch,
  proposeReorders,
  recordLateOrder,
  requestProgress,
  unknownParts,
} from './procurement.js';

export interface PartsActivityDeps extends WakeDeps, NotificationDeps {
  parts?: PartsSettings;
}

export function createPartsActivities(deps: PartsActivityDeps) {
  const { db } = deps;
  const settings = deps.parts ?? DEFAULT_PARTS_SETTINGS;
  /** Queues a notification once per key; its dispatcher resolves the people and sends it. */
  async function notify(n: Notification) {
    await queueNotification(deps, n, (q) => recordNotification(db, q));
  }
  async function woken<T>(o: Promise<Outcome<T>>): Promise<T> {
    let outcome: Outcome<T>;
    try {
      outcome = await o;
    } catch (err) {
      // A refusal is an answer, not a fault: retrying would refuse again.
      if (err instanceof PartsRejected)
        throw ApplicationFailure.create({
          type: `PartsRejected.${err.kind}`,
          message: err.message,
          nonRetryable: true,
        });
      throw err;
    }
    await wakeDispatchers(deps, outcome.wake);
    return outcome.value;
  }

  return {
    /** Whether every listed part is in the catalogue (then a partsRequest runs for the diagnosis). */
    async partsInCatalogue(input: { partNumbers: string[] }): Promise<boolean> {
      return (await unknownParts(db, input.partNumbers)).length === 0;
    },

    async openPartsRequest(input: { request: PartsRequestInput; workflowId: string }): Promise<void> {
      await woken(createRequest(db, input.request, input.workflowId));
    },

    /** Reserves what is available, nearest warehouse first; `step` makes a retry reserve nothing twice. */
    async reserveParts(input: { requestId: string; step: string }) {
      return reserveForRequest(db, { requestId: input.requestId, step: input.step, actor: 'system' });
    },

    /** Opens purchases for what could not be reserved and tells procurement which suppliers were asked. */
    async openPurchases(input: { requestId: string; caseId: string }) {
      const opened = await woken(openPurchasesForRequest(db, input.requestId));
      for (const p of opened)
        await notify({
          key: `parts:${p.purchaseId}:rfq`,
          caseId: input.caseId,
          kind: 'parts.rfq',
          recipient: 'procurement',
          payload: { ...p },
        });
      return opened;
    },

    async partsRequestProgress(input: { requestId: string }) {
      return { ...(await requestProgress(db, input.requestId)), lateEscalationMs: settings.lateEscalationMs };
    },

    async markPartsReserved(input: { requestId: string }): Promise<boolean> {
      return woken(markReserved(db, input.requestId));
    },

    /**
     * A placed order is past its promised date (level 1, procurement) or further (level 2, manager). The
     * order of a reorder purchase has no case (`caseId` null): its notification is about the order alone.
     */
    async escalateLateOrder(input: {
      purchaseOrderId: string;
      level: number;
      dueAt: string;
      caseId: string | null;
      requestId?: string;
    }): Promise<void> {
      const recipient = input.level === 1 ? 'procurement' : 'service-manager';
      await woken(recordLateOrder(db, { ...input, recipient }));
      await notify({
        key: `parts:${input.purchaseOrderId}:late:${input.level}`,
        caseId: input.caseId,
        purchaseOrderId: input.purchaseOrderId,
        kind: 'parts.purchase_order_late',
        // Procurement is a desk: the dispatcher resolves it to the people holding the role.
        recipient: input.level === 1 ? 'desk:procurement' : recipient,
        payload: { ...input },
      });
    },

    /**
     * The next escalation step of a reorder purchase order not yet fired, or why its watch may end. Level 2
     * falls `lateEscalationMs` of procurement's working time after the promised date (the calendar of
     * PARTS_CALENDAR; a calendar that does not exist counts wall time, and says so in the log).
     */
    async purchaseOrderLateStep(input: { purchaseOrderId: string }): Promise<{
      ended: string | null;
      next: { level: number; dueAt: string } | null;
    }> {
      const w = await orderWatch(db, input.purchaseOrderId);
      if (w.ended || !w.expectedAt) return { ended: w.ended ?? 'received', next: null };
      if (!w.fired.includes(1)) return { ended: null, next: { level: 1, dueAt: w.expectedAt } };
      if (w.fired.includes(2)) return { ended: null, next: null };
      const calendarId = settings.calendarId ?? DEFAULT_PARTS_SETTINGS.calendarId!;
      const calendar = await loadCalendar(db, calendarId);
      if (!calendar)
        console.warn(`[parts] calendar "${calendarId}" does not exist; late orders count wall time`);
      const expected = new Date(w.expectedAt);
      const dueAt = calendar
        ? addBusinessMs(calendar, expected, settings.lateEscalationMs)
        : new Date(expected.getTime() + settings.lateEscalationMs);
      return { ended: null, next: { level: 2, dueAt: dueAt.toISOString() } };
    },

    async cancelPartsRequest(input: {
      requestId: string;
      actor: string;
      reason: string;
      orders: OrderChoice;
    }) {
      const cancellation = await woken(cancelRequest(db, input));
      // An order kept as stock is no longer watched by the request, which ends now: it gets the watch of
      // a stock order (late → procurement, without the case). A failure here must not undo the
      // cancellation: the reorder Schedule's next run starts any watch still missing.
      for (const d of cancellation.decisions)
        if (d.decision === 'kept_as_stock' && d.purchaseOrderId)
          await watchStockOrders(deps, d.purchaseOrderId).catch((err: Error) =>
            console.warn(`[parts] watch of kept order ${d.purchaseOrderId} not started now: ${err.message}`),
          );
      return cancellation;
    },

    async issuePartsForRepair(input: { requestId: string; lines: IssueLine[]; actor: string; step: string }) {
      return woken(issueForRepair(db, input));
    },

    /** The reorder Schedule's work: a purchase for each part below its reorder point. */
    async proposeReorders() {
      const opened = await woken(proposeReorders(db));
      return opened.map((p) => p.purchaseId);
    },

    /** The reorder run's sweep: every reorder order still due has its watch running. */
    // The activity keeps its first name: recorded histories of partsReorder schedule it by that name.
    async watchReorderOrders(): Promise<number> {
      return (await watchStockOrders(deps)).length;
    },
  };
}

export type PartsActivities = ReturnType<typeof createPartsActivities>;
