// SLA clock rules without Temporal: deadlines, step instants, pauses, stops, reopen and retarget.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BusinessCalendar } from '../../domain/calendar.js';
import { chinaCalendar } from '../../domain/calendar-china.js';
import {
  dueSteps,
  fireStep,
  nextDue,
  pauseClock,
  reopenClock,
  resumeClock,
  retargetClock,
  startCaseClocks,
  startClock,
  stopClock,
  viewClock,
} from '../../domain/sla-clock.js';
import { DEFAULT_ESCALATION, DEFAULT_POLICY } from '../../domain/sla-policy.js';

const cn = chinaCalendar();
const allDay = [{ start: '00:00', end: '24:00' }];
const always: BusinessCalendar = {
  id: 'always',
  name: 'always',
  timeZone: 'UTC',
  weekly: Array.from({ length: 7 }, () => allDay),
  workdayPeriods: allDay,
  overrides: [],
  coveredYears: [],
};
const at = (iso: string) => new Date(iso);
const H = 3_600_000;

describe('default policy on the China calendar', () => {
  it('a normal case reported on the eve of National Day 2025 gets business-hour and working-day deadlines', () => {
    const reported = at('2025-09-30T16:00:00+08:00');
    const clocks = startCaseClocks({ policy: DEFAULT_POLICY, calendar: cn }, 'normal', reported);
    expect(Object.keys(clocks)).toEqual(['response', 'repair']);
    // 2 business hours left on Sep 30, then Oct 1–8 are holidays; Oct 9 from 09:00 + 2 h.
    expect(viewClock(cn, clocks.response!, reported).deadline).toBe('2025-10-09T11:00:00+08:00');
    // 3 working days after Sep 30: Oct 9, Oct 10, Oct 11 (make-up Saturday) → 18:00 Oct 11.
    expect(viewClock(cn, clocks.repair!, reported).deadline).toBe('2025-10-11T18:00:00+08:00');
    // The 75 % warning of the response clock: 3 of 4 business hours → Oct 9 10:00.
    expect(viewClock(cn, clocks.response!, reported).steps[0].dueAt).toBe('2025-10-09T10:00:00+08:00');
  });

  it('an emergency gets a 24×7 one-hour response and an eight-hour arrival clock', () => {
    const reported = at('2026-02-16T23:30:00+08:00'); // Spring Festival eve 2026
    const clocks = startCaseClocks({ policy: DEFAULT_POLICY, calendar: cn }, 'emergency', reported);
    expect(viewClock(cn, clocks.response!, reported).deadline).toBe('2026-02-17T00:30:00+08:00');
    expect(viewClock(cn, clocks.arrival!, reported).deadline).toBe('2026-02-17T07:30:00+08:00');
    expect(viewClock(cn, clocks.arrival!, reported).steps.map((s) => s.dueAt)).toEqual([
      '2026-02-17T05:30:00+08:00',
      '2026-02-17T07:30:00+08:00',
      '2026-02-17T11:30:00+08:00',
    ]);
  });

  it('a complex diagnosis retargets the repair clock to 7 working days across the Spring Festival', () => {
    const reported = at('2026-02-12T10:00:00+08:00');
    const clock = startClock(
      cn,
      'repair',
      DEFAULT_POLICY.targets.repair.ordinary,
      DEFAULT_ESCALATION,
      reported,
    );
    retargetClock(cn, clock, DEFAULT_POLICY.targets.repair.complex);
    // Working days after Feb 12: 13, 14 (make-up Saturday), then Feb 15–23 off, then 24, 25, 26, 27
    // and 28 (make-up Saturday) — the 7th.
    expect(viewClock(cn, clock, reported).deadline).toBe('2026-02-28T18:00:00+08:00');
  });
});

