// Outbound webhook event types and how a subscription names them. Pure: imported by the outbox
// activity and the API.

/** Case event types the system emits today (docs/webhooks.md). */
export const CASE_WEBHOOK_EVENT_TYPES = [
  'case.created',
  'case.stage_changed',
  'case.closed', // the case reached 'closed' or 'cancelled' (sent after its case.stage_changed)
  'case.waiting_for_customer', // the case waits on the customer: the help desk is to contact them
  'case.customer_responded', // the customer answered (a reply message, or the customer-responded step)
  'case.contact_attempted', // somebody tried to reach the customer
] as const;

/** SLA event types: one per fired escalation step (domain/escalation-step.ts classifies it). */
export const SLA_WEBHOOK_EVENT_TYPES = [
  'sla.warning', // a step before the deadline
  'sla.breached', // the step at the deadline (100 %), whatever the ladder calls it
  'sla.escalated', // a step after the deadline
] as const;

/** Complaint (投诉) event types (docs/complaints.md). */
export const COMPLAINT_WEBHOOK_EVENT_TYPES = [
  'complaint.created',
  'complaint.stage_changed',
  'complaint.closed', // closed or withdrawn
  'complaint.escalated', // a clock of the complaint (acknowledge, resolve, progress update, corrective action) fired a step
] as const;

/** Quality-issue event types of the quality loop (docs/quality.md). */
export const QUALITY_WEBHOOK_EVENT_TYPES = [
  'quality.raised', // a quality issue was raised (by hand or by a failure cluster)
  'quality.stage_changed',
  'quality.closed', // closed or cancelled; carries the linked cases and complaints
  'quality.escalated', // a stage deadline of a quality issue fired a step
] as const;

/**
 * Spare-parts event types (docs/parts.md), written by activities/parts/procurement.ts in the transaction
 * of the step they report. A case's request carries its caseId; a reorder purchase's events have none.
 */
export const PARTS_WEBHOOK_EVENT_TYPES = [
  'parts.request_opened', // a diagnosis listing catalogue parts opened a parts request
  'parts.reserved', // every line of a request is reserved: the case moves on
  'parts.purchase_opened', // a request line short of stock: requests for quotes sent
  'parts.reorder_proposed', // the reorder Schedule opened a purchase for a part below its reorder point
  'parts.quote_received', // a supplier's quote was entered (or replaced)
  'parts.approval_requested', // the best quote's order is above the threshold: waits for the service manager
  'parts.approval_rejected', // the service manager rejected it: back to collecting quotes
  'parts.purchase_order_placed', // an order was placed with its promised date (at award or on approval)
  'parts.purchase_order_late', // a placed order passed its promised date (level 1) or further (level 2)
  'parts.delivery_received', // goods arrived against an order; they wait for inspection
  'parts.inspected', // a receipt was inspected, passed or failed
  'parts.inspection_failed', // …failed: returned to the supplier and re-ordered from the next best
  'parts.request_cancelled', // the request was cancelled (or replaced by a change); what happened to its orders
  'parts.issued', // the repair's parts left stock for the case at their cost
] as const;

/** Event types the system emits today. */
export const WEBHOOK_EVENT_TYPES = [
  ...CASE_WEBHOOK_EVENT_TYPES,
  ...SLA_WEBHOOK_EVENT_TYPES,
  ...COMPLAINT_WEBHOOK_EVENT_TYPES,
  ...QUALITY_WEBHOOK_EVENT_TYPES,
  ...PARTS_WEBHOOK_EVENT_TYPES,
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
export type PartsWebhookEventType = (typeof PARTS_WEBHOOK_EVENT_TYPES)[number];

/** Families a subscription can name with 'family.*'. */
export const WEBHOOK_FAMILIES = ['case', 'sla', 'complaint', 'quality', 'parts'] as const;

/** Whether a subscription may name `pattern`: a type the system emits, a family wildcard ('case.*'), or '*'. */
export function isSubscribable(pattern: string): boolean {
  if (pattern === '*') return true;
  if ((WEBHOOK_EVENT_TYPES as readonly string[]).includes(pattern)) return true;
  const m = /^([a-z]+)\.\*$/.exec(pattern);
  return m !== null && (WEBHOOK_FAMILIES as readonly string[]).includes(m[1]);
}

/** The wildcard that names the family of `type` ('case.created' → 'case.*'). */
export const familyWildcard = (type: string) => `${type.split('.')[0]}.*`;
