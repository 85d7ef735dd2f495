// The quality loop (CAPA) to R&D and production (policy 2.5, 2.6): a quality issue is raised from a
// complaint, from a repair report, or automatically when failures cluster, and runs R&D analysis →
// improvement plan → production change → verification → closed, each stage with an owner and a
// deadline that escalates. Pure.
import type { BusinessCalendar, Target } from '../calendar.js';
import type { Clock } from '../sla-clock.js';
import { DEFAULT_ESCALATION, type EscalationStep } from '../sla-policy.js';
import { type ClusterRule, DEFAULT_CLUSTER_RULE } from './cluster.js';

export const QUALITY_SOURCES = ['complaint', 'repair_report', 'cluster'] as const;
export type QualitySource = (typeof QUALITY_SOURCES)[number];

export const QUALITY_STAGES = [
  'analysis', // 研发分析: root cause, affected models, batches, serial ranges
  'planning', // 改进方案
  'production_change', // 生产变更
  'verification', // 效果验证
  'closed',
  'cancelled',
] as const;
export type QualityStage = (typeof QUALITY_STAGES)[number];
export type WorkingQualityStage = Exclude<QualityStage, 'closed' | 'cancelled'>;
export const WORKING_QUALITY_STAGES: readonly WorkingQualityStage[] = [
  'analysis',
  'planning',
  'production_change',
  'verification',
];

export const QUALITY_STAGE_LABELS_ZH: Record<QualityStage, string> = {
  analysis: '研发分析',
  planning: '改进方案',
  production_change: '生产变更',
  verification: '效果验证',
  closed: '已关闭',
  cancelled: '已取消',
};

export const isQualityOpen = (s: QualityStage) => s !== 'closed' && s !== 'cancelled';

/** Whose desk a stage lands on until someone is named. */
export const STAGE_DESKS: Record<WorkingQualityStage, string> = {
  analysis: 'desk:rnd',
  planning: 'desk:rnd',
  production_change: 'desk:production',
  verification: 'desk:quality',
};

export interface QualityPolicy {
  id: string;
  version: number;
  name: string;
  calendarId: string;
  cluster: ClusterRule;
  /** Deadline of each stage, from when the stage begins. */
  targets: Record<WorkingQualityStage, Target>;
  escalation: EscalationStep[];
}

export const DEFAULT_QUALITY_POLICY: QualityPolicy = {
  id: 'default',
  version: 1,
  name: '默认质量改进标准',
  calendarId: 'cn',
  cluster: DEFAULT_CLUSTER_RULE,
  targets: {
    analysis: { amount: 5, unit: 'working_days' },
    planning: { amount: 5, unit: 'working_days' },
    production_change: { amount: 15, unit: 'working_days' },
    verification: { amount: 20, unit: 'working_days' },
  },
  escalation: DEFAULT_ESCALATION,
};

export interface SerialRange {
  from: string;
  to: string;
}

export interface QualityIssueIntake {
  source: QualitySource;
  title: string;
  description: string;
  model: string;
  causeCode?: string;
  caseIds: string[];
  complaintIds: string[];
  /** Per-stage deadlines overriding the policy's. */
  targets?: Partial<Record<WorkingQualityStage, Target>>;
  raisedAt: string;
}

type Stamp = { at: string; by: string };
interface StepBy {
  actor: string;
}
export interface AnalyzeStep extends StepBy {
  rootCause: string;
  affectedModels: string[];
  batches: string[];
  serialRanges: SerialRange[];
}
export interface PlanStep extends StepBy {
  plan: string;
}
export interface ProductionChangeStep extends StepBy {
  description: string;
  /** First batch or date built with the change. */
  effectiveFrom: string;
}
export interface VerifyStep extends StepBy {
  effective: boolean;
  note: string;
}
export interface AssignQualityStep extends StepBy {
  owner: string;
}
export interface LinkQualityStep extends StepBy {
  caseIds?: string[];
  complaintIds?: string[];
}
export interface CancelQualityStep extends StepBy {
  reason: string;
}

export interface QualityIssueState {
  issueId: string;
  stage: QualityStage;
  intake: QualityIssueIntake;
  createdBy: string;
  policy: { id: string; version: number };
  owner: string;
  caseIds: string[];
  complaintIds: string[];
  analysis?: Omit<AnalyzeStep, 'actor'> & Stamp;
  plans: Array<{ plan: string } & Stamp>;
  changes: Array<Omit<ProductionChangeStep, 'actor'> & Stamp>;
  verifications: Array<{ effective: boolean; note: string } & Stamp>;
  assignments: Array<{ stage: QualityStage; owner: string } & Stamp>;
  cancellation?: { reason: string } & Stamp;
  /** One clock per stage visit: `stage:<stage>:<visit>`. */
  clocks: Record<string, Clock<string>>;
  breached: boolean;
  closedAt?: string;
  seq: number;
}

export type QualityStepName =
  | 'assign'
  | 'analyze'
  | 'plan'
  | 'production-change'
  | 'verify'
  | 'link'
  | 'cancel';

const WORKING = WORKING_QUALITY_STAGES;
export const QUALITY_STEP_STAGES: Record<QualityStepName, readonly QualityStage[]> = {
  assign: WORKING,
  analyze: ['analysis'],
  plan: ['planning'],
  'production-change': ['production_change'],
  verify: ['verification'],
  link: WORKING,
  cancel: WORKING,
};

export function qualityStepMisfit(state: QualityIssueState, step: QualityStepName): string | undefined {
  if (QUALITY_STEP_STAGES[step].includes(state.stage)) return undefined;
  if (!isQualityOpen(state.stage))
    return `quality issue ${state.issueId} is ${state.stage}; no further steps are possible`;
  const allowed = QUALITY_STEP_STAGES[step].join(', ');
  return `step "${step}" does not fit stage "${state.stage}" of quality issue ${state.issueId} (allowed in: ${allowed})`;
}

export const qualityWorkflowId = (id: string) => `quality-${id}`;

export interface QualityPolicySnapshot {
  policy: QualityPolicy;
  calendar: BusinessCalendar;
}
