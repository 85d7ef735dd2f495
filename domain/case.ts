// The service case of the after-sales process (docs/process.md): its stages, the data each step carries,
// and which step fits which stage. Pure: imported by the workflow, the activities and the API.
import type { Clock } from './sla-clock.js';
import type { ClockName } from './sla-policy.js';

export const CHANNELS = ['phone', 'email', 'chat', 'web', 'api'] as const;
export const SEVERITIES = ['emergency', 'normal'] as const;
export const COMPLEXITIES = ['ordinary', 'complex'] as const;
export const REPAIR_MODES = ['onsite', 'carry_in'] as const;

export type Channel = (typeof CHANNELS)[number];
export type Severity = (typeof SEVERITIES)[number];
export type Complexity = (typeof COMPLEXITIES)[number];
export type RepairMode = (typeof REPAIR_MODES)[number];

export const STAGES = [
  'intake', // 受理: recorded, waiting for the specialist's triage
  'assigned', // 已派工: with an engineer, waiting for diagnosis
  'awaiting_parts', // 待料: diagnosed, parts requested
  'diagnosed', // 待排期: diagnosed, ready to schedule
  'scheduled', // 已预约: time and mode agreed with the customer
  'in_repair', // 维修中: engineer on site / product received
  'repaired', // 已修复: repair report filed, waiting for the customer's verdict
  'survey', // 满意度调查: customer accepted, survey pending or sent
  'closed', // 已结案
  'cancelled', // 已取消
] as const;
export type Stage = (typeof STAGES)[number];

export const STAGE_LABELS_ZH: Record<Stage, string> = {
  intake: '受理',
  assigned: '已派工',
  awaiting_parts: '待料',
  diagnosed: '待排期',
  scheduled: '已预约',
  in_repair: '维修中',
  repaired: '已修复待确认',
  survey: '满意度调查',
  closed: '已结案',
  cancelled: '已取消',
};

export type Outcome = 'resolved_at_intake' | 'survey_answered' | 'survey_expired' | 'cancelled';

export const OPEN_STAGES: readonly Stage[] = STAGES.filter((s) => s !== 'closed' && s !== 'cancelled');
export const isOpen = (stage: Stage) => OPEN_STAGES.includes(stage);

export interface ExternalRef {
  system: string;
  id: string;
}

export interface Intake {
  channel: Channel;
  customer: { name: string; phone?: string; email?: string; tier?: string; region?: string };
  product: { model: string; serialNumber: string; purchaseDate?: string; line?: string };
  problem: { description: string; severity: Severity };
  /** When the customer reported the problem (ISO 8601). */
  reportedAt: string;
  externalRef?: ExternalRef;
  /**
   * Carried over from another system (history import): escalation steps already overdue when the case
   * arrives are recorded as fired, without notifying anyone or sending sla.* webhooks.
   */
  imported?: boolean;
}

export interface PartLine {
  partNumber: string;
  quantity: number;
  description?: string;
  /** Replaced parts of a serial-tracked kind: the faulty unit's and the new unit's serial. */
  faultySerial?: string;
  replacementSerial?: string;
  /** The defective part came back from the repair (旧件返回). */
  defectiveReturned?: boolean;
}

/** Every human step names who did it; later, the API key's person. */
export interface StepBy {
  actor: string;
}

export interface ResolveAtIntakeStep extends StepBy {
  answer: string;
}
export interface AssignStep extends StepBy {
  engineer: string;
  /** What the customer was told about the expected handling time. */
  expectedHandling?: string;
}
/** Structured failure codes (code list: /api/v1/failure-codes) beside the free text; the batch off the nameplate. */
export interface FailureCoding {
  symptomCode?: string;
  causeCode?: string;
  actionCode?: string;
  batch?: string;
}
export interface DiagnoseStep extends StepBy {
  cause: string;
  plan: string;
  complexity: Complexity;
  parts: PartLine[];
  failure?: Omit<FailureCoding, 'actionCode'>;
}
export interface PartsReadyStep extends StepBy {
  note?: string;
}
export interface ScheduleStep extends StepBy {
  mode: RepairMode;
  agreedAt: string;
  address?: string;
  note?: string;
}
export interface CheckInStep extends StepBy {
  /** Arrival on site (on-site) or receipt of the product (carry-in); default: now. */
  at?: string;
  note?: string;
}
export interface CompleteRepairStep extends StepBy {
  symptom: string;
  cause: string;
  actions: string;
  partsReplaced: PartLine[];
  test: { passed: boolean; notes?: string };
  /** The customer was shown correct use and precautions (docs/process.md, "Repair"). */
  usageExplained: boolean;
  failure?: FailureCoding;
}
export interface CustomerFeedbackStep extends StepBy {
  accepted: boolean;
  comment?: string;
}
export interface SurveyResponseStep extends StepBy {
  serviceQuality: number;
  repairEffect: number;
  attitude: number;
  comment?: string;
  via: 'phone' | 'online';
}
export interface CancelStep extends StepBy {
  reason: string;
}
export interface WaitForCustomerStep extends StepBy {
  reason: string;
}
export interface CustomerRespondedStep extends StepBy {
  note?: string;
}
export const CONTACT_OUTCOMES = ['reached', 'no_answer', 'busy', 'voicemail', 'wrong_number'] as const;
/** From the help desk: the customer wrote back, or someone tried to reach the customer. */
export interface ContactStep extends StepBy {
  kind: 'customer_reply' | 'contact_attempt';
  channel: Channel;
  message?: string;
  outcome?: (typeof CONTACT_OUTCOMES)[number];
  at?: string;
}

