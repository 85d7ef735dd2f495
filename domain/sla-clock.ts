// SLA clocks (docs/process.md, "Quality standards"). A clock measures time in its unit — wall time for "hours",
// working time of the business calendar otherwise — and knows the instant of each escalation step.
// Pauses do not consume clock time, so every step not yet fired moves by the paused time.
// Pure and deterministic: the case workflow keeps its clocks with these functions.
import {
  addBusinessMs,
  addWorkingDays,
  type BusinessCalendar,
  businessMsBetween,
  elapsedFor,
  subtractBusinessMs,
  type Target,
  toOffsetIso,
} from './calendar.js';
import type { Severity } from './case.js';
import type { ClockName, EscalationStep, PauseReason, SlaSnapshot } from './sla-policy.js';

const HOUR_MS = 3_600_000;

export interface ClockStep extends EscalationStep {
  /** When the step falls due; absent while the clock is paused or stopped. */
  dueAt?: string;
  firedAt?: string;
}

/** A clock; complaints and quality issues name their own clocks (N), cases use ClockName. */
export interface Clock<N extends string = ClockName> {
  name: N;
  target: Target;
  /** The target in clock time (ms). */
  totalMs: number;
  /** Clock time consumed before `runningSince` (or in all, when not running). */
  consumedMs: number;
  /** Closed stretches of running time, so consumed time can be re-measured if the unit changes. */
  segments: Array<{ from: string; to: string }>;
  status: 'running' | 'paused' | 'stopped';
  startedAt: string;
  runningSince?: string;
  /** Reasons the clock is paused for now, each with when that wait began. */
  pausedFor: Partial<Record<PauseReason, string>>;
  /** Wall time spent paused, per reason. */
  pausedMs: Record<PauseReason, number>;
  stoppedAt?: string;
  breached: boolean;
  /** When the clock is due (100 %); absent while paused or stopped. */
  deadline?: string;
  steps: ClockStep[];
  /** Restarts of the clock (a disputed repair restarting under the policy); escalations are unique per cycle. */
  cycle: number;
}

/** Clock time of a target measured from `start`. */
function targetMs(cal: BusinessCalendar, target: Target, start: Date): number {
  if (target.unit === 'working_days')
    return businessMsBetween(cal, start, addWorkingDays(cal, start, target.amount));
  return Math.round(target.amount * HOUR_MS);
}

/** The instant `ms` of clock time after `from`. */
function advance(cal: BusinessCalendar, target: Target, from: Date, ms: number): Date {
  if (ms <= 0) return from;
  return target.unit === 'hours' ? new Date(from.getTime() + ms) : addBusinessMs(cal, from, ms);
}

/**
 * Where a running clock runs out. One that ran past its target before it ran again (after a wait, a
 * reopen, a shorter target) has its deadline that much clock time before `since`: its overdue time goes
 * on from what it was, as time left would have (advance would place it at `since`, overdue by nothing).
 */
export function deadlineOf(cal: BusinessCalendar, clock: Clock<string>): string | undefined {
  if (clock.status !== 'running' || !clock.runningSince) return undefined;
  const since = new Date(clock.runningSince);
  const left = clock.totalMs - clock.consumedMs;
  if (left >= 0) return advance(cal, clock.target, since, left).toISOString();
  const at =
    clock.target.unit === 'hours' ? new Date(since.getTime() + left) : subtractBusinessMs(cal, since, -left);
  return at.toISOString();
}

function schedule(cal: BusinessCalendar, clock: Clock<string>): void {
  if (clock.status !== 'running' || !clock.runningSince) {
    clock.deadline = undefined;
    for (const s of clock.steps) s.dueAt = undefined;
    return;
  }
  const since = new Date(clock.runningSince);
  // A step not fired whose fraction is already used falls due when the clock runs again (`since`): its
  // timer goes off then, and its escalation record says so.
  const at = (fraction: number) =>
    advance(cal, clock.target, since, fraction * clock.totalMs - clock.consumedMs).toISOString();
  clock.deadline = deadlineOf(cal, clock);
  for (const s of clock.steps) s.dueAt = s.firedAt ? s.dueAt : at(s.at);
}

