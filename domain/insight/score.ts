// The scorecard (docs/kpis.md, "Scorecards"): a person's figures for a period weighed into one score
// 0..100 by the configured weights, and the rank within the team. Pure.
import type { Kpis } from './kpis.js';
import { SCORE_COMPONENTS, type ScoreComponent } from './settings.js';

/**
 * Each component as 0..1, or null when the period gives no basis (no case decided it):
 * on-time and first-time-fix rates as they are; repeat failures 1 at or under the target, falling
 * linearly to 0 at twice the target; satisfaction its average answer mapped from 1..5 onto 0..1.
 */
export function scoreComponents(k: Kpis): Record<ScoreComponent, number | null> {
  const target = k.repeatFailureTarget;
  const repeat =
    k.repeatFailureRate === null
      ? null
      : k.repeatFailureRate <= target
        ? 1
        : Math.max(0, 1 - (k.repeatFailureRate - target) / target);
  const avg = k.satisfaction.average;
  return {
    onTimeResponse: k.onTimeResponseRate,
    onTimeArrival: k.onTimeArrivalRate,
    onTimeRepair: k.onTimeRepairRate,
    firstTimeFix: k.firstTimeFixRate,
    repeatFailure: round4(repeat),
    satisfaction: round4(avg === null ? null : (avg - 1) / 4),
  };
}

const round4 = (x: number | null) => (x === null ? null : Math.round(x * 10_000) / 10_000);

/**
 * 100 × Σ weight × component ÷ Σ weight, over the components that have a value (a person is not marked
 * down for what the period did not ask of them); null when none has one or their weights are all 0.
 */
export function weightedScore(
  components: Record<ScoreComponent, number | null>,
  weights: Record<ScoreComponent, number>,
): number | null {
  let sum = 0;
  let weight = 0;
  for (const c of SCORE_COMPONENTS) {
    const v = components[c];
    if (v === null || !(weights[c] > 0)) continue;
    sum += weights[c] * v;
    weight += weights[c];
  }
  if (weight === 0) return null;
  // One decimal, half up; the nudge keeps a tie such as 91.75 (stored as 91.7499…) from rounding down.
  return Math.round((sum / weight) * 1000 + 1e-7) / 10;
}

/**
 * Competition ranking (1, 2, 2, 4) by score, highest first, within each team; people without a score
 * have no rank.
 */
export function rankWithinTeams<T extends { team: string | null; score: number | null }>(
  people: readonly T[],
): Array<T & { rank: number | null; rankedInTeam: number }> {
  const byTeam = new Map<string | null, number[]>();
  for (const p of people) {
    if (p.score === null) continue;
    byTeam.set(p.team, [...(byTeam.get(p.team) ?? []), p.score]);
  }
  return people.map((p) => {
    const scores = byTeam.get(p.team) ?? [];
    return {
      ...p,
      rank: p.score === null ? null : 1 + scores.filter((s) => s > p.score!).length,
      rankedInTeam: scores.length,
    };
  });
}