type Stamp = { at: string; by: string };

export interface SurveyState {
  dueAt: string;
  sentAt?: string;
  expiresAt?: string;
  response?: Omit<SurveyResponseStep, 'actor'> & Stamp;
  expiredAt?: string;
}

export interface CaseState {
  caseId: string;
  stage: Stage;
  outcome?: Outcome;
  severity: Severity;
  complexity?: Complexity;
  assignee?: string;
  intake: Intake;
  createdAt: string;
  /** How many times the customer disputed the repair; each dispute starts a new diagnosis round. */
  disputes: number;
  resolution?: { answer: string } & Stamp;
  assignments: Array<{ engineer: string; expectedHandling?: string } & Stamp>;
  diagnoses: Array<Omit<DiagnoseStep, 'actor'> & Stamp & { round: number }>;
  partsReady?: { note?: string } & Stamp;
  /** The parts request (a child workflow) of the latest diagnosis that listed catalogue parts. */
  partsRequest?: { id: string; workflowId: string };
  schedule?: Omit<ScheduleStep, 'actor'> & Stamp;
  checkIn?: { arrivedAt: string; mode: RepairMode; note?: string } & Stamp;
  repairReports: Array<Omit<CompleteRepairStep, 'actor'> & Stamp & { round: number }>;
  feedback: Array<{ accepted: boolean; comment?: string } & Stamp & { round: number }>;
  survey?: SurveyState;
  cancellation?: { reason: string } & Stamp;
  /** Customer replies and contact attempts the help desk reported. */
  contacts: Array<Omit<ContactStep, 'actor' | 'at'> & Stamp & { occurredAt: string }>;
  /** Set while the case waits on the customer (clocks pause as the SLA policy says). */
  waitingForCustomer?: { reason: string } & Stamp;
  /** The SLA clocks of the case (see domain/sla-clock.ts). */
  clocks: Partial<Record<ClockName, Clock>>;
  /** Some clock has passed its deadline. */
  breached: boolean;
  /** The SLA policy version the case runs under. */
  slaPolicy: { id: string; version: number };
  closedAt?: string;
  /** Number of transitions so far; the read model keeps the highest it has seen. */
  seq: number;
}

export type StepName =
  | 'resolve-at-intake'
  | 'assign'
  | 'diagnose'
  | 'parts-ready'
  | 'schedule'
  | 'check-in'
  | 'complete-repair'
  | 'customer-feedback'
  | 'survey-response'
  | 'wait-for-customer'
  | 'customer-responded'
  | 'record-contact'
  | 'cancel';

/** Stages in which each step fits. Anything else is rejected before it enters history. */
export const STEP_STAGES: Record<StepName, readonly Stage[]> = {
  'resolve-at-intake': ['intake'],
  assign: ['intake', 'assigned', 'awaiting_parts', 'diagnosed', 'scheduled'],
  diagnose: ['assigned'],
  'parts-ready': ['awaiting_parts'],
  schedule: ['diagnosed', 'scheduled'],
  'check-in': ['scheduled'],
  'complete-repair': ['in_repair'],
  'customer-feedback': ['repaired'],
  'survey-response': ['survey'],
  'wait-for-customer': OPEN_STAGES.filter((s) => s !== 'survey'),
  'customer-responded': OPEN_STAGES.filter((s) => s !== 'survey'),
  'record-contact': OPEN_STAGES,
  cancel: OPEN_STAGES,
};

/** Why a step does not fit the case now, in words a help desk can show; undefined when it fits. */
export function stepMisfit(state: CaseState, step: StepName): string | undefined {
  if (STEP_STAGES[step].includes(state.stage)) return undefined;
  if (!isOpen(state.stage)) return `case ${state.caseId} is ${state.stage}; no further steps are possible`;
  const allowed = STEP_STAGES[step].join(', ');
  return `step "${step}" does not fit stage "${state.stage}" of case ${state.caseId} (allowed in: ${allowed})`;
}

export const caseWorkflowId = (caseId: string) => `case-${caseId}`;

/**
 * When a case began: the earlier of when the customer reported and when the case was opened (a help
 * desk's clock may run a little ahead of ours). Nothing that happened on the case can be earlier.
 */
export const caseStartMs = (c: { reportedAt: string; createdAt: string }) =>
  Math.min(Date.parse(c.reportedAt), Date.parse(c.createdAt));

/** Why an instant given with a step (check-in, contact) cannot be right for this case, if it cannot. */
export function instantMisfit(
  what: string,
  at: string | undefined,
  c: { reportedAt: string; createdAt: string },
  nowMs: number,
): string | undefined {
  if (!at) return undefined;
  const ms = Date.parse(at);
  if (ms > nowMs + 60_000) return `${what} ${at} lies in the future`;
  const start = caseStartMs(c);
  if (ms < start) return `${what} ${at} lies before the case began (${new Date(start).toISOString()})`;
  return undefined;
}