function closeSegment(cal: BusinessCalendar, clock: Clock<string>, at: Date): void {
  const from = clock.runningSince!;
  clock.segments.push({ from, to: at.toISOString() });
  clock.consumedMs += elapsedFor(cal, clock.target.unit, new Date(from), at);
  clock.runningSince = undefined;
}

export function startClock<N extends string = ClockName>(
  cal: BusinessCalendar,
  name: N,
  target: Target,
  steps: EscalationStep[],
  at: Date,
  cycle = 0,
): Clock<N> {
  const clock: Clock<N> = {
    name,
    target,
    totalMs: targetMs(cal, target, at),
    consumedMs: 0,
    segments: [],
    status: 'running',
    startedAt: at.toISOString(),
    runningSince: at.toISOString(),
    pausedFor: {},
    pausedMs: { customer: 0, parts: 0 },
    breached: false,
    steps: steps.map((s) => ({ ...s })),
    cycle,
  };
  schedule(cal, clock);
  return clock;
}

export function pauseClock(cal: BusinessCalendar, clock: Clock<string>, reason: PauseReason, at: Date): void {
  if (clock.status === 'stopped' || clock.pausedFor[reason]) return;
  if (clock.status === 'running') {
    closeSegment(cal, clock, at);
    clock.status = 'paused';
  }
  clock.pausedFor[reason] = at.toISOString();
  schedule(cal, clock);
}

export function resumeClock(
  cal: BusinessCalendar,
  clock: Clock<string>,
  reason: PauseReason,
  at: Date,
): void {
  const since = clock.pausedFor[reason];
  if (!since) return;
  clock.pausedMs[reason] += Math.max(0, at.getTime() - Date.parse(since));
  delete clock.pausedFor[reason];
  if (clock.status === 'paused' && Object.keys(clock.pausedFor).length === 0) {
    clock.status = 'running';
    clock.runningSince = at.toISOString();
  }
  schedule(cal, clock);
}

export function stopClock(cal: BusinessCalendar, clock: Clock<string>, at: Date): void {
  if (clock.status === 'stopped') return;
  if (clock.status === 'running') closeSegment(cal, clock, at);
  for (const reason of Object.keys(clock.pausedFor) as PauseReason[]) {
    clock.pausedMs[reason] += Math.max(0, at.getTime() - Date.parse(clock.pausedFor[reason]!));
  }
  clock.pausedFor = {};
  clock.runningSince = undefined;
  clock.status = 'stopped';
  clock.stoppedAt = at.toISOString();
  schedule(cal, clock);
}

/** Runs a stopped clock again: where it stopped ('continue') or from zero in a new cycle ('restart'). */
export function reopenClock<N extends string = ClockName>(
  cal: BusinessCalendar,
  clock: Clock<N>,
  at: Date,
  mode: 'continue' | 'restart',
): Clock<N> {
  if (clock.status !== 'stopped') return clock;
  if (mode === 'restart') {
    const steps = clock.steps.map(({ dueAt: _d, firedAt: _f, ...s }) => s);
    return startClock(cal, clock.name, clock.target, steps, at, clock.cycle + 1);
  }
  clock.status = 'running';
  clock.runningSince = at.toISOString();
  clock.stoppedAt = undefined;
  schedule(cal, clock);
  return clock;
}

/** Changes the target (a repair found complex at diagnosis); steps not yet fired move accordingly. */
export function retargetClock(cal: BusinessCalendar, clock: Clock<string>, target: Target): void {
  if (clock.target.amount === target.amount && clock.target.unit === target.unit) return;
  if (target.unit !== clock.target.unit) {
    clock.consumedMs = clock.segments.reduce(
      (sum, seg) => sum + elapsedFor(cal, target.unit, new Date(seg.from), new Date(seg.to)),
      0,
    );
  }
  clock.target = target;
  clock.totalMs = targetMs(cal, target, new Date(clock.startedAt));
  schedule(cal, clock);
}

/** The earliest instant at which some step of these clocks falls due. */
export function nextDue(clocks: Iterable<Clock<string>>): string | undefined {
  let next: string | undefined;
  for (const c of clocks) {
    if (c.status !== 'running') continue;
    for (const s of c.steps) {
      if (!s.firedAt && s.dueAt && (next === undefined || s.dueAt < next)) next = s.dueAt;
    }
  }
  return next;
}

