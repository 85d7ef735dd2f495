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

/** Event types the system emits today. */
export const WEBHOOK_EVENT_TYPES = [
  ...CASE_WEBHOOK_EVENT_TYPES,
  ...SLA_WEBHOOK_EVENT_TYPES,
  ...COMPLAINT_WEBHOOK_EVENT_TYPES,
  ...QUALITY_WEBHOOK_EVENT_TYPES,
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Families a subscription can name with 'family.*'; parts is reserved for a later domain. */
export const WEBHOOK_FAMILIES = ['case', 'sla', 'complaint', 'quality', 'parts'] as const;
const RESERVED_FAMILIES: readonly string[] = ['parts'];

/**
 * Whether a subscription may name `pattern`: a known type, a family wildcard ('case.*'), '*', or a
 * type of a reserved family ('parts.shipped'), which matches once that domain emits it.
 */
export function isSubscribable(pattern: string): boolean {
  if (pattern === '*') return true;
  if ((WEBHOOK_EVENT_TYPES as readonly string[]).includes(pattern)) return true;
  const m = /^([a-z]+)\.(\*|[a-z][a-z0-9_]{0,62})$/.exec(pattern);
  if (!m) return false;
  if (m[2] === '*') return (WEBHOOK_FAMILIES as readonly string[]).includes(m[1]);
  return RESERVED_FAMILIES.includes(m[1]);
}

/** The wildcard that names the family of `type` ('case.created' → 'case.*'). */
export const familyWildcard = (type: string) => `${type.split('.')[0]}.*`;
