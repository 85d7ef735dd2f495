// Failure clusters (批量性故障): enough cases with the same cause code on one model within a window raise a
// quality issue on their own. Pure: the read model hands over the failures it found, this decides.

export interface ClusterRule {
  /** Distinct cases needed (default 3). */
  minCases: number;
  /** Window, counted back from the newest failure (default 30 days). */
  windowDays: number;
}

export const DEFAULT_CLUSTER_RULE: ClusterRule = { minCases: 3, windowDays: 30 };

export interface FailureRecord {
  caseId: string;
  model: string;
  causeCode: string;
  at: string;
}

/**
 * The cases that form a cluster with `latest` (same model and cause code, within the window before it,
 * one per case), or undefined when there are fewer than the rule asks for.
 */
export function clusterOf(
  rule: ClusterRule,
  latest: FailureRecord,
  records: readonly FailureRecord[],
): string[] | undefined {
  const end = Date.parse(latest.at);
  const start = end - rule.windowDays * 86_400_000;
  const cases = new Set<string>([latest.caseId]);
  for (const r of records) {
    if (r.model !== latest.model || r.causeCode !== latest.causeCode) continue;
    const at = Date.parse(r.at);
    if (at < start || at > end) continue;
    cases.add(r.caseId);
  }
  return cases.size >= rule.minCases ? [...cases].sort() : undefined;
}

export function validateClusterRule(rule: ClusterRule): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(rule.minCases) || rule.minCases < 2)
    problems.push('cluster.minCases must be an integer ≥ 2');
  if (!(rule.windowDays > 0) || rule.windowDays > 366) problems.push('cluster.windowDays must be in 1–366');
  return problems;
}

/** Repeat failure (返修): the window after a completed repair in which a new case on the serial counts as a repeat. */
export const REPEAT_WINDOW_DAYS = 30;
