// Pure parts of the live event stream and the dashboard: stream positions (the SSE ids a client
// resumes from), URL redaction in request logs, and how an SLA clock counts down on a card.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../api/log-redaction.js';
import {
  type ClockLike,
  countdown,
  formatDuration,
  formatRate,
  mostUrgent,
  timeOfDay,
} from '../../dashboard/src/time.js';
import { comparePositions, formatPosition, parsePosition } from '../../db/case-event-stream.js';

describe('stream positions', () => {
  it('read back what they print, and order by transaction first, then by row', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.nat(), (tx, id) => {
        const p = { tx: tx.toString(), id };
        expect(parsePosition(formatPosition(p))).toEqual(p);
      }),
    );
    const at = (text: string) => parsePosition(text)!;
    expect(comparePositions(at('9.100'), at('10.1'))).toBeLessThan(0);
    expect(comparePositions(at('10.1'), at('10.2'))).toBeLessThan(0);
    expect(comparePositions(at('10.2'), at('10.2'))).toBe(0);
    // Decimal text, not string order: 9 < 10 although "9" > "10".
    expect(comparePositions(at('100000000000000000.5'), at('99999999999999999.7'))).toBeGreaterThan(0);
  });

  it('refuse what is not one', () => {
    for (const text of [
      '',
      'yesterday',
      '12',
      '1.2.3',
      '-1.2',
      '1.-2',
      '18446744073709551616.0',
      '1.99999999999999999',
      ' 1.2',
    ])
      expect(parsePosition(text), text).toBeUndefined();
    expect(parsePosition('007.1')).toEqual({ tx: '7', id: 1 });
  });
});

describe('request logs', () => {
  it('blank out a stream ticket (and any key) in the URL, keep the rest', () => {
    expect(redactUrl('/api/v1/events/stream?ticket=est_abc&lastEventId=5.1')).toBe(
      '/api/v1/events/stream?ticket=[redacted]&lastEventId=5.1',
    );
    expect(redactUrl('/api/v1/events/stream?lastEventId=5.1&ticket=est_abc')).toBe(
      '/api/v1/events/stream?lastEventId=5.1&ticket=[redacted]',
    );
    expect(redactUrl('/x?api_key=shk_a_b&TICKET=t#frag')).toBe(
      '/x?api_key=[redacted]&TICKET=[redacted]#frag',
    );
    expect(redactUrl('/api/v1/cases?stage=intake')).toBe('/api/v1/cases?stage=intake');
    expect(redactUrl('/api/v1/cases?myticket=1')).toBe('/api/v1/cases?myticket=1');
  });
});

describe('SLA countdowns on the dashboard', () => {
  const now = Date.parse('2026-03-02T08:00:00Z');
  const clock = (over: Partial<ClockLike>): ClockLike => ({
    name: 'response',
    state: 'running',
    breached: false,
    deadline: null,
    remainingMs: 0,
    ...over,
  });

  it('counts down to the deadline, then up past it', () => {
    expect(countdown(clock({ deadline: '2026-03-02T16:30:05+08:00', remainingMs: 1 }), now)).toEqual({
      kind: 'left',
      ms: 30 * 60_000 + 5_000,
    });
    expect(
      countdown(clock({ deadline: '2026-03-02T15:59:00+08:00', state: 'breached', breached: true }), now),
    ).toEqual({
      kind: 'overdue',
      ms: 60_000,
    });
  });

  it('shows a paused clock with the clock time it has left, a stopped one as met or not', () => {
    expect(countdown(clock({ state: 'paused', remainingMs: 5_000 }), now)).toEqual({
      kind: 'paused',
      ms: 5_000,
    });
    expect(countdown(clock({ state: 'paused', breached: true, remainingMs: -7_000 }), now)).toEqual({
      kind: 'overdue',
      ms: 7_000,
    });
    expect(countdown(clock({ state: 'stopped' }), now)).toEqual({ kind: 'stopped', met: true });
    expect(countdown(clock({ state: 'stopped', breached: true }), now)).toEqual({
      kind: 'stopped',
      met: false,
    });
  });

  it('puts the most overdue clock on the card, else the one due first, else a paused one', () => {
    const dueSoon = clock({ name: 'repair', deadline: '2026-03-02T08:10:00Z' });
    const dueLater = clock({ name: 'arrival', deadline: '2026-03-02T09:00:00Z' });
    const paused = clock({ name: 'response', state: 'paused', remainingMs: 1 });
    const overdue = clock({
      name: 'arrival',
      deadline: '2026-03-02T07:00:00Z',
      state: 'breached',
      breached: true,
    });
    const stopped = clock({ name: 'response', state: 'stopped' });
    expect(mostUrgent([dueLater, paused, dueSoon, stopped], now)).toBe(dueSoon);
    expect(mostUrgent([dueLater, overdue, dueSoon], now)).toBe(overdue);
    expect(mostUrgent([stopped, paused], now)).toBe(paused);
    expect(mostUrgent([], now)).toBeUndefined();
  });

  it('writes durations as m:ss, h:mm:ss and days', () => {
    expect(formatDuration(4_000)).toBe('0:04');
    expect(formatDuration(12 * 3_600_000 + 3 * 60_000 + 9_000)).toBe('12:03:09');
    expect(formatDuration(2 * 86_400_000 + 3 * 3_600_000 + 4 * 60_000 + 5_000, '天')).toBe('2天 03:04:05');
    expect(formatDuration(-5)).toBe('0:00');
    expect(formatRate(0.9234)).toBe('92.3%');
    expect(formatRate(null)).toBe('—');
  });

  it('writes the time of day as the browser would for the language, without loading Intl', () => {
    // Every second of a day, checked against toLocaleTimeString of the same instant.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 86_399 }), fc.constantFrom('zh-CN', 'en'), (second, lang) => {
        const d = new Date(2026, 0, 1, 0, 0, second);
        expect(timeOfDay(d, lang)).toBe(d.toLocaleTimeString(lang));
      }),
    );
    expect(timeOfDay(new Date(2026, 0, 1, 9, 5, 3), 'zh-CN')).toBe('09:05:03');
    expect(timeOfDay(new Date(2026, 0, 1, 0, 5, 3), 'en')).toBe('12:05:03 AM');
    expect(timeOfDay(new Date(2026, 0, 1, 12, 0, 0), 'en')).toBe('12:00:00 PM');
  });
});
