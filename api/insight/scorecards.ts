// Scorecards (docs/kpis.md, "Scorecards"): every engineer of the directory (of one team, or all), and
// anyone else cases of the period are assigned to, with their figures, score and rank in their team.
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { emptyCounts, kpisFrom } from '../../domain/insight/kpis.js';
import type { Period } from '../../domain/insight/period.js';
import { rankWithinTeams, scoreComponents, weightedScore } from '../../domain/insight/score.js';
import type { InsightSettings } from '../../domain/insight/settings.js';
import { kpiCounts } from './kpi-query.js';

export async function scorecards(
  db: Database,
  q: { period: Period; team?: string; settings: InsightSettings; now: Date },
) {
  const { groups } = await kpiCounts(db, {
    period: q.period,
    groupBy: 'engineer',
    filters: q.team ? { team: q.team } : {},
    settings: q.settings,
    now: q.now,
  });
  const directory = await db.execute<{
    id: string;
    name: string;
    team_id: string | null;
    team_name: string | null;
  }>(sql`
    SELECT p.id, p.name, p.team_id, t.name AS team_name
    FROM people p LEFT JOIN teams t ON t.id = p.team_id
    WHERE ('engineer' = ANY (p.roles) AND p.active ${q.team ? sql`AND p.team_id = ${q.team}` : sql``})
      OR p.id IN (${sql.join(
        [sql`NULL`, ...groups.filter((g) => g.key !== null && g.counts.cases > 0).map((g) => sql`${g.key}`)],
        sql`, `,
      )})
  `);
  const people = new Map(
    [...directory].map((p) => [p.id, { name: p.name, teamId: p.team_id, teamName: p.team_name }]),
  );
  // Cases assigned to someone the directory does not list (yet): they count, without a team. (A group
  // with complaints and no case is a complaint owner: a card only if the directory lists an engineer.)
  for (const g of groups) {
    if (g.key !== null && g.counts.cases > 0 && !people.has(g.key))
      people.set(g.key, { name: g.label ?? g.key, teamId: null, teamName: null });
  }
  const countsOf = new Map(groups.map((g) => [g.key, g.counts]));
  const cards = [...people.entries()].map(([personId, p]) => {
    const kpis = kpisFrom(countsOf.get(personId) ?? emptyCounts(), q.settings.targets);
    const components = scoreComponents(kpis);
    const score = weightedScore(components, q.settings.scoreWeights);
    return {
      personId,
      name: p.name,
      teamId: p.teamId,
      teamName: p.teamName,
      team: p.teamId,
      kpis,
      components,
      score,
    };
  });
  return rankWithinTeams(cards)
    .map(({ team: _team, ...card }) => card)
    .sort(
      (a, b) =>
        String(a.teamId ?? '\uffff').localeCompare(String(b.teamId ?? '\uffff')) ||
        (a.rank ?? Number.POSITIVE_INFINITY) - (b.rank ?? Number.POSITIVE_INFINITY) ||
        a.personId.localeCompare(b.personId),
    );
}