/** Steps due at `now`, in order; marking them fired is the caller's, through fireStep. */
export function dueSteps(clock: Clock<string>, now: Date): ClockStep[] {
  if (clock.status !== 'running') return [];
  const iso = now.toISOString();
  return clock.steps.filter((s) => !s.firedAt && s.dueAt && s.dueAt <= iso).sort((a, b) => a.at - b.at);
}

export function fireStep(clock: Clock<string>, step: ClockStep, at: Date): void {
  step.firedAt = at.toISOString();
  if (step.at >= 1) clock.breached = true;
}

export type ClockDisplayState = 'running' | 'paused' | 'stopped' | 'breached';

export interface ClockView<N extends string = ClockName> {
  name: N;
  target: Target;
  state: ClockDisplayState;
  breached: boolean;
  startedAt: string;
  deadline: string | null;
  stoppedAt: string | null;
  /** Clock time used and left, in ms of the clock's unit (business time unless the unit is hours). */
  elapsedMs: number;
  remainingMs: number;
  pausedMs: Record<PauseReason, number>;
  pausedFor: PauseReason[];
  cycle: number;
  steps: Array<{
    level: number;
    name: string;
    at: number;
    recipient: string;
    dueAt: string | null;
    firedAt: string | null;
  }>;
}

/** How a clock looks at `now`, with instants in the calendar's time zone. */
export function viewClock<N extends string = ClockName>(
  cal: BusinessCalendar,
  clock: Clock<N>,
  now: Date,
): ClockView<N> {
  const tz = cal.timeZone;
  const offset = (iso?: string) => (iso ? toOffsetIso(tz, new Date(iso)) : null);
  const running =
    clock.status === 'running' ? elapsedFor(cal, clock.target.unit, new Date(clock.runningSince!), now) : 0;
  const elapsedMs = clock.consumedMs + Math.max(0, running);
  const pausedMs = { ...clock.pausedMs };
  for (const reason of Object.keys(clock.pausedFor) as PauseReason[]) {
    pausedMs[reason] += Math.max(0, now.getTime() - Date.parse(clock.pausedFor[reason]!));
  }
  // A state written before deadlineOf placed an overdue clock's deadline where it ran again: placed anew.
  const deadline =
    clock.status === 'running' && clock.consumedMs > clock.totalMs ? deadlineOf(cal, clock) : clock.deadline;
  const overdue =
    clock.status === 'running' && deadline !== undefined && Date.parse(deadline) <= now.getTime();
  return {
    name: clock.name,
    target: clock.target,
    state: clock.status === 'stopped' ? 'stopped' : clock.breached || overdue ? 'breached' : clock.status,
    breached: clock.breached || overdue,
    startedAt: offset(clock.startedAt)!,
    deadline: offset(deadline),
    stoppedAt: offset(clock.stoppedAt),
    elapsedMs,
    remainingMs: clock.totalMs - elapsedMs,
    pausedMs,
    pausedFor: Object.keys(clock.pausedFor) as PauseReason[],
    cycle: clock.cycle,
    steps: clock.steps.map((s) => ({
      level: s.level,
      name: s.name,
      at: s.at,
      recipient: s.recipient,
      dueAt: offset(s.dueAt),
      firedAt: offset(s.firedAt),
    })),
  };
}

/** The clocks a case starts with: response and repair, and on-site arrival for emergencies. */
export function startCaseClocks(
  sla: SlaSnapshot,
  severity: Severity,
  reportedAt: Date,
): Partial<Record<ClockName, Clock>> {
  const { policy, calendar } = sla;
  const { targets, escalation } = policy;
  return {
    response: startClock(calendar, 'response', targets.response[severity], escalation, reportedAt),
    ...(severity === 'emergency'
      ? { arrival: startClock(calendar, 'arrival', targets.arrival.emergency, escalation, reportedAt) }
      : {}),
    repair: startClock(calendar, 'repair', targets.repair.ordinary, escalation, reportedAt),
  };
}
