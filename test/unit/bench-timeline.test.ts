import { describe, expect, it } from 'vitest';
import { BUCKET_MS, buildTimeline, type TimelineSample } from '../../bench/support/timeline.js';

const t0 = 1_000_000;
const sample = (at: number, workerMs: number, busy: number, idle: number, steal = 0): TimelineSample => ({
  cpu: { at, ms: { worker: workerMs } },
  machine: { busy, idle, steal },
});

describe('bench timeline', () => {
  it('puts each step in the bucket of its due instant and takes CPU from the samples at the edges', () => {
    const steps = [
      { dueAt: t0, firedAt: t0 + 50 },
      { dueAt: t0 + 9_999, firedAt: t0 + 10_100 }, // due in the first bucket, fired in the second
      { dueAt: t0 + 10_000, firedAt: t0 + 10_900 },
    ];
    const samples = [
      sample(t0, 0, 0, 0),
      sample(t0 + 10_000, 5_000, 8_000, 11_000, 1_000), // worker 50 % of a core; machine 40 % busy, 5 % stolen
      sample(t0 + 20_000, 5_000, 8_000, 31_000), // idle
    ];
    const [first, second] = buildTimeline(steps, samples, t0);

    expect(first).toMatchObject({ fromMs: 0, due: 2, fired: 1, latenessP50Ms: 50, latenessMaxMs: 101 });
    expect(first.cpuPercent.worker).toBe(50);
    expect(first.machineBusyPercent).toBe(40);
    expect(first.stealPercent).toBe(5);

    expect(second).toMatchObject({ fromMs: BUCKET_MS, due: 1, fired: 2, latenessP99Ms: 900 });
    expect(second.cpuPercent.worker).toBe(0);
    expect(second.machineBusyPercent).toBe(0);
  });

  it('leaves the lateness of a bucket without due steps empty, and needs two samples', () => {
    const samples = [sample(t0, 0, 0, 0), sample(t0 + 10_000, 0, 0, 10_000)];
    expect(buildTimeline([], samples, t0)[0]).toMatchObject({ due: 0, latenessP99Ms: null });
    expect(buildTimeline([], samples.slice(0, 1), t0)).toEqual([]);
  });
});
