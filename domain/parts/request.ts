// Parts requests (领料/备件申请) and the stock ledger's vocabulary. Pure: shared by the workflow, the
// activities and the API.

export const MOVEMENT_KINDS = [
  'receive', // 入库: units arrive (purchase receipt that passed inspection, or an opening balance)
  'reserve', // 预留: units held for a case's request
  'release', // 释放: a reservation given back
  'issue', // 出库: units leave for a case's repair, at the average cost
  'return_defective', // 旧件返回: the faulty part comes back from the case (not sellable stock)
  'return_to_supplier', // 退供应商
  'adjust', // 盘点调整: with a reason
] as const;
export type MovementKind = (typeof MOVEMENT_KINDS)[number];

export interface RequestLine {
  lineNo: number;
  partNumber: string;
  quantity: number;
}

export interface PartsRequestInput {
  requestId: string;
  caseId: string;
  /** The case workflow to tell when every line is reserved. */
  parentWorkflowId: string;
  lines: RequestLine[];
  requestedBy: string;
  /** The case's calendar: a late purchase order escalates in its working time. */
  calendar: import('../calendar.js').BusinessCalendar;
}

/** Deterministic ids: one request per case, diagnosis round and diagnosis; a change adds its number. */
export const partsRequestId = (caseId: string, round: number, diagnosis: number, change = 0) =>
  `PR-${caseId}-${round}-${diagnosis}${change > 0 ? `-${change}` : ''}`;
export const partsRequestWorkflowId = (requestId: string) => `parts-request-${requestId}`;

/** What a cancelled request does with a purchase order already placed; the choice is recorded. */
export const ORDER_CHOICES = ['keep_as_stock', 'cancel_with_supplier'] as const;
export type OrderChoice = (typeof ORDER_CHOICES)[number];

export interface IssueLine {
  partNumber: string;
  quantity: number;
  faultySerial?: string;
  replacementSerial?: string;
  /** The defective part came back from the case (旧件返回). */
  defectiveReturned?: boolean;
}

/** A parts operation refused: unknown thing, a step that does not fit, or content that cannot be. */
export class PartsRejected extends Error {
  constructor(
    readonly kind: 'not-found' | 'conflict' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Settings of the parts flow (env: PARTS_APPROVAL_THRESHOLD, PARTS_LATE_ESCALATION, PARTS_REORDER_INTERVAL,
 * PARTS_CALENDAR).
 */
export interface PartsSettings {
  /** Orders above this amount (CNY) need the service manager's approval. */
  approvalThreshold: number;
  /** Working time after a late order's promised date at which it escalates to the service manager. */
  lateEscalationMs: number;
  /** How often the reorder Schedule looks for parts below their reorder point. */
  reorderIntervalMs: number;
  /**
   * The working calendar of procurement (an SLA calendar id, default 'cn'): a reorder purchase has no
   * case, so its late order escalates in this calendar's working time.
   */
  calendarId?: string;
}

export const DEFAULT_PARTS_SETTINGS: PartsSettings = {
  approvalThreshold: 5000,
  lateEscalationMs: 8 * 3_600_000,
  reorderIntervalMs: 24 * 3_600_000,
  calendarId: 'cn',
};

/**
 * One watch per purchase order bought for stock — a reorder purchase's, or one kept as stock when its
 * request was cancelled: no partsRequest watches it.
 */
export const purchaseOrderWatchId = (purchaseOrderId: string) => `purchase-order-watch-${purchaseOrderId}`;
