// The state patches the case workflow sends the read model: applied in order they rebuild the state
// exactly, and each carries only what changed.
import { describe, expect, it } from 'vitest';
import { applyStatePatch, type Projected, statePatch } from '../../domain/case-projection.js';

describe('state patches', () => {
  it('the first write, and one after a failure, carries the whole state', () => {
    const { patch } = statePatch(undefined, { a: 1, list: [1] });
    expect(patch).toEqual({ replace: true, set: { a: 1, list: [1] } });
  });

  it('sends changed values, appended items and removed keys only', () => {
    const first = statePatch(undefined, {
      stage: 'intake',
      contacts: [{ n: 1 }],
      schedule: { at: 'x' },
      seq: 1,
    });
    const { patch } = statePatch(first.projected, {
      stage: 'assigned',
      contacts: [{ n: 1 }, { n: 2 }],
      seq: 2,
    });
    expect(patch).toEqual({
      set: { stage: 'assigned', seq: 2 },
      append: { contacts: [{ n: 2 }] },
      unset: ['schedule'],
    });
  });

  it('an array changed other than at its end is sent whole; nothing changed sends nothing', () => {
    const first = statePatch(undefined, { list: [1, 2, 3] });
    expect(statePatch(first.projected, { list: [1, 9, 3, 4] }).patch).toEqual({
      set: { list: [1, 9, 3, 4] },
    });
    expect(statePatch(first.projected, { list: [1, 2] }).patch).toEqual({ set: { list: [1, 2] } });
    expect(statePatch(first.projected, { list: [1, 2, 3] }).patch).toEqual({});
  });

  it('applied in order, the patches of a long run rebuild every intermediate state', () => {
    const state: Record<string, unknown> = { seq: 1, contacts: [], disputes: 0 };
    let projected: Projected;
    let db: Record<string, unknown> | null = null;
    for (let i = 1; i <= 60; i++) {
      state.seq = i;
      (state.contacts as unknown[]).push({ i, text: `联系 ${i}` });
      if (i % 3 === 0) state.disputes = (state.disputes as number) + 1;
      if (i % 7 === 0) state.schedule = { at: `t${i}` };
      if (i % 7 === 3) delete state.schedule;
      if (i % 11 === 0) (state.contacts as { i: number }[])[0].i = -i; // an item changed in place
      const next = statePatch(projected, state);
      projected = next.projected;
      db = applyStatePatch(db, next.patch);
      expect(db).toEqual(JSON.parse(JSON.stringify(state)));
    }
  });
});
