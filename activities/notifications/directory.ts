// The directory as the chain resolution needs it, read at one instant: everyone, with the absences and
// on-call shifts that hold then. A company's service staff is hundreds of people, so one read is cheap.
import { and, gt, lte } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { oncallShifts, people, personAbsences, teams } from '../../db/schema.js';
import type { Directory, DirectoryPerson } from '../../domain/people/chain.js';

export async function loadDirectory(db: Database, at: Date): Promise<Directory> {
  const [personRows, teamRows, absenceRows, shiftRows] = await Promise.all([
    db
      .select({
        id: people.id,
        name: people.name,
        roles: people.roles,
        teamId: people.teamId,
        managerId: people.managerId,
        active: people.active,
      })
      .from(people),
    db.select({ id: teams.id, leadId: teams.leadId }).from(teams),
    db
      .select()
      .from(personAbsences)
      .where(and(lte(personAbsences.startsAt, at), gt(personAbsences.endsAt, at))),
    db
      .select({ personId: oncallShifts.personId, teamId: oncallShifts.teamId })
      .from(oncallShifts)
      .where(and(lte(oncallShifts.startsAt, at), gt(oncallShifts.endsAt, at)))
      .orderBy(oncallShifts.id),
  ]);
  const map = new Map<string, DirectoryPerson>();
  for (const p of personRows) map.set(p.id, { ...p, absences: [] });
  for (const a of absenceRows)
    (map.get(a.personId)?.absences as DirectoryPerson['absences'][number][] | undefined)?.push({
      startsAt: a.startsAt,
      endsAt: a.endsAt,
      reason: a.reason,
    });
  return { people: map, teams: new Map(teamRows.map((t) => [t.id, t])), onCall: shiftRows };
}
