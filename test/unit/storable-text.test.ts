import { describe, expect, it } from 'vitest';
import {
  hasUnstorableText,
  isStorableText,
  makeStorableInPlace,
  REPLACEMENT,
  storableJson,
  storableText,
} from '../../domain/storable-text.js';

describe('storable text', () => {
  it('replaces NUL and lone surrogates, keeps proper pairs and every other character', () => {
    expect(storableText('a\u0000b')).toBe(`a${REPLACEMENT}b`);
    expect(storableText('\ud800x\udc00')).toBe(`${REPLACEMENT}x${REPLACEMENT}`);
    expect(storableText('末尾\ud83d')).toBe(`末尾${REPLACEMENT}`);
    expect(storableText('😀 维修\t\n')).toBe('😀 维修\t\n');
    expect(isStorableText('😀')).toBe(true);
    expect(isStorableText('\udfff')).toBe(false);
  });

  it('makes a JSON value storable, keys included, and leaves clean values equal', () => {
    const clean = { a: ['x', 1, { b: null }], c: true };
    expect(storableJson(clean)).toEqual(clean);
    expect(storableJson({ 'k\u0000': ['v\ud800'] })).toEqual({ [`k${REPLACEMENT}`]: [`v${REPLACEMENT}`] });
    expect(hasUnstorableText({ a: [{ b: 'ok' }, 'x\u0000'] })).toBe(true);
    expect(hasUnstorableText({ a: [{ b: 'ok' }] })).toBe(false);
  });

  it('cleans in place, keeping the objects and arrays the caller holds', () => {
    const inner = { note: 'n\u0000' };
    const list = ['\ud800', inner];
    const state = { list, inner, 'bad\udc00': 1 };
    makeStorableInPlace(state);
    expect(state.list).toBe(list);
    expect(state.inner).toBe(inner);
    expect(list[0]).toBe(REPLACEMENT);
    expect(inner.note).toBe(`n${REPLACEMENT}`);
    expect(Object.keys(state)).toContain(`bad${REPLACEMENT}`);
    expect(hasUnstorableText(state)).toBe(false);
  });
});
