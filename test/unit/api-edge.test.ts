// Pure rules of the API edge: which text may be stored, the failed-authentication throttle, instants
// before a case began, durations as the answers name them.
import { describe, expect, it } from 'vitest';
import { FailureThrottle } from '../../api/auth/failure-throttle.js';
import { findBadText, textFault } from '../../api/plugins/input-text.js';
import { instantMisfit } from '../../domain/case.js';
import { formatDuration } from '../../domain/duration.js';

describe('text that may be stored', () => {
  it('refuses NUL, C0 controls but tab / LF / CR, and lone surrogates; takes the rest', () => {
    for (let c = 0; c < 32; c++) {
      const s = `a${String.fromCharCode(c)}b`;
      if (c === 9 || c === 10 || c === 13) expect(textFault(s), `U+${c}`).toBeUndefined();
      else expect(textFault(s), `U+${c}`).toMatch(/control character/);
    }
    expect(textFault('\u0000')).toMatch(/U\+0000 \(NUL\)/);
    for (const s of ['\ud800', 'x\udbff', '\udc00y', '\udfff\ud800', 'a\ud83d'])
      expect(textFault(s), JSON.stringify(s)).toMatch(/lone UTF-16 surrogate/);
    for (const s of ['', '张伟', '😀', 'a\u007fb', '\u0085', '\ufffd', 'line\r\nnext\ttab'])
      expect(textFault(s), JSON.stringify(s)).toBeUndefined();
  });

  it('finds the first bad string or property name and names its field', () => {
    expect(findBadText({ a: 'ok', b: { c: ['x', 'y\u0000'] } })?.field).toBe('b.c[1]');
    expect(findBadText({ parts: [{ partNumber: '\ud800' }] })?.field).toBe('parts[0].partNumber');
    const key = findBadText({ ok: 1, 'x\u0001': 'v' });
    expect(key?.field).toBe('["x\\u0001"]');
    expect(key?.fault).toMatch(/property name/);
    expect(findBadText({ a: [1, true, null, { b: 'fine' }] })).toBeUndefined();
    expect(findBadText('\u0000')?.field).toBe('(the whole value)');
  });

  it('walks deeply nested values without overflowing the stack', () => {
    let deep: unknown = 'bottom\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(findBadText(deep)?.fault).toMatch(/NUL/);
  });
});

describe('failed-authentication throttle', () => {
  it('refuses an address after `limit` failures until its window ends; other addresses are free', () => {
    const t = new FailureThrottle({ limit: 3, windowMs: 60_000 });
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) {
      expect(t.retryAfterMs('a', t0 + i)).toBe(0);
      t.recordFailure('a', t0 + i);
    }
    expect(t.retryAfterMs('a', t0 + 10)).toBe(60_000 - 10);
    expect(t.retryAfterMs('b', t0 + 10)).toBe(0);
    expect(t.retryAfterMs('a', t0 + 60_000)).toBe(0);
    t.recordFailure('a', t0 + 60_001);
    expect(t.retryAfterMs('a', t0 + 60_002)).toBe(0);
  });
});

describe('instants of a step', () => {
  const c = { reportedAt: '2026-11-30T08:00:00.000Z', createdAt: '2026-11-30T09:00:00.000Z' };
  const now = Date.parse('2026-11-30T12:00:00.000Z');
  it('may not lie before the case began (the earlier of reported and opened) nor in the future', () => {
    expect(instantMisfit('contact time', undefined, c, now)).toBeUndefined();
    expect(instantMisfit('contact time', '2026-11-30T08:30:00Z', c, now)).toBeUndefined();
    expect(instantMisfit('contact time', '2026-11-30T07:59:59Z', c, now)).toMatch(/before the case began/);
    expect(instantMisfit('check-in time', '1970-01-01T00:00:00Z', c, now)).toMatch(/^check-in time/);
    expect(instantMisfit('contact time', '2026-11-30T12:05:00Z', c, now)).toMatch(/in the future/);
  });
});

describe('durations as answers name them', () => {
  it('uses the largest whole unit', () => {
    expect(formatDuration(30 * 86_400_000)).toBe('30d');
    expect(formatDuration(36 * 3_600_000)).toBe('36h');
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(1_500)).toBe('1500ms');
  });
});
