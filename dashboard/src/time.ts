// Countdowns of SLA clocks and how times read. Pure (no DOM): test/unit/dashboard-time.test.ts.

export interface ClockLike {
  name: string;
  state: 'running' | 'paused' | 'stopped' | 'breached';
  breached: boolean;
  deadline: string | null;
  /** Clock time left; a list's clock has it only while paused or stopped (a running one has its deadline). */
  remainingMs: number | null;
}

export type Countdown =
  | { kind: 'left'; ms: number }
  | { kind: 'overdue'; ms: number }
  | { kind: 'paused'; ms: number }
  | { kind: 'stopped'; met: boolean };

/**
 * Where a clock stands at `now`. A running clock counts down to its deadline — the instant it runs
 * out, which the calendar has placed already (a business-hours clock's deadline skips nights and
 * holidays) — and past it counts up. A paused clock has no deadline: it shows the clock time it had left.
 */
export function countdown(clock: ClockLike, now: number): Countdown {
  if (clock.state === 'stopped') return { kind: 'stopped', met: !clock.breached };
  if (clock.state === 'paused' || clock.deadline === null) {
    const left = clock.remainingMs ?? 0;
    return clock.breached || left < 0 ? { kind: 'overdue', ms: -left } : { kind: 'paused', ms: left };
  }
  const ms = Date.parse(clock.deadline) - now;
  return ms > 0 ? { kind: 'left', ms } : { kind: 'overdue', ms: -ms };
}

/** The clock a case card shows: the running one due first, else an overdue one, else a paused one. */
export function mostUrgent<C extends ClockLike>(clocks: C[], now: number): C | undefined {
  const rank = (c: C) => {
    const d = countdown(c, now);
    if (d.kind === 'overdue') return [0, -d.ms];
    if (d.kind === 'left') return [1, d.ms];
    if (d.kind === 'paused') return [2, d.ms];
    return [3, 0];
  };
  return [...clocks].sort((a, b) => {
    const [ra, va] = rank(a);
    const [rb, vb] = rank(b);
    return ra - rb || va - vb;
  })[0];
}

/** 0:04, 12:03:09, 2d 03:04:05 — days spelled per language. */
export function formatDuration(ms: number, dayUnit = 'd'): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = h > 0 || days > 0 ? `${days > 0 ? pad(h) : h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
  return days > 0 ? `${days}${dayUnit} ${clock}` : clock;
}

/** A rate 0..1 as a percentage with one decimal; null (nothing to count) as a dash. */
export const formatRate = (rate: number | null | undefined) =>
  rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`;

/**
 * The time of day as toLocaleTimeString(lang) writes it (zh-CN 09:05:03, en 9:05:03 AM), without Intl:
 * the first Intl call loads the locale's data, ~50–170 ms of a board's first load for twenty feed lines.
 */
export function timeOfDay(d: Date, lang: string): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const h = d.getHours();
  const rest = `${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return lang === 'en' ? `${h % 12 || 12}:${rest} ${h < 12 ? 'AM' : 'PM'}` : `${pad(h)}:${rest}`;
}
