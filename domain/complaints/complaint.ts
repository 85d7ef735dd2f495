// The complaint (投诉) of the after-sales policy, section 6: its stages, the data each step carries and
// which step fits which stage. Pure: imported by the workflow, the activities and the API.
import type { Target } from '../calendar.js';
import type { ExternalRef } from '../case.js';
import type { Clock } from '../sla-clock.js';
import type { Level, Priority } from './policy.js';
import type { Category, Department } from './routing.js';

export const COMPLAINT_CHANNELS = ['phone', 'email', 'web', 'api'] as const;
export type ComplaintChannel = (typeof COMPLAINT_CHANNELS)[number];

export const COMPLAINT_STAGES = [
  'registered', // 已登记: recorded, the customer not yet told we have it
  'investigating', // 调查处理中: findings, evidence, corrective actions
  'answered', // 已答复: answer given, waiting for the customer's verdict
  'verifying', // 效果验证: the customer accepted; the effectiveness check comes before close
  'closed', // 已结案
  'withdrawn', // 已撤销
] as const;
export type ComplaintStage = (typeof COMPLAINT_STAGES)[number];

export const COMPLAINT_STAGE_LABELS_ZH: Record<ComplaintStage, string> = {
  registered: '已登记',
  investigating: '调查处理中',
  answered: '已答复待确认',
  verifying: '效果验证',
  closed: '已结案',
  withdrawn: '已撤销',
};

export const isComplaintOpen = (s: ComplaintStage) => s !== 'closed' && s !== 'withdrawn';
/** Resolved: the customer accepted (or it ended); progress updates are owed only before. */
export const isResolved = (s: ComplaintStage) => s === 'verifying' || !isComplaintOpen(s);