describe('pauses, stops and reopen', () => {
  const target = { amount: 10, unit: 'hours' as const };

  it('a pause moves every unfired step by the paused time', () => {
    const t0 = at('2026-01-05T00:00:00Z');
    const c = startClock(always, 'repair', target, DEFAULT_ESCALATION, t0);
    pauseClock(always, c, 'parts', new Date(t0.getTime() + 2 * H));
    expect(c.deadline).toBeUndefined();
    expect(nextDue([c])).toBeUndefined();
    resumeClock(always, c, 'parts', new Date(t0.getTime() + 5 * H));
    expect(c.steps.map((s) => Date.parse(s.dueAt!) - t0.getTime())).toEqual([10.5 * H, 13 * H, 18 * H]);
    expect(c.pausedMs.parts).toBe(3 * H);
  });

  it('two overlapping waits keep the clock paused until both end, each reported', () => {
    const t0 = at('2026-01-05T00:00:00Z');
    const c = startClock(always, 'repair', target, DEFAULT_ESCALATION, t0);
    pauseClock(always, c, 'parts', new Date(t0.getTime() + 1 * H));
    pauseClock(always, c, 'customer', new Date(t0.getTime() + 2 * H));
    resumeClock(always, c, 'parts', new Date(t0.getTime() + 3 * H));
    expect(c.status).toBe('paused');
    resumeClock(always, c, 'customer', new Date(t0.getTime() + 4 * H));
    expect(c.status).toBe('running');
    expect(c.pausedMs).toEqual({ parts: 2 * H, customer: 2 * H });
    expect(Date.parse(c.deadline!) - t0.getTime()).toBe(13 * H);
  });

  it('a stopped clock has nothing due; continue resumes where it stopped, restart begins a new cycle', () => {
    const t0 = at('2026-01-05T00:00:00Z');
    const c = startClock(always, 'repair', target, DEFAULT_ESCALATION, t0);
    fireStep(c, c.steps[0], new Date(t0.getTime() + 7.5 * H));
    stopClock(always, c, new Date(t0.getTime() + 8 * H));
    expect(dueSteps(c, new Date(t0.getTime() + 100 * H))).toEqual([]);
    expect(nextDue([c])).toBeUndefined();

    const continued = reopenClock(always, structuredClone(c), new Date(t0.getTime() + 20 * H), 'continue');
    expect(continued.cycle).toBe(0);
    expect(continued.steps[0].firedAt).toBeTruthy();
    expect(Date.parse(continued.deadline!) - t0.getTime()).toBe(22 * H);

    const restarted = reopenClock(always, structuredClone(c), new Date(t0.getTime() + 20 * H), 'restart');
    expect(restarted.cycle).toBe(1);
    expect(restarted.steps.every((s) => !s.firedAt)).toBe(true);
    expect(Date.parse(restarted.deadline!) - t0.getTime()).toBe(30 * H);
  });

  it('firing the 100 % step marks the clock breached; the view says so until it stops', () => {
    const t0 = at('2026-01-05T00:00:00Z');
    const c = startClock(always, 'response', target, DEFAULT_ESCALATION, t0);
    const now = new Date(t0.getTime() + 10 * H);
    const due = dueSteps(c, now);
    expect(due.map((s) => s.level)).toEqual([1, 2]);
    for (const s of due) fireStep(c, s, now);
    expect(c.breached).toBe(true);
    expect(viewClock(always, c, now).state).toBe('breached');
    stopClock(always, c, new Date(now.getTime() + H));
    const view = viewClock(always, c, new Date(now.getTime() + 5 * H));
    expect(view).toMatchObject({ state: 'stopped', breached: true, elapsedMs: 11 * H, remainingMs: -H });
  });

  it('property: any pause/resume sequence moves the deadline by exactly the paused running time', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 5 * H }), fc.integer({ min: 1, max: 5 * H })), {
          maxLength: 6,
        }),
        (gaps) => {
          const t0 = at('2026-01-05T00:00:00Z').getTime();
          const c = startClock(
            always,
            'repair',
            { amount: 100, unit: 'hours' },
            DEFAULT_ESCALATION,
            new Date(t0),
          );
          let t = t0;
          let paused = 0;
          for (const [run, pause] of gaps) {
            t += run;
            pauseClock(always, c, 'customer', new Date(t));
            t += pause;
            paused += pause;
            resumeClock(always, c, 'customer', new Date(t));
          }
          expect(Date.parse(c.deadline!) - t0).toBe(100 * H + paused);
          expect(c.pausedMs.customer).toBe(paused);
        },
      ),
    );
  });
});
