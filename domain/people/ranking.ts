// Assignment suggestions: engineers ranked for a case. The order, criterion by criterion (a later one
// only breaks ties of the earlier ones):
//   1. available — active and not absent now;
//   2. skill for the product — the exact model (2) over the product line (1) over neither (0);
//   3. region — the engineer's region is the case's;
//   4. workload — fewer open cases assigned;
//   5. id, so the order is total.
// Each suggestion carries the reasons in words. Pure.

export interface Candidate {
  id: string;
  name: string;
  teamId: string | null;
  region: string | null;
  productLines: readonly string[];
  models: readonly string[];
  openCases: number;
  absentUntil: Date | null;
}

export interface CaseProfile {
  model: string;
  productLine: string | null;
  region: string | null;
}

export interface Suggestion {
  rank: number;
  personId: string;
  name: string;
  teamId: string | null;
  available: boolean;
  skill: 'model' | 'product-line' | 'none';
  regionMatch: boolean;
  openCases: number;
  reasons: string[];
}

const norm = (s: string) => s.trim().toLowerCase();

export function rankEngineers(candidates: readonly Candidate[], c: CaseProfile): Suggestion[] {
  const scored = candidates.map((e) => {
    const skill: Suggestion['skill'] = e.models.some((m) => norm(m) === norm(c.model))
      ? 'model'
      : c.productLine && e.productLines.some((l) => norm(l) === norm(c.productLine!))
        ? 'product-line'
        : 'none';
    const regionMatch = !!c.region && !!e.region && norm(e.region) === norm(c.region);
    const available = e.absentUntil === null;
    const reasons = [
      available ? 'available' : `absent until ${e.absentUntil!.toISOString()}`,
      skill === 'model'
        ? `knows model ${c.model}`
        : skill === 'product-line'
          ? `knows product line ${c.productLine}`
          : 'no listed skill for this product',
      c.region
        ? regionMatch
          ? `in region ${c.region}`
          : `region ${e.region ?? 'unknown'}, case in ${c.region}`
        : 'case has no region',
      `${e.openCases} open case${e.openCases === 1 ? '' : 's'}`,
    ];
    return { e, skill, regionMatch, available, reasons };
  });
  const skillScore = { model: 2, 'product-line': 1, none: 0 } as const;
  scored.sort(
    (a, b) =>
      Number(b.available) - Number(a.available) ||
      skillScore[b.skill] - skillScore[a.skill] ||
      Number(b.regionMatch) - Number(a.regionMatch) ||
      a.e.openCases - b.e.openCases ||
      (a.e.id < b.e.id ? -1 : a.e.id > b.e.id ? 1 : 0),
  );
  return scored.map((s, i) => ({
    rank: i + 1,
    personId: s.e.id,
    name: s.e.name,
    teamId: s.e.teamId,
    available: s.available,
    skill: s.skill,
    regionMatch: s.regionMatch,
    openCases: s.e.openCases,
    reasons: s.reasons,
  }));
}
