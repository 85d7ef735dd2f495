// Messages between the case workflow, its partsRequest children and the API. In their own module so
// neither workflow imports the other.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { IssueLine, OrderChoice } from '../domain/parts/request.js';

/** Child → case: every line of the request is reserved. */
export const partsReservedSignal = defineSignal<[{ requestId: string }]>('parts-reserved');
/** API → request: its purchases moved (quote, approval, delivery, inspection); look again. */
export const partsChangedSignal = defineSignal<[]>('parts-changed');
/** API → purchase-order watch: the order moved (delivery, inspection, cancellation); look again. */
export const purchaseOrderChangedSignal = defineSignal<[]>('purchase-order-changed');
/** Case → request: the repair report's replaced parts, to issue to the case. */
export const repairPartsSignal = defineSignal<[{ lines: IssueLine[]; actor: string }]>('repair-parts');

export interface CancelPartsRequest {
  actor: string;
  reason: string;
  orders: OrderChoice;
}
export const cancelPartsRequestUpdate = defineUpdate<Record<string, unknown>, [CancelPartsRequest]>(
  'cancel-parts-request',
);

/** API → case: replace the case's parts request with these lines (the old one is cancelled). */
export interface ChangePartsRequest {
  actor: string;
  requestId: string;
  lines: Array<{ partNumber: string; quantity: number }>;
  reason: string;
  orders: OrderChoice;
}
export const changePartsRequestUpdate = defineUpdate<{ requestId: string }, [ChangePartsRequest]>(
  'change-parts-request',
);

export interface PartsRequestState {
  requestId: string;
  phase: 'reserving' | 'purchasing' | 'reserved' | 'issued' | 'cancelled';
  escalations: Array<{ purchaseOrderId: string; level: number; dueAt: string }>;
}
export const partsRequestStateQuery = defineQuery<PartsRequestState>('parts-request-state');