export const ACTION_TYPES = ['immediate', 'corrective', 'preventive'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export interface ComplaintIntake {
  channel: ComplaintChannel;
  customer: { name: string; phone?: string; email?: string; region?: string };
  product: { model: string; line?: string; serialNumber?: string; purchaseDate: string };
  complaint: { description: string; category: Category; urgency: Level; importance: Level };
  /** Service cases the complaint is about. */
  caseIds?: string[];
  reportedAt: string;
  externalRef?: ExternalRef;
}

type Stamp = { at: string; by: string };
export interface StepBy {
  actor: string;
}

export interface AcknowledgeStep extends StepBy {
  message: string;
  channel: ComplaintChannel;
}
export interface ReclassifyStep extends StepBy {
  urgency: Level;
  importance: Level;
  reason: string;
}
export interface RouteStep extends StepBy {
  department: Department;
  owner?: string;
  reason: string;
}
export interface FindingStep extends StepBy {
  text: string;
  /** Repair records (service cases) the finding rests on. */
  caseIds?: string[];
}
export interface EvidenceStep extends StepBy {
  evidenceId: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  note?: string;
}
export interface LinkCaseStep extends StepBy {
  caseId: string;
}
export interface AddActionStep extends StepBy {
  description: string;
  type: ActionType;
  responsible: string;
  /** The deadline as an instant, or as a target on the complaint's business calendar. */
  deadline?: string;
  within?: Target;
}
export interface CompleteActionStep extends StepBy {
  actionId: string;
  result: string;
}
export interface WaiveActionsStep extends StepBy {
  reason: string;
}
export interface ProgressUpdateStep extends StepBy {
  message: string;
  channel: ComplaintChannel;
}
export interface AnswerStep extends StepBy {
  answer: string;
  channel: ComplaintChannel;
}
export interface CustomerResponseStep extends StepBy {
  accepted: boolean;
  comment?: string;
}
export interface EffectivenessStep extends StepBy {
  effective: boolean;
  note: string;
}
export interface WithdrawStep extends StepBy {
  reason: string;
}
export interface QualityIssueLinkedSignal {
  issueId: string;
  closed: boolean;
  summary?: string;
}

export interface CorrectiveAction {
  id: string;
  description: string;
  type: ActionType;
  responsible: string;
  deadline: string;
  status: 'open' | 'done';
  completed?: { result: string } & Stamp;
  at: string;
  by: string;
}

export interface Classification {
  urgency: Level;
  importance: Level;
  priority: Priority;
}

export interface ComplaintState {
  complaintId: string;
  stage: ComplaintStage;
  intake: ComplaintIntake;
  createdAt: string;
  createdBy: string;
  policy: { id: string; version: number };
  classification: Classification;
  reclassifications: Array<{ from: Classification; to: Classification; reason: string } & Stamp>;
  department: Department;
  owner?: string;
  routing: Array<{ department: Department; owner?: string; rule: number | null; reason?: string } & Stamp>;
  linkedCases: string[];
  findings: Array<{ text: string; caseIds: string[] } & Stamp>;
  evidence: Array<Omit<EvidenceStep, 'actor'> & Stamp>;
  actions: CorrectiveAction[];
  waiver?: { reason: string } & Stamp;
  answers: Array<{ answer: string; channel: ComplaintChannel; round: number } & Stamp>;
  responses: Array<{ accepted: boolean; comment?: string; round: number } & Stamp>;
  /** Answers the customer rejected; each sends the complaint back to investigation. */
  rejections: number;
  /** Customer-visible updates (acknowledgement, progress updates, answers): each resets the progress clock. */
  updates: Array<
    { kind: 'acknowledge' | 'progress' | 'answer'; message: string; channel: ComplaintChannel } & Stamp
  >;
  effectiveness: Array<{ effective: boolean; note: string } & Stamp>;
  withdrawal?: { reason: string } & Stamp;
  qualityIssues: Array<{ issueId: string; closed: boolean; summary?: string; at: string }>;
  /** acknowledge, resolve, progress and one `action:<id>` per corrective action. */
  clocks: Record<string, Clock<string>>;
  breached: boolean;
  closedAt?: string;
  seq: number;
  /** Runs of the workflow so far (continue-as-new keeps the history of each bounded). */
  runs: number;
}

export type ComplaintStepName =
  | 'acknowledge'
  | 'reclassify'
  | 'route'
  | 'record-finding'
  | 'attach-evidence'
  | 'link-case'
  | 'add-action'
  | 'complete-action'
  | 'waive-actions'
  | 'progress-update'
  | 'answer'
  | 'customer-response'
  | 'effectiveness-check'
  | 'withdraw';

const UNRESOLVED: readonly ComplaintStage[] = ['registered', 'investigating', 'answered'];
const OPEN: readonly ComplaintStage[] = [...UNRESOLVED, 'verifying'];

export const COMPLAINT_STEP_STAGES: Record<ComplaintStepName, readonly ComplaintStage[]> = {
  acknowledge: ['registered'],
  reclassify: UNRESOLVED,
  route: UNRESOLVED,
  'record-finding': ['investigating'],
  'attach-evidence': ['investigating'],
  'link-case': OPEN,
  'add-action': ['investigating'],
  'complete-action': ['investigating', 'answered', 'verifying'],
  'waive-actions': ['investigating'],
  'progress-update': UNRESOLVED,
  answer: ['investigating'],
  'customer-response': ['answered'],
  'effectiveness-check': ['verifying'],
  withdraw: OPEN,
};

/** Why a step does not fit the complaint now; undefined when it fits. */
export function complaintStepMisfit(state: ComplaintState, step: ComplaintStepName): string | undefined {
  if (COMPLAINT_STEP_STAGES[step].includes(state.stage)) return undefined;
  if (!isComplaintOpen(state.stage))
    return `complaint ${state.complaintId} is ${state.stage}; no further steps are possible`;
  const allowed = COMPLAINT_STEP_STAGES[step].join(', ');
  return `step "${step}" does not fit stage "${state.stage}" of complaint ${state.complaintId} (allowed in: ${allowed})`;
}

/** The rule of each step beyond its stage (synchronous, for the workflow's validators). */
export function complaintStepRule(
  state: ComplaintState,
  step: ComplaintStepName,
  input: Record<string, unknown>,
): string | undefined {
  const open = state.actions.filter((a) => a.status === 'open');
  switch (step) {
    case 'reclassify': {
      const c = state.classification;
      if (input.urgency === c.urgency && input.importance === c.importance)
        return `complaint ${state.complaintId} is already classified urgency ${c.urgency}, importance ${c.importance}`;
      return undefined;
    }
    case 'route':
      if (input.department === state.department && (input.owner ?? undefined) === state.owner)
        return `complaint ${state.complaintId} is already routed to ${state.department}${state.owner ? ` (${state.owner})` : ''}`;
      return undefined;
    case 'complete-action': {
      const a = state.actions.find((x) => x.id === input.actionId);
      if (!a) return `complaint ${state.complaintId} has no corrective action "${String(input.actionId)}"`;
      if (a.status === 'done') return `corrective action ${a.id} is already done`;
      return undefined;
    }
    case 'waive-actions':
      if (open.length === 0) return `complaint ${state.complaintId} has no open corrective action to waive`;
      return undefined;
    case 'answer':
      if (state.findings.length === 0)
        return `complaint ${state.complaintId} has no investigation finding yet; record one before answering`;
      if (open.length > 0 && !state.waiver)
        return `complaint ${state.complaintId} has open corrective actions (${open.map((a) => a.id).join(', ')}); complete them or have a manager waive them before answering`;
      return undefined;
    case 'effectiveness-check':
      if (input.effective === true && open.length > 0)
        return `complaint ${state.complaintId} has open corrective actions (${open.map((a) => a.id).join(', ')}); complete them before confirming effectiveness`;
      return undefined;
    default:
      return undefined;
  }
}

export const complaintWorkflowId = (id: string) => `complaint-${id}`;
export const actionClock = (actionId: string) => `action:${actionId}`;

/**
 * The severity every notification of a complaint carries: a P1 complaint is an emergency (it reaches
 * whoever is on call and is not held for quiet hours), every other one is normal.
 */
export const complaintSeverity = (priority: string) => (priority === 'P1' ? 'emergency' : 'normal');
