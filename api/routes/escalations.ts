// Escalations fired by SLA clocks (warning, breach, escalation), newest due first, for managers.
import { and, desc, eq, gte, inArray, lt, type SQL, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/client.js';
import { cases, escalations } from '../../db/schema.js';
import type { AppDeps } from '../app.js';
import { visibleCases } from '../case-access.js';
import { escalationView } from '../case-read-model.js';
import { decodeIntCursor, encodeCursor } from '../cursor.js';
import { unprocessable } from '../problem.js';
import { escalationQuery, escalationResponses } from '../sla-schemas.js';

export interface EscalationFilter {
  level?: string;
  clock?: string;
  from?: string;
  to?: string;
  assignee?: string;
  caseId?: string;
  limit?: string;
  cursor?: string;
}

/** Newest due first, keyset-paginated on (due_at, id) so pages stay stable while escalations fire. */
export async function listEscalations(db: Database, f: EscalationFilter, visible?: SQL) {
  const limit = f.limit ? Number(f.limit) : 50;
  const where: SQL[] = [];
  // Only escalations of cases the caller may read (api/case-access.ts).
  if (visible)
    where.push(inArray(escalations.caseId, db.select({ id: cases.id }).from(cases).where(visible)));
  if (f.level) where.push(eq(escalations.level, Number(f.level)));
  if (f.clock) where.push(eq(escalations.clock, f.clock));
  if (f.from) where.push(gte(escalations.dueAt, new Date(f.from)));
  if (f.to) where.push(lt(escalations.dueAt, new Date(f.to)));
  if (f.assignee) where.push(eq(escalations.assignee, f.assignee));
  if (f.caseId) where.push(eq(escalations.caseId, f.caseId));
  if (f.cursor) {
    // due_at is stored at millisecond precision, so a cursor made from a JS Date is exact.
    const c = decodeIntCursor(f.cursor);
    where.push(sql`(${escalations.dueAt}, ${escalations.id}) < (${c.at}::timestamptz, ${c.id}::int)`);
  }
  const rows = await db
    .select()
    .from(escalations)
    .where(and(...where))
    .orderBy(desc(escalations.dueAt), desc(escalations.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(escalationView),
    nextCursor: rows.length > limit && last ? encodeCursor(last.dueAt, last.id) : null,
  };
}

export async function escalationRoutes(app: FastifyInstance, deps: AppDeps) {
  app.get<{ Querystring: EscalationFilter }>(
    '/api/v1/escalations',
    {
      schema: {
        operationId: 'listEscalations',
        tags: ['escalations'],
        summary: 'Escalations fired by SLA clocks, newest due first, with filters and cursor pagination',
        description: 'latenessMs is how long after its due instant the step fired.',
        querystring: escalationQuery,
        response: escalationResponses.list,
      },
      config: { permission: 'escalations.read' },
    },
    async (req) => {
      const { from, to } = req.query;
      if (from && to && Date.parse(from) >= Date.parse(to)) throw unprocessable('"from" must be before "to"');
      return listEscalations(deps.db, req.query, visibleCases(req.principal!));
    },
  );
}
