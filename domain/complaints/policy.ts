// The complaint policy (投诉处理标准, policy section 6): the classification matrix urgency × importance →
// priority, the acknowledge / resolve / progress-update targets per priority, the escalation ladders and
// the routing rules. Versioned data like the SLA policies: a complaint keeps the version it was opened
// under. Pure: imported by the workflow, the activities and the API.
import type { BusinessCalendar, Target } from '../calendar.js';
import { DEFAULT_ESCALATION, type EscalationStep } from '../sla-policy.js';
import { type RoutingRule, validateRouting } from './routing.js';

export const LEVELS = ['high', 'medium', 'low'] as const;
/** 紧急程度 (urgency) and 重要程度 (importance) share the three levels. */
export type Level = (typeof LEVELS)[number];
export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** matrix[urgency][importance] = priority. */
export type ClassificationMatrix = Record<Level, Record<Level, Priority>>;

export interface PriorityTargets {
  /** First acknowledgement to the customer (受理确认). */
  acknowledge: Target;
  /** Resolved: the customer accepts the answer. */
  resolve: Target;
  /** Longest silence towards the customer until resolved (进度反馈). */
  progressUpdate: Target;
}

export interface ComplaintPolicy {
  id: string;
  version: number;
  name: string;
  /** Match criteria; undefined matches anything. A product-line policy beats the generic one. */
  match: { productLine?: string };
  calendarId: string;
  matrix: ClassificationMatrix;
  targets: Record<Priority, PriorityTargets>;
  /** Ladder of the acknowledge and resolve clocks ('assignee' = the complaint's owner). */
  escalation: EscalationStep[];
  /** Ladder of the progress-update clock: a reminder to the owner, then the missed update escalates. */
  progressEscalation: EscalationStep[];
  /** Ladder of each corrective action ('responsible' = its responsible person, 'assignee' = the owner). */
  actionEscalation: EscalationStep[];
  routing: RoutingRule[];
}

/**
 * The default matrix. Urgency decides how fast, importance how much it matters; both high is P1, one
 * step down on either axis costs a priority, and anything with a low axis and nothing high is P4.
 */
export const DEFAULT_MATRIX: ClassificationMatrix = {
  high: { high: 'P1', medium: 'P2', low: 'P3' },
  medium: { high: 'P2', medium: 'P3', low: 'P4' },
  low: { high: 'P3', medium: 'P4', low: 'P4' },
};

const bh = (amount: number): Target => ({ amount, unit: 'business_hours' });
const wd = (amount: number): Target => ({ amount, unit: 'working_days' });

export const DEFAULT_COMPLAINT_POLICY: ComplaintPolicy = {
  id: 'default',
  version: 1,
  name: '默认投诉处理标准',
  match: {},
  calendarId: 'cn',
  matrix: DEFAULT_MATRIX,
  targets: {
    P1: { acknowledge: bh(1), resolve: wd(3), progressUpdate: bh(4) },
    P2: { acknowledge: bh(4), resolve: wd(5), progressUpdate: wd(1) },
    P3: { acknowledge: wd(1), resolve: wd(10), progressUpdate: wd(2) },
    P4: { acknowledge: wd(2), resolve: wd(20), progressUpdate: wd(5) },
  },
  escalation: DEFAULT_ESCALATION,
  progressEscalation: [
    { level: 1, at: 0.75, recipient: 'assignee', name: 'reminder' },
    { level: 2, at: 1, recipient: 'service-manager', name: 'missed' },
  ],
  actionEscalation: [
    { level: 1, at: 0.75, recipient: 'responsible', name: 'reminder' },
    { level: 2, at: 1, recipient: 'assignee', name: 'overdue' },
    { level: 3, at: 1.5, recipient: 'service-manager', name: 'escalation' },
  ],
  routing: [
    { match: { category: 'product_quality' }, department: 'quality' },
    { match: { category: 'design' }, department: 'rnd' },
    { match: { category: 'manufacturing' }, department: 'production' },
    { match: { category: 'parts_supply' }, department: 'procurement' },
  ],
};

/** The priority of a complaint under a matrix. */
export const classify = (matrix: ClassificationMatrix, urgency: Level, importance: Level): Priority =>
  matrix[urgency][importance];

/** The most specific current policy for a product line; undefined when none matches. */
export function resolveComplaintPolicy(
  policies: ComplaintPolicy[],
  productLine: string | undefined,
): ComplaintPolicy | undefined {
  const specific = productLine ? policies.find((p) => p.match.productLine === productLine) : undefined;
  return specific ?? policies.find((p) => p.match.productLine === undefined);
}

function validateLadder(path: string, steps: EscalationStep[], needBreach: boolean): string[] {
  const problems: string[] = [];
  const levels = new Set<number>();
  let lastAt = 0;
  for (const [i, s] of steps.entries()) {
    if (levels.has(s.level)) problems.push(`${path}[${i}]: level ${s.level} appears twice`);
    levels.add(s.level);
    if (!(s.at > 0)) problems.push(`${path}[${i}].at must be greater than 0`);
    if (s.at <= lastAt) problems.push(`${path}[${i}].at must be greater than the step before it`);
    lastAt = s.at;
  }
  if (needBreach && !steps.some((s) => s.at === 1)) problems.push(`${path} needs a step at 1 (the deadline)`);
  return problems;
}

/** Problems with a policy in words an administrator can act on; [] when valid. */
export function validateComplaintPolicy(p: Omit<ComplaintPolicy, 'id' | 'version'>): string[] {
  const problems: string[] = [];
  for (const u of LEVELS) {
    for (const i of LEVELS) {
      const cell = p.matrix?.[u]?.[i];
      if (!(PRIORITIES as readonly string[]).includes(cell as string))
        problems.push(`matrix.${u}.${i} must be one of ${PRIORITIES.join(', ')}`);
    }
  }
  for (const prio of PRIORITIES) {
    for (const k of ['acknowledge', 'resolve', 'progressUpdate'] as const) {
      const t = p.targets?.[prio]?.[k];
      if (!t || !(t.amount > 0) || !Number.isFinite(t.amount))
        problems.push(`targets.${prio}.${k}.amount must be a positive number`);
    }
  }
  problems.push(...validateLadder('escalation', p.escalation, true));
  problems.push(...validateLadder('progressEscalation', p.progressEscalation, true));
  problems.push(...validateLadder('actionEscalation', p.actionEscalation, true));
  problems.push(...validateRouting(p.routing));
  return problems;
}

/** What a complaint carries from intake to close: its policy version and the calendar. */
export interface ComplaintPolicySnapshot {
  policy: ComplaintPolicy;
  calendar: BusinessCalendar;
}
