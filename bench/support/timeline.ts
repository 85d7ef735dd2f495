// A run's escalations and CPU in 10-s buckets, so a slow wave can be told apart from a slow run: did the
// late steps come in one stretch, and what was each process (and the machine, and the hypervisor's steal)
// doing then?
import { type CpuSnapshot, cpuPercent, type MachineCpu } from './cpu.js';
import { percentile, round } from './stats.js';

export interface TimelineSample {
  cpu: CpuSnapshot;
  machine: MachineCpu | undefined;
}

export interface TimelineBucket {
  /** Bucket start, ms after the first due instant. */
  fromMs: number;
  /** Recorded steps due in this bucket, and recorded steps fired in it. */
  due: number;
  fired: number;
  /** Lateness of the steps due in this bucket (recorded ones). */
  latenessP50Ms: number | null;
  latenessP99Ms: number | null;
  latenessMaxMs: number | null;
  /** CPU of each process role over the bucket, % of one core. */
  cpuPercent: Record<string, number>;
  /** The whole machine, % of all its cores: busy, and stolen by the hypervisor. */
  machineBusyPercent: number | null;
  stealPercent: number | null;
}

export const BUCKET_MS = 10_000;

/**
 * Buckets from the first due instant to the last sample. `steps` are the recorded escalations;
 * `samples` are taken every second or so (a bucket's CPU is the difference of the samples nearest its edges).
 */
export function buildTimeline(
  steps: { dueAt: number; firedAt: number }[],
  samples: TimelineSample[],
  firstDue: number,
): TimelineBucket[] {
  if (samples.length < 2) return [];
  const end = samples[samples.length - 1].cpu.at;
  const buckets: TimelineBucket[] = [];
  const nearest = (t: number) =>
    samples.reduce((best, s) => (Math.abs(s.cpu.at - t) < Math.abs(best.cpu.at - t) ? s : best));
  for (let from = firstDue; from < end; from += BUCKET_MS) {
    const to = from + BUCKET_MS;
    const late = steps
      .filter((s) => s.dueAt >= from && s.dueAt < to)
      .map((s) => s.firedAt - s.dueAt)
      .sort((a, b) => a - b);
    const a = nearest(from);
    const b = nearest(to);
    // One sample nearest both edges (samples further apart than a bucket) tells nothing of the bucket.
    const cpu = b.cpu.at > a.cpu.at ? cpuPercent(a.cpu, b.cpu) : {};
    const ma = a.machine;
    const mb = b.machine;
    const total = ma && mb ? mb.busy + mb.idle + mb.steal - (ma.busy + ma.idle + ma.steal) : 0;
    buckets.push({
      fromMs: from - firstDue,
      due: late.length,
      fired: steps.filter((s) => s.firedAt >= from && s.firedAt < to).length,
      latenessP50Ms: late.length ? round(percentile(late, 50)) : null,
      latenessP99Ms: late.length ? round(percentile(late, 99)) : null,
      latenessMaxMs: late.length ? round(late[late.length - 1]) : null,
      cpuPercent: cpu,
      machineBusyPercent: ma && mb && total > 0 ? Math.round(((mb.busy - ma.busy) / total) * 100) : null,
      stealPercent: ma && mb && total > 0 ? Math.round(((mb.steal - ma.steal) / total) * 100) : null,
    });
  }
  return buckets;
}
