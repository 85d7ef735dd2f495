// The complaint classification matrix, routing rules, step fit and the failure-cluster rule.
import { describe, expect, it } from 'vitest';
import {
  type ComplaintState,
  complaintStepMisfit,
  complaintStepRule,
} from '../../domain/complaints/complaint.js';
import {
  classify,
  DEFAULT_COMPLAINT_POLICY,
  DEFAULT_MATRIX,
  LEVELS,
  resolveComplaintPolicy,
  validateComplaintPolicy,
} from '../../domain/complaints/policy.js';
import { routeComplaint } from '../../domain/complaints/routing.js';
import { clusterOf, DEFAULT_CLUSTER_RULE, validateClusterRule } from '../../domain/quality/cluster.js';

describe('classification matrix', () => {
  it('maps urgency × importance to P1–P4 as documented', () => {
    const table = LEVELS.map((u) => LEVELS.map((i) => classify(DEFAULT_MATRIX, u, i)));
    expect(table).toEqual([
      ['P1', 'P2', 'P3'],
      ['P2', 'P3', 'P4'],
      ['P3', 'P4', 'P4'],
    ]);
  });

  it('is data: another matrix gives other priorities', () => {
    const strict = structuredClone(DEFAULT_MATRIX);
    strict.medium.high = 'P1';
    expect(classify(strict, 'medium', 'high')).toBe('P1');
    expect(classify(DEFAULT_MATRIX, 'medium', 'high')).toBe('P2');
  });

  it('the default policy is valid and a broken one says what is wrong', () => {
    expect(validateComplaintPolicy(DEFAULT_COMPLAINT_POLICY)).toEqual([]);
    const broken = structuredClone(DEFAULT_COMPLAINT_POLICY);
    (broken.matrix.low as Record<string, string>).low = 'P9';
    broken.targets.P2.progressUpdate = { amount: 0, unit: 'business_hours' };
    broken.progressEscalation = [{ level: 1, at: 0.5, recipient: 'assignee', name: 'reminder' }];
    broken.routing = [{ match: {}, department: 'sales' as never }];
    expect(validateComplaintPolicy(broken)).toEqual([
      'matrix.low.low must be one of P1, P2, P3, P4',
      'targets.P2.progressUpdate.amount must be a positive number',
      'progressEscalation needs a step at 1 (the deadline)',
      'routing[0].department must be one of after_sales, rnd, production, procurement, quality',
    ]);
  });

  it('default progress-update intervals follow the policy: P1 4 business hours, P2 1, P3 2, P4 5 working days', () => {
    const t = DEFAULT_COMPLAINT_POLICY.targets;
    expect([t.P1, t.P2, t.P3, t.P4].map((x) => x.progressUpdate)).toEqual([
      { amount: 4, unit: 'business_hours' },
      { amount: 1, unit: 'working_days' },
      { amount: 2, unit: 'working_days' },
      { amount: 5, unit: 'working_days' },
    ]);
  });

  it('a product-line policy beats the generic one', () => {
    const generic = { ...DEFAULT_COMPLAINT_POLICY };
    const line = { ...DEFAULT_COMPLAINT_POLICY, id: 'x', match: { productLine: 'HX' } };
    expect(resolveComplaintPolicy([generic, line], 'HX')?.id).toBe('x');
    expect(resolveComplaintPolicy([generic, line], 'other')?.id).toBe('default');
    expect(resolveComplaintPolicy([line], undefined)).toBeUndefined();
  });
});

describe('routing', () => {
  const rules = [
    { match: { category: 'product_quality' as const }, department: 'quality' as const },
    {
      match: { category: 'product_quality' as const, productLine: 'HX' },
      department: 'rnd' as const,
      owner: 'rnd-wang',
    },
    { match: { region: '华南' }, department: 'production' as const },
  ];
  it('takes the most specific matching rule and falls back to after-sales', () => {
    expect(routeComplaint(rules, { category: 'product_quality' })).toEqual({
      department: 'quality',
      rule: 0,
    });
    expect(routeComplaint(rules, { category: 'product_quality', productLine: 'HX' })).toEqual({
      department: 'rnd',
      owner: 'rnd-wang',
      rule: 1,
    });
    expect(routeComplaint(rules, { category: 'service', region: '华南' })).toEqual({
      department: 'production',
      rule: 2,
    });
    expect(routeComplaint(rules, { category: 'billing' })).toEqual({ department: 'after_sales', rule: null });
  });
});

describe('step fit', () => {
  const state = {
    complaintId: 'CP0000001',
    stage: 'investigating',
    classification: { urgency: 'high', importance: 'high', priority: 'P1' },
    department: 'after_sales',
    findings: [],
    actions: [{ id: 'A1', status: 'open' }],
  } as unknown as ComplaintState;
  it('names the step, the stage and where it fits', () => {
    expect(complaintStepMisfit(state, 'acknowledge')).toBe(
      'step "acknowledge" does not fit stage "investigating" of complaint CP0000001 (allowed in: registered)',
    );
    expect(complaintStepMisfit(state, 'answer')).toBeUndefined();
  });
  it('an answer needs a finding and no open action unless waived', () => {
    expect(complaintStepRule(state, 'answer', {})).toMatch(/no investigation finding/);
    const found = { ...state, findings: [{ text: 'x', caseIds: [], at: '', by: '' }] };
    expect(complaintStepRule(found, 'answer', {})).toMatch(/open corrective actions \(A1\)/);
    expect(
      complaintStepRule({ ...found, waiver: { reason: 'r', at: '', by: '' } }, 'answer', {}),
    ).toBeUndefined();
  });
  it('a reclassification must change something', () => {
    expect(complaintStepRule(state, 'reclassify', { urgency: 'high', importance: 'high' })).toMatch(
      /already classified/,
    );
  });
});

describe('failure clusters', () => {
  const at = (d: number) => new Date(Date.UTC(2026, 10, d)).toISOString();
  const f = (caseId: string, day: number, causeCode = 'C-BEARING', model = 'HX-200') => ({
    caseId,
    model,
    causeCode,
    at: at(day),
  });
  it('three cases with the same cause on one model within 30 days form a cluster', () => {
    const latest = f('C3', 30);
    expect(clusterOf(DEFAULT_CLUSTER_RULE, latest, [f('C1', 2), f('C2', 20)])).toEqual(['C1', 'C2', 'C3']);
  });
  it('older failures, other models, other causes and the same case twice do not count', () => {
    const latest = f('C3', 30);
    const others = [
      f('C1', 1, 'C-BEARING'),
      f('C2', 20, 'C-SEAL'),
      f('C4', 20, 'C-BEARING', 'HX-300'),
      f('C3', 25),
    ];
    expect(clusterOf(DEFAULT_CLUSTER_RULE, latest, others)).toBeUndefined();
    expect(clusterOf({ minCases: 2, windowDays: 30 }, latest, [f('C5', 29)])).toEqual(['C3', 'C5']);
  });
  it('validates the rule', () => {
    expect(validateClusterRule(DEFAULT_CLUSTER_RULE)).toEqual([]);
    expect(validateClusterRule({ minCases: 1, windowDays: 0 })).toHaveLength(2);
  });
});
