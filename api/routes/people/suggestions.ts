// Assignment suggestions: the active engineers ranked for one case (domain/people/ranking.ts says how).
import { and, count, eq, gt, inArray, lte, notInArray, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../../db/client.js';
import { cases, people, personAbsences } from '../../../db/schema.js';
import { type Candidate, rankEngineers } from '../../../domain/people/ranking.js';
import type { AppDeps } from '../../app.js';
import { canSee } from '../../case-access.js';
import { peopleResponses, suggestionQuery } from '../../people-schemas.js';
import { notFound } from '../../problem.js';

const caseParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^C[0-9]{7,}$', description: 'case id' } },
} as const;

export async function suggestEngineers(
  db: Database,
  row: typeof cases.$inferSelect,
  opts: { region?: string; teamId?: string; at?: Date },
) {
  const at = opts.at ?? new Date();
  const engineers = await db
    .select()
    .from(people)
    .where(
      and(
        sql`'engineer' = any(${people.roles})`,
        eq(people.active, true),
        opts.teamId ? eq(people.teamId, opts.teamId) : undefined,
      ),
    );
  const ids = engineers.map((e) => e.id);
  const [load, absent] = ids.length
    ? await Promise.all([
        db
          .select({ assignee: cases.assignee, n: count() })
          .from(cases)
          .where(and(inArray(cases.assignee, ids), notInArray(cases.stage, ['closed', 'cancelled'])))
          .groupBy(cases.assignee),
        db
          .select({ personId: personAbsences.personId, endsAt: personAbsences.endsAt })
          .from(personAbsences)
          .where(
            and(
              inArray(personAbsences.personId, ids),
              lte(personAbsences.startsAt, at),
              gt(personAbsences.endsAt, at),
            ),
          ),
      ])
    : [[], []];
  const candidates: Candidate[] = engineers.map((e) => {
    const until = absent.filter((a) => a.personId === e.id).map((a) => a.endsAt.getTime());
    return {
      id: e.id,
      name: e.name,
      teamId: e.teamId,
      region: e.region,
      productLines: e.productLines,
      models: e.models,
      openCases: Number(load.find((l) => l.assignee === e.id)?.n ?? 0),
      absentUntil: until.length ? new Date(Math.max(...until)) : null,
    };
  });
  const region = opts.region ?? row.customerRegion;
  return {
    region,
    items: rankEngineers(candidates, { model: row.productModel, productLine: row.productLine, region }),
  };
}

export async function suggestionRoutes(app: FastifyInstance, deps: AppDeps) {
  app.get<{ Params: { id: string }; Querystring: { region?: string; teamId?: string; limit?: string } }>(
    '/api/v1/cases/:id/assignment-suggestions',
    {
      schema: {
        operationId: 'suggestAssignees',
        tags: ['cases'],
        summary: 'Engineers ranked for the case: availability, skill for the product, region, open workload',
        description:
          'Order: available first; then the exact model over the product line over no skill; then the case region; then fewer open cases; then id. Each item says why.',
        params: caseParams,
        querystring: suggestionQuery,
        response: peopleResponses.suggestions,
      },
      config: { permission: 'cases.assignment-suggestions' },
    },
    async (req) => {
      const [row] = await deps.db.select().from(cases).where(eq(cases.id, req.params.id));
      if (!row || !canSee(req.principal!, row)) throw notFound('case', req.params.id);
      const { region, items } = await suggestEngineers(deps.db, row, req.query);
      const limit = req.query.limit ? Number(req.query.limit) : 10;
      return { caseId: row.id, region, items: items.slice(0, limit) };
    },
  );
}
