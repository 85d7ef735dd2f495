import { describe, expect, it } from 'vitest';
import {
  complaintEscalationKind,
  escalationSubject,
  firedStepEventType,
  firedStepKind,
  firedStepTransition,
  qualityEscalationKind,
} from '../../domain/escalation-step.js';
import { DEFAULT_ESCALATION } from '../../domain/sla-policy.js';

describe('a fired escalation step', () => {
  it('is classified by where it sits on the clock, not by its name or level', () => {
    expect(DEFAULT_ESCALATION.map(firedStepKind)).toEqual(['warning', 'breached', 'escalated']);
    const custom = [
      { level: 1, at: 0.5, name: '提醒' },
      { level: 2, at: 0.9, name: '再次提醒' },
      { level: 3, at: 1, name: '超时' },
      { level: 4, at: 2, name: '上报总经理' },
    ];
    expect(custom.map(firedStepKind)).toEqual(['warning', 'warning', 'breached', 'escalated']);
    // A ladder without a warning: its first step is the breach.
    expect(firedStepKind({ level: 1, at: 1 })).toBe('breached');
    expect(firedStepTransition({ level: 3, at: 1 })).toBe('sla_breached');
    expect(firedStepEventType({ level: 3, at: 1 })).toBe('sla.breached');
  });

  it('falls back to the default ladder’s levels for records that carry no fraction', () => {
    expect([1, 2, 3].map((level) => firedStepKind({ level }))).toEqual(['warning', 'breached', 'escalated']);
  });
});

describe('escalation notifications', () => {
  it('tell cases, complaints and quality issues apart from plain notifications by their kind', () => {
    expect(escalationSubject('sla.breached')).toBe('case');
    expect(complaintEscalationKind('action:A2', 'overdue')).toBe('complaint.action.overdue');
    expect(escalationSubject(complaintEscalationKind('progress', 'missed'))).toBe('complaint');
    expect(escalationSubject(qualityEscalationKind('breach'))).toBe('quality');
    for (const plain of [
      'complaint.p1',
      'complaint.action_assigned',
      'quality.stage',
      'quality.closed',
      'case.assigned',
    ])
      expect(escalationSubject(plain)).toBeUndefined();
  });
});
