// What a fired escalation step of an SLA clock means, by where it sits on the clock: before the
// deadline a warning, at the deadline the breach, after it an escalation. The ladder's names and levels
// are the policy's own words (a ladder may call its 100 % step anything), so they decide nothing here.
// The workflow (the timeline's transition type), the escalation activity (the notification's kind) and
// the webhook outbox (the event type) all classify through this one function. Pure.

export const FIRED_STEP_KINDS = ['warning', 'breached', 'escalated'] as const;
export type FiredStepKind = (typeof FIRED_STEP_KINDS)[number];

export interface FiredStep {
  /** The step's fraction of the clock's target (0.75, 1, 1.5…). */
  at?: number;
  level: number;
}

export function firedStepKind(step: FiredStep): FiredStepKind {
  // Records written before the fraction was carried: the default ladder's levels (1 warning, 2 breach).
  const at = step.at ?? (step.level === 1 ? 0.75 : step.level === 2 ? 1 : 1.5);
  return at < 1 ? 'warning' : at === 1 ? 'breached' : 'escalated';
}

/** The timeline transition of a fired step: sla_warning, sla_breached, sla_escalated. */
export const firedStepTransition = (step: FiredStep) => `sla_${firedStepKind(step)}` as const;

/** The notification kind and webhook event type of a fired step: sla.warning, sla.breached, sla.escalated. */
export const firedStepEventType = (step: FiredStep) => `sla.${firedStepKind(step)}` as const;

/** Whether a timeline transition is a fired escalation step. */
export const isFiredStepTransition = (type: string) =>
  (FIRED_STEP_KINDS as readonly string[]).some((k) => type === `sla_${k}`);

/**
 * The notification kind of a fired step of a complaint clock: complaint.<clock>.<step name>, where the
 * clock is acknowledge, resolve, progress, or action for every corrective action's own clock.
 */
export const complaintEscalationKind = (clock: string, name: string) =>
  `complaint.${clock.startsWith('action:') ? 'action' : clock}.${name}`;

/** The notification kind of a fired step of a quality issue's stage deadline: quality.stage.<step name>. */
export const qualityEscalationKind = (name: string) => `quality.stage.${name}`;

const COMPLAINT_ESCALATION = /^complaint\.(?:acknowledge|resolve|progress|action)\.[^.]+$/;
const QUALITY_ESCALATION = /^quality\.stage\.[^.]+$/;

/**
 * Whose escalation a notification kind announces — a case's SLA clock (sla.*), a complaint's clock or
 * a quality issue's stage deadline — or undefined for a plain notification. Escalations are resolved
 * along the chain as it stood when the step fired, skipping people absent then; plain ones go to the
 * person named.
 */
export function escalationSubject(kind: string): 'case' | 'complaint' | 'quality' | undefined {
  if (kind.startsWith('sla.')) return 'case';
  if (COMPLAINT_ESCALATION.test(kind)) return 'complaint';
  if (QUALITY_ESCALATION.test(kind)) return 'quality';
  return undefined;
}
