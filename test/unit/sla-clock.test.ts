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

  // An overdue clock that stops running and runs again (a wait, a reopen, a shorter target) is overdue by
  // the clock time it had used past its target, so its deadline lies that much clock time before the
  // instant it runs again — not at that instant, which would count its overdue time from zero again.
  it('an overdue clock paused and resumed keeps the deadline it ran past, moved by the paused time', () => {
    const t0 = at('2026-01-05T00:00:00Z');
    const c = startClock(always, 'repair', target, DEFAULT_ESCALATION, t0);
    pauseClock(always, c, 'parts', new Date(t0.getTime() + 12 * H)); // 2 h overdue
    resumeClock(always, c, 'parts', new Date(t0.getTime() + 15 * H));
    expect(Date.parse(c.deadline!) - t0.getTime()).toBe(13 * H);
    const view = viewClock(always, c, new Date(t0.getTime() + 16 * H));
    // Overdue by 3 h of clock time, both as time left and as time since the deadline.
    expect(view.remainingMs).toBe(-3 * H);
    expect(Date.parse(view.deadline!) - (t0.getTime() + 16 * H)).toBe(-3 * H);
    expect(view.state).toBe('breached');
  });

  it('an overdue clock reopened to continue counts on from how far overdue it stopped', () => {
    const t0 = at('2026-01-05T00:00:00Z');
    const c = startClock(always, 'resolve', target, DEFAULT_ESCALATION, t0);
    stopClock(always, c, new Date(t0.getTime() + 11 * H));
    const reopenedAt = t0.getTime() + 30 * H;
    const continued = reopenClock(always, c, new Date(reopenedAt), 'continue');
    expect(Date.parse(continued.deadline!)).toBe(reopenedAt - H);
    expect(viewClock(always, continued, new Date(reopenedAt)).remainingMs).toBe(-H);
  });

  it('a clock written with its deadline at the instant it ran again is shown with the deadline it ran past', () => {
    const t0 = at('2026-01-05T00:00:00Z');
    const c = startClock(always, 'repair', target, DEFAULT_ESCALATION, t0);
    pauseClock(always, c, 'parts', new Date(t0.getTime() + 12 * H));
    resumeClock(always, c, 'parts', new Date(t0.getTime() + 15 * H));
    const written = { ...c, deadline: new Date(t0.getTime() + 15 * H).toISOString() };
    expect(viewClock(always, written, new Date(t0.getTime() + 16 * H)).deadline).toBe(
      '2026-01-05T13:00:00+00:00',
    );
  });

  it('a target cut below the time used puts the deadline in the past by the clock time used past it', () => {
    const t0 = at('2026-01-05T00:00:00Z');
    const c = startClock(always, 'repair', target, DEFAULT_ESCALATION, t0);
    pauseClock(always, c, 'customer', new Date(t0.getTime() + 6 * H));
    resumeClock(always, c, 'customer', new Date(t0.getTime() + 8 * H));
    retargetClock(always, c, { amount: 4, unit: 'hours' });
    // 6 h used of 4 when it ran again: the deadline is 4 h of target plus the 2 h paused.
    expect(Date.parse(c.deadline!) - t0.getTime()).toBe(6 * H);
  });

  it('on working time, an overdue clock resumed the next morning is overdue by the working time it used', () => {
    // Business hours on the China calendar: 09:00–12:00 and 13:00–18:00 on working days.
    const start = at('2026-03-10T09:00:00+08:00'); // a Tuesday
    const c = startClock(cn, 'response', { amount: 4, unit: 'business_hours' }, DEFAULT_ESCALATION, start);
    expect(c.deadline).toBe(at('2026-03-10T14:00:00+08:00').toISOString());
    // Overdue by an hour at 15:00, then waiting for the customer until 10:30 the next day.
    pauseClock(cn, c, 'customer', at('2026-03-10T15:00:00+08:00'));
    resumeClock(cn, c, 'customer', at('2026-03-11T10:30:00+08:00'));
    // An hour of working time before 10:30 on the 11th: 09:30 that morning.
    expect(c.deadline).toBe(at('2026-03-11T09:30:00+08:00').toISOString());
    expect(viewClock(cn, c, at('2026-03-11T10:30:00+08:00')).remainingMs).toBe(-H);
    // Half an hour more, then across a night: 1.5 h overdue when resumed at 09:30 on the 12th → 17:00 on the 11th.
    pauseClock(cn, c, 'parts', at('2026-03-11T11:00:00+08:00'));
    resumeClock(cn, c, 'parts', at('2026-03-12T09:30:00+08:00'));
    expect(c.deadline).toBe(at('2026-03-11T17:00:00+08:00').toISOString());
  });

  /** A 24×7 repair clock of `hours`, run and paused on the customer by turns: (run, pause) per gap. */
  const pausedAndResumed = (hours: number, gaps: [number, number][]) => {
    const t0 = at('2026-01-05T00:00:00Z').getTime();
    const c = startClock(
      always,
      'repair',
      { amount: hours, unit: 'hours' },
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
    return { c, t0, t, paused };
  };

  it('property: on a 24×7 clock the deadline is its target plus all paused time, overdue or not', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 5 * H }), fc.integer({ min: 1, max: 5 * H })), {
          maxLength: 6,
        }),
        fc.integer({ min: 1, max: 10 * H }),
        (gaps, after) => {
          const { c, t0, t, paused } = pausedAndResumed(4, gaps);
          expect(Date.parse(c.deadline!) - t0).toBe(4 * H + paused);
          // Time left (negative once overdue) agrees with the distance to the deadline.
          const view = viewClock(always, c, new Date(t + after));
          expect(view.remainingMs).toBe(Date.parse(view.deadline!) - (t + after));
        },
      ),
    );
  });

  it('property: any pause/resume sequence moves the deadline by exactly the paused running time', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 5 * H }), fc.integer({ min: 1, max: 5 * H })), {
          maxLength: 6,
        }),
        (gaps) => {
          const { c, t0, paused } = pausedAndResumed(100, gaps);
          expect(Date.parse(c.deadline!) - t0).toBe(100 * H + paused);
          expect(c.pausedMs.customer).toBe(paused);
        },
      ),
    );
  });
});
