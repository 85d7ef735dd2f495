// A worker caps how far its heap grows past what is alive (worker.ts, WORKER_HEAP_GROWING_PERCENT): set
// at run time, not on the command line, so this checks that V8 really takes the setting then — the same
// workload, once with V8's own growth and once capped, each in a child process of its own.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseHeapGrowingPercent } from '../../observability/heap-growth.js';

const module = fileURLToPath(new URL('../../observability/heap-growth.ts', import.meta.url));

/** Runs a workload that keeps ~20 MiB alive and promotes garbage; answers its full GCs and largest heap. */
function workload(percent?: number): { major: number; maxHeapMiB: number } {
  const script = `
    import { constants, PerformanceObserver } from 'node:perf_hooks';
    import { limitHeapGrowth } from ${JSON.stringify(module)};
    ${percent ? `limitHeapGrowth(${percent});` : ''}
    let major = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++;
    }).observe({ entryTypes: ['gc'] });
    const alive = Array.from({ length: 300000 }, (_, i) => ({ i, s: 'x' + i }));
    const recent = [];
    let maxHeap = 0;
    for (let round = 0; round < 300; round++) {
      // Batches that live across a few turns, long enough to be promoted, then die.
      recent.push(Array.from({ length: 5000 }, (_, i) => ({ a: i, b: 'y' + i, c: [i] })));
      if (recent.length > 20) recent.shift();
      await new Promise((r) => setImmediate(r));
      maxHeap = Math.max(maxHeap, process.memoryUsage().heapTotal);
    }
    await new Promise((r) => setTimeout(r, 50));
    console.log(JSON.stringify({ major, maxHeapMiB: maxHeap / 2 ** 20, alive: alive.length }));
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}');
}

describe('heap growth', () => {
  it('capped at run time, the same work collects more often and keeps a smaller heap', () => {
    const own = workload();
    const capped = workload(10);
    expect(capped.major).toBeGreaterThanOrEqual(2 * own.major);
    expect(capped.maxHeapMiB).toBeLessThan(0.8 * own.maxHeapMiB);
  });

  it('reads WORKER_HEAP_GROWING_PERCENT: empty or 0 leaves it to V8, 1–300 caps, anything else is refused', () => {
    expect(parseHeapGrowingPercent('')).toBeUndefined();
    expect(parseHeapGrowingPercent('0')).toBeUndefined();
    expect(parseHeapGrowingPercent('20')).toBe(20);
    expect(parseHeapGrowingPercent('300')).toBe(300);
    for (const bad of ['-5', '301', '12.5', 'lots'])
      expect(() => parseHeapGrowingPercent(bad)).toThrow(/WORKER_HEAP_GROWING_PERCENT/);
  });
});
