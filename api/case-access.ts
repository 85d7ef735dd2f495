// Who may see and act on which case, beyond the role matrix: a help desk key sees only the cases it
// opened (others do not exist for it), an engineer acts only on cases assigned to them.
import type { cases } from '../db/schema.js';
import type { Principal } from './auth/keys.js';
import { forbidden } from './plugins/auth.js';
import { notFound } from './problem.js';

type CaseRow = typeof cases.$inferSelect;

export function canSee(p: Principal, row: CaseRow): boolean {
  return p.role !== 'helpdesk' || row.createdByKey === p.keyId;
}

/** Throws the answer a principal gets for a case it may not see (404) or not act on (403). */
export function assertMayAct(p: Principal, row: CaseRow): void {
  if (!canSee(p, row)) throw notFound('case', row.id);
  if (p.role === 'engineer' && (!p.personId || row.assignee !== p.personId)) {
    throw forbidden(`case ${row.id} is not assigned to you; engineers act only on their own cases`);
  }
}
