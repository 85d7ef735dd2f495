// The optional auto-assign rule of a team (teams.auto_assign): a new case goes at once to the best
// engineer of the auto-assigning teams, when that engineer is available and knows the product (its model
// or its product line) — otherwise it waits for the specialist's triage as usual. The assignment is an
// ordinary assign step, recorded under the actor "system:auto-assign".
import type { Client } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { type cases, teams } from '../db/schema.js';
import { assignUpdate } from '../workflows/service-case.js';
import { suggestEngineers } from './routes/people/suggestions.js';

export const AUTO_ASSIGN_ACTOR = 'system:auto-assign';

export async function autoAssign(
  deps: { db: Database; temporal: Client },
  row: typeof cases.$inferSelect,
): Promise<string | null> {
  const auto = await deps.db.select({ id: teams.id }).from(teams).where(eq(teams.autoAssign, true));
  if (auto.length === 0) return null;
  const ranked = (
    await Promise.all(auto.map((t) => suggestEngineers(deps.db, row, { teamId: t.id })))
  ).flatMap((r) => r.items);
  const best = ranked
    .filter((s) => s.available && s.skill !== 'none')
    .sort(
      (a, b) =>
        (a.skill === b.skill ? 0 : a.skill === 'model' ? -1 : 1) ||
        Number(b.regionMatch) - Number(a.regionMatch) ||
        a.openCases - b.openCases ||
        (a.personId < b.personId ? -1 : 1),
    )[0];
  if (!best) return null;
  try {
    await deps.temporal.workflow
      .getHandle(row.workflowId)
      .executeUpdate(assignUpdate, { args: [{ actor: AUTO_ASSIGN_ACTOR, engineer: best.personId }] });
    return best.personId;
  } catch {
    // Someone assigned it meanwhile, or the engine is busy: the case stays with the specialists.
    return null;
  }
}
