// SLA policies (docs/process.md, "Quality standards"): a target per clock, chosen by severity, product
// line and customer tier; escalation steps as fractions of each clock; which waits pause which clocks. Pure.
import type { BusinessCalendar, Target } from './calendar.js';
import type { Severity } from './case.js';

export const CLOCKS = ['response', 'arrival', 'repair'] as const;
export type ClockName = (typeof CLOCKS)[number];

export const PAUSE_REASONS = ['customer', 'parts'] as const;
/** customer: waiting on the customer (等待客户); parts: waiting for parts (待料). */
export type PauseReason = (typeof PAUSE_REASONS)[number];

export interface EscalationStep {
  /** 1 = warning, 2 = breach, 3 = escalation to upper management, … */
  level: number;
  /** Fraction of the clock's target at which the step fires: 0.75, 1, 1.5. */
  at: number;
  /** 'assignee' (falls back to the service desk), or a role / person id. */
  recipient: string;
  name: string;
}

export interface SlaTargets {
  /** First response: assign or resolve-at-intake. */
  response: { normal: Target; emergency: Target };
  /** On-site arrival; only emergencies carry this clock. */
  arrival: { emergency: Target };
  /** Repair complete; complexity is known at diagnosis and ordinary until then. */
  repair: { ordinary: Target; complex: Target };
}

export interface SlaPolicy {
  id: string;
  version: number;
  name: string;
  /** Match criteria; undefined matches anything. The most specific active policy wins. */
  match: { severity?: Severity; productLine?: string; customerTier?: string };
  calendarId: string;
  targets: SlaTargets;
  escalation: EscalationStep[];
  /** Which clocks each wait pauses. */
  pauses: Record<PauseReason, ClockName[]>;
  /** On a disputed repair: 'continue' the repair clock where it stopped, or 'restart' it in full. */
  repairOnDispute: 'continue' | 'restart';
}

export const DEFAULT_ESCALATION: EscalationStep[] = [
  { level: 1, at: 0.75, recipient: 'assignee', name: 'warning' },
  { level: 2, at: 1, recipient: 'service-manager', name: 'breach' },
  { level: 3, at: 1.5, recipient: 'upper-management', name: 'escalation' },
];

export const DEFAULT_POLICY: SlaPolicy = {
  id: 'default',
  version: 1,
  name: '默认服务标准',
  match: {},
  calendarId: 'cn',
  targets: {
    response: { normal: { amount: 4, unit: 'business_hours' }, emergency: { amount: 1, unit: 'hours' } },
    arrival: { emergency: { amount: 8, unit: 'hours' } },
    repair: { ordinary: { amount: 3, unit: 'working_days' }, complex: { amount: 7, unit: 'working_days' } },
  },
  escalation: DEFAULT_ESCALATION,
  pauses: { customer: ['response', 'arrival', 'repair'], parts: ['repair'] },
  repairOnDispute: 'continue',
};

export interface PolicySubject {
  severity: Severity;
  productLine?: string;
  customerTier?: string;
}

/** The most specific policy whose every criterion matches; ties go to the earlier policy. */
export function resolvePolicy(policies: SlaPolicy[], subject: PolicySubject): SlaPolicy | undefined {
  let best: SlaPolicy | undefined;
  let bestScore = -1;
  for (const p of policies) {
    const m = p.match;
    if (m.severity !== undefined && m.severity !== subject.severity) continue;
    if (m.productLine !== undefined && m.productLine !== subject.productLine) continue;
    if (m.customerTier !== undefined && m.customerTier !== subject.customerTier) continue;
    // Product line outweighs tier outweighs severity, so a product-specific contract beats a generic rule.
    const score = (m.productLine ? 4 : 0) + (m.customerTier ? 2 : 0) + (m.severity ? 1 : 0);
    if (score > bestScore) {
      best = p;
      bestScore = score;
    }
  }
  return best;
}

/** Problems with a policy in words an administrator can act on; [] when valid. */
export function validatePolicy(p: Omit<SlaPolicy, 'id' | 'version'>): string[] {
  const problems: string[] = [];
  const targets: Array<[string, Target]> = [
    ['targets.response.normal', p.targets.response.normal],
    ['targets.response.emergency', p.targets.response.emergency],
    ['targets.arrival.emergency', p.targets.arrival.emergency],
    ['targets.repair.ordinary', p.targets.repair.ordinary],
    ['targets.repair.complex', p.targets.repair.complex],
  ];
  for (const [path, t] of targets) {
    if (!(t.amount > 0) || !Number.isFinite(t.amount))
      problems.push(`${path}.amount must be a positive number`);
  }
  const levels = new Set<number>();
  let lastAt = 0;
  for (const [i, s] of p.escalation.entries()) {
    if (levels.has(s.level)) problems.push(`escalation[${i}]: level ${s.level} appears twice`);
    levels.add(s.level);
    if (!(s.at > 0)) problems.push(`escalation[${i}].at must be greater than 0`);
    if (s.at <= lastAt) problems.push(`escalation[${i}].at must be greater than the step before it`);
    lastAt = s.at;
  }
  if (!p.escalation.some((s) => s.at === 1)) problems.push('escalation needs a step at 1 (the breach)');
  return problems;
}

/** What a case carries from intake to close: the policy version and the calendar it started under. */
export interface SlaSnapshot {
  policy: SlaPolicy;
  calendar: BusinessCalendar;
}

/** Only the overrides a case can need: from the year before its start to two years after. */
export function trimCalendar(calendar: BusinessCalendar, start: Date): BusinessCalendar {
  const year = start.getUTCFullYear();
  return {
    ...calendar,
    overrides: calendar.overrides.filter((o) => {
      const y = Number(o.date.slice(0, 4));
      return y >= year - 1 && y <= year + 2;
    }),
  };
}
