import { describe, expect, it } from 'vitest';
import type { BusinessCalendar } from '../../domain/calendar.js';
import {
  DEFAULT_POLICY,
  type PolicySubject,
  resolvePolicy,
  type SlaPolicy,
  trimCalendar,
  validatePolicy,
} from '../../domain/sla-policy.js';

const policy = (id: string, match: SlaPolicy['match']): SlaPolicy => ({
  ...DEFAULT_POLICY,
  id,
  name: id,
  match,
});

const ids = (policies: SlaPolicy[], subject: PolicySubject) => resolvePolicy(policies, subject)?.id;

describe('resolvePolicy', () => {
  const all = [
    policy('default', {}),
    policy('emergency', { severity: 'emergency' }),
    policy('gold', { customerTier: 'gold' }),
    policy('gold-emergency', { customerTier: 'gold', severity: 'emergency' }),
    policy('pumps', { productLine: 'pumps' }),
    policy('pumps-gold', { productLine: 'pumps', customerTier: 'gold' }),
  ];

  it('returns undefined when nothing matches', () => {
    expect(resolvePolicy([], { severity: 'normal' })).toBeUndefined();
    expect(ids([policy('gold', { customerTier: 'gold' })], { severity: 'normal' })).toBeUndefined();
    expect(
      ids([policy('gold', { customerTier: 'gold' })], { severity: 'normal', customerTier: 'silver' }),
    ).toBe(undefined);
  });

  it('takes the catch-all when no specific policy matches', () => {
    expect(ids(all, { severity: 'normal' })).toBe('default');
    expect(ids(all, { severity: 'normal', productLine: 'fans', customerTier: 'silver' })).toBe('default');
  });

  it('severity beats the catch-all', () => {
    expect(ids(all, { severity: 'emergency' })).toBe('emergency');
  });

  it('customer tier beats severity, and tier with severity beats tier alone', () => {
    const noCombo = all.filter((p) => p.id !== 'gold-emergency');
    expect(ids(noCombo, { severity: 'emergency', customerTier: 'gold' })).toBe('gold');
    expect(ids(all, { severity: 'emergency', customerTier: 'gold' })).toBe('gold-emergency');
    expect(ids(all, { severity: 'normal', customerTier: 'gold' })).toBe('gold');
  });

  it('product line beats customer tier and severity together', () => {
    const noPumpsGold = all.filter((p) => p.id !== 'pumps-gold');
    expect(ids(noPumpsGold, { severity: 'emergency', productLine: 'pumps', customerTier: 'gold' })).toBe(
      'pumps',
    );
    expect(ids(all, { severity: 'emergency', productLine: 'pumps', customerTier: 'gold' })).toBe(
      'pumps-gold',
    );
    expect(ids(all, { severity: 'normal', productLine: 'pumps' })).toBe('pumps');
  });

  it('every criterion of a policy must match', () => {
    expect(ids(all, { severity: 'normal', productLine: 'pumps', customerTier: 'silver' })).toBe('pumps');
    expect(
      ids([policy('gold-emergency', { customerTier: 'gold', severity: 'emergency' })], {
        severity: 'normal',
        customerTier: 'gold',
      }),
    ).toBeUndefined();
  });

  it('does not depend on the order of the list, except for ties, which the earlier policy wins', () => {
    const subject: PolicySubject = { severity: 'emergency', productLine: 'pumps', customerTier: 'gold' };
    expect(ids([...all].reverse(), subject)).toBe('pumps-gold');
    const a = policy('a', { customerTier: 'gold' });
    const b = policy('b', { customerTier: 'gold' });
    expect(ids([a, b], subject)).toBe('a');
    expect(ids([b, a], subject)).toBe('b');
  });
});

describe('validatePolicy', () => {
  const withTarget = (path: 'normal' | 'complex', amount: number) => {
    const p = structuredClone(DEFAULT_POLICY);
    if (path === 'normal') p.targets.response.normal.amount = amount;
    else p.targets.repair.complex.amount = amount;
    return p;
  };

  it('accepts the default policy', () => {
    expect(validatePolicy(DEFAULT_POLICY)).toEqual([]);
  });

  it('names every target whose amount is not a positive finite number', () => {
    expect(validatePolicy(withTarget('normal', 0))).toEqual([
      'targets.response.normal.amount must be a positive number',
    ]);
    expect(validatePolicy(withTarget('complex', -3))).toEqual([
      'targets.repair.complex.amount must be a positive number',
    ]);
    expect(validatePolicy(withTarget('complex', Number.NaN))).toHaveLength(1);
    expect(validatePolicy(withTarget('complex', Number.POSITIVE_INFINITY))).toHaveLength(1);
    expect(validatePolicy(withTarget('complex', 0.5))).toEqual([]);
    const both = withTarget('normal', -1);
    both.targets.arrival.emergency.amount = 0;
    expect(validatePolicy(both)).toEqual([
      'targets.response.normal.amount must be a positive number',
      'targets.arrival.emergency.amount must be a positive number',
    ]);
  });

  it('requires escalation steps in increasing order, unique levels and a breach step at 1', () => {
    const steps = (...s: Array<[number, number]>) => ({
      ...DEFAULT_POLICY,
      escalation: s.map(([level, at]) => ({ level, at, recipient: 'assignee', name: `l${level}` })),
    });
    expect(validatePolicy(steps([1, 1]))).toEqual([]);
    expect(validatePolicy(steps([1, 0.5], [2, 1], [3, 2], [4, 3]))).toEqual([]);
    expect(validatePolicy(steps([1, 0.75]))).toEqual(['escalation needs a step at 1 (the breach)']);
    expect(validatePolicy(steps())).toEqual(['escalation needs a step at 1 (the breach)']);
    expect(validatePolicy(steps([1, 1], [1, 1.5]))).toEqual(['escalation[1]: level 1 appears twice']);
    expect(validatePolicy(steps([1, 1], [2, 0.75]))).toEqual([
      'escalation[1].at must be greater than the step before it',
    ]);
    expect(validatePolicy(steps([1, 0], [2, 1]))).toEqual([
      'escalation[0].at must be greater than 0',
      'escalation[0].at must be greater than the step before it',
    ]);
  });
});

describe('trimCalendar', () => {
  it('keeps the overrides of the year before the start to two years after, and nothing else', () => {
    const cal: BusinessCalendar = {
      id: 't',
      name: 't',
      timeZone: 'UTC',
      weekly: [[], [], [], [], [], [], []],
      workdayPeriods: [],
      overrides: [2022, 2023, 2024, 2025, 2026, 2027].map((y) => ({
        date: `${y}-05-01`,
        kind: 'holiday' as const,
      })),
      coveredYears: [2022, 2023, 2024, 2025, 2026, 2027],
    };
    const trimmed = trimCalendar(cal, new Date('2024-07-01T00:00:00Z'));
    expect(trimmed.overrides.map((o) => o.date)).toEqual([
      '2023-05-01',
      '2024-05-01',
      '2025-05-01',
      '2026-05-01',
    ]);
    expect(trimmed.coveredYears).toEqual(cal.coveredYears);
    expect(cal.overrides).toHaveLength(6);
  });
});
