// Who may see and act on which case, beyond the role matrix — the one place this rule lives. Every
// read of a case (detail, list, lookup by ticket reference, escalations) and every step asks it.
//   - a help desk key sees only the cases it opened (others do not exist for it);
//   - an engineer sees the cases assigned to them and to their team's engineers (least privilege:
//     customer contact data is not everybody's) — ENGINEER_CASE_SCOPE=assigned narrows it to their own,
//     =all widens it to every case; and acts only on the cases assigned to them;
//   - every other role that may read cases reads them all.
// A principal's reach is fixed when it authenticates (`caseReachOf`), so the functions below need no
// settings of their own.
import { eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { cases } from '../db/schema.js';
import type { Principal } from './auth/keys.js';
import type { Role } from './auth/roles.js';
import { forbidden } from './plugins/auth.js';
import { notFound } from './problem.js';

type CaseRow = typeof cases.$inferSelect;

/**
 * Which cases a principal reads: all; those assigned to its person; those assigned to anyone of its
 * person's team (`teamMates`, loaded when it authenticates); or those its key opened.
 */
export type CaseReach = 'all' | 'team' | 'assigned' | 'opened';

export interface CaseAccessSettings {
  /** ENGINEER_CASE_SCOPE: `team` (default) — their own and their team's cases; `assigned`; `all`. */
  engineerCaseScope: 'team' | 'assigned' | 'all';
}

export const DEFAULT_CASE_ACCESS: CaseAccessSettings = { engineerCaseScope: 'team' };

export function caseReachOf(role: Role, settings: CaseAccessSettings = DEFAULT_CASE_ACCESS): CaseReach {
  if (role === 'helpdesk') return 'opened';
  if (role === 'engineer') return settings.engineerCaseScope;
  return 'all';
}

/**
 * The other members of a person's team, read when a key (or a stream ticket) is used — not cached: a
 * person moved to another team reads its cases at once.
 */
export async function teamMatesOf(db: Database, personId: string): Promise<string[]> {
  const rows = await db.execute<{ id: string }>(sql`
    select m.id from people p join people m on m.team_id = p.team_id
    where p.id = ${personId} and p.team_id is not null`);
  return rows.map((r) => r.id);
}

/** The people whose cases a `team` principal reads: itself and its team's members. */
const readsFor = (p: Principal): string[] =>
  p.personId ? [...new Set([p.personId, ...(p.teamMates ?? [])])] : [];

export function canSee(p: Principal, row: CaseRow): boolean {
  switch (p.reach) {
    case 'opened':
      return row.createdByKey === p.keyId;
    case 'assigned':
      return !!p.personId && row.assignee === p.personId;
    case 'team':
      return row.assignee !== null && readsFor(p).includes(row.assignee);
    default:
      return true;
  }
}

/** The condition on `cases` that selects what a principal may see; undefined when it sees every case. */
export function visibleCases(p: Principal): SQL | undefined {
  switch (p.reach) {
    case 'opened':
      return eq(cases.createdByKey, p.keyId);
    case 'assigned':
      return p.personId ? eq(cases.assignee, p.personId) : sql`false`;
    case 'team': {
      const ids = readsFor(p);
      return ids.length > 0 ? inArray(cases.assignee, ids) : sql`false`;
    }
    default:
      return undefined;
  }
}

/** Throws the answer a principal gets for a case it may not see (404) or not act on (403). */
export function assertMayAct(p: Principal, row: CaseRow): void {
  if (!canSee(p, row)) throw notFound('case', row.id);
  if (p.role === 'engineer' && (!p.personId || row.assignee !== p.personId)) {
    throw forbidden(`case ${row.id} is not assigned to you; engineers act only on their own cases`);
  }
}

/**
 * The help desk identity a ticket reference (externalRef) belongs to: the API key that opened the case.
 * The same system and ticket id sent with two keys are two tickets — one help desk can neither reach
 * another's case through its reference nor block a reference another already used.
 */
export const ticketOwnerOf = (p: Principal): string => p.keyId;
