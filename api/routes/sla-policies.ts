// SLA policies (服务标准), versioned: a change is a new version and the old one is retired. A case keeps
// the version it was opened under (snapshotted at intake), so edits apply to cases opened afterwards.
import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/client.js';
import { calendars, slaPolicies } from '../../db/schema.js';
import { currentPolicies, lockKey, policyLock, policyOf, type Tx } from '../../db/sla-store.js';
import {
  DEFAULT_ESCALATION,
  DEFAULT_POLICY,
  type SlaPolicy,
  type SlaTargets,
  validatePolicy,
} from '../../domain/sla-policy.js';
import type { AppDeps } from '../app.js';
import { notFound, Problem } from '../problem.js';
import {
  noQuery,
  policyIdParams,
  policyPostBody,
  policyPutBody,
  policyResponses,
  policyVersionParams,
} from '../sla-schemas.js';

type PolicyFields = Omit<SlaPolicy, 'id' | 'version'>;
type PolicyBody = Pick<PolicyFields, 'name' | 'match' | 'calendarId' | 'targets'> &
  Partial<Pick<PolicyFields, 'escalation' | 'pauses' | 'repairOnDispute'>>;
type PolicyRow = typeof slaPolicies.$inferSelect;

/** Upper bounds that keep deadline arithmetic short: a year of hours, a year of working days. */
const MAX_AMOUNT: Record<string, number> = { hours: 8784, business_hours: 8784, working_days: 366 };

const invalidPolicy = (problems: string[]) =>
  new Problem(422, 'invalid-policy', 'Invalid SLA policy', problems.join('; '), { problems });
const policyConflict = (detail: string) => new Problem(409, 'policy-conflict', 'Conflict', detail);

function definitionOf(body: PolicyBody): PolicyFields {
  return {
    name: body.name,
    match: body.match,
    calendarId: body.calendarId,
    targets: body.targets,
    escalation: body.escalation ?? DEFAULT_ESCALATION.map((s) => ({ ...s })),
    pauses: body.pauses ?? {
      customer: [...DEFAULT_POLICY.pauses.customer],
      parts: [...DEFAULT_POLICY.pauses.parts],
    },
    repairOnDispute: body.repairOnDispute ?? 'continue',
  };
}

function targetList(t: SlaTargets) {
  return [
    ['targets.response.normal', t.response.normal],
    ['targets.response.emergency', t.response.emergency],
    ['targets.arrival.emergency', t.arrival.emergency],
    ['targets.repair.ordinary', t.repair.ordinary],
    ['targets.repair.complex', t.repair.complex],
  ] as const;
}

const sameMatch = (a: SlaPolicy['match'], b: SlaPolicy['match']) =>
  a.severity === b.severity && a.productLine === b.productLine && a.customerTier === b.customerTier;

/** validatePolicy, the amount bounds, the calendar's existence and a unique match among current policies. */
async function checkPolicy(tx: Tx, id: string, def: PolicyFields): Promise<void> {
  const problems = validatePolicy(def);
  for (const [path, t] of targetList(def.targets)) {
    const max = MAX_AMOUNT[t.unit];
    if (max !== undefined && t.amount > max) problems.push(`${path}.amount must be at most ${max} ${t.unit}`);
  }
  if (id === DEFAULT_POLICY.id && Object.keys(def.match).length > 0) {
    problems.push('the default policy must match every case: its match must be {}');
  }
  const [cal] = await tx.select({ id: calendars.id }).from(calendars).where(eq(calendars.id, def.calendarId));
  if (!cal) problems.push(`calendar "${def.calendarId}" does not exist`);
  if (problems.length > 0) throw invalidPolicy(problems);
  const twin = (await currentPolicies(tx)).find((p) => p.id !== id && sameMatch(p.match, def.match));
  if (twin) {
    throw policyConflict(
      `policy "${twin.id}" already applies to exactly these cases (match ${JSON.stringify(def.match)}); ` +
        'change that policy or make the match more specific',
    );
  }
}

function view(row: PolicyRow) {
  const p = policyOf(row);
  return {
    id: p.id,
    version: p.version,
    name: p.name,
    match: p.match,
    calendarId: p.calendarId,
    targets: p.targets,
    escalation: p.escalation,
    pauses: p.pauses,
    repairOnDispute: p.repairOnDispute,
    createdAt: row.createdAt.toISOString(),
    retiredAt: row.retiredAt?.toISOString() ?? null,
    current: row.retiredAt === null,
  };
}

async function versionsOf(db: Database | Tx, id: string): Promise<PolicyRow[]> {
  return db.select().from(slaPolicies).where(eq(slaPolicies.id, id)).orderBy(desc(slaPolicies.version));
}

async function insertVersion(tx: Tx, id: string, version: number, def: PolicyFields): Promise<PolicyRow> {
  const definition: SlaPolicy = { id, version, ...def };
  const [row] = await tx.insert(slaPolicies).values({ id, version, name: def.name, definition }).returning();
  return row;
}

export async function slaPolicyRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db } = deps;

  app.get(
    '/api/v1/sla-policies',
    {
      schema: {
        operationId: 'listSlaPolicies',
        tags: ['sla policies'],
        summary: 'The current version of every SLA policy',
        querystring: noQuery,
        response: policyResponses.list,
      },
      config: { permission: 'sla-policies.read' },
    },
    async () => {
      const rows = await db
        .select()
        .from(slaPolicies)
        .where(isNull(slaPolicies.retiredAt))
        .orderBy(asc(slaPolicies.id));
      return { items: rows.map(view) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/sla-policies/:id',
    {
      schema: {
        operationId: 'getSlaPolicy',
        tags: ['sla policies'],
        summary: 'A policy: its current version (or, once retired, its last) and the list of versions',
        params: policyIdParams,
        response: policyResponses.detail,
      },
      config: { permission: 'sla-policies.read' },
    },
    async (req) => {
      const rows = await versionsOf(db, req.params.id);
      if (rows.length === 0) throw notFound('SLA policy', req.params.id);
      const latest = rows.find((r) => r.retiredAt === null) ?? rows[0];
      return {
        ...view(latest),
        versions: rows.map((r) => ({
          version: r.version,
          name: r.name,
          createdAt: r.createdAt.toISOString(),
          retiredAt: r.retiredAt?.toISOString() ?? null,
        })),
      };
    },
  );

  app.get<{ Params: { id: string; version: string } }>(
    '/api/v1/sla-policies/:id/versions/:version',
    {
      schema: {
        operationId: 'getSlaPolicyVersion',
        tags: ['sla policies'],
        summary: 'One version of a policy, e.g. the one a case was opened under',
        params: policyVersionParams,
        response: policyResponses.version,
      },
      config: { permission: 'sla-policies.read' },
    },
    async (req) => {
      const { id, version } = req.params;
      const [row] = await db
        .select()
        .from(slaPolicies)
        .where(and(eq(slaPolicies.id, id), eq(slaPolicies.version, Number(version))));
      if (!row) throw notFound('SLA policy version', `${id}@${version}`);
      return view(row);
    },
  );

  app.post<{ Body: PolicyBody & { id: string } }>(
    '/api/v1/sla-policies',
    {
      schema: {
        operationId: 'createSlaPolicy',
        tags: ['sla policies'],
        summary: 'Create a policy (version 1)',
        description:
          'escalation, pauses and repairOnDispute default to those of the default policy. 409 when the id is ' +
          'taken (also by a retired policy) or another policy has the same match; 422 lists every problem.',
        body: policyPostBody,
        response: policyResponses.create,
      },
      config: { permission: 'sla-policies.write' },
    },
    async (req, reply) => {
      const { id, ...body } = req.body;
      const def = definitionOf(body);
      const row = await db.transaction(async (tx) => {
        await lockKey(tx, policyLock(id));
        const existing = await versionsOf(tx, id);
        if (existing.length > 0) {
          throw policyConflict(
            existing[0].retiredAt
              ? `SLA policy "${id}" existed and was retired; choose another id`
              : `SLA policy "${id}" already exists; PUT /api/v1/sla-policies/${id} makes a new version`,
          );
        }
        await checkPolicy(tx, id, def);
        return insertVersion(tx, id, 1, def);
      });
      return reply.code(201).send(view(row));
    },
  );

  app.put<{ Params: { id: string }; Body: PolicyBody }>(
    '/api/v1/sla-policies/:id',
    {
      schema: {
        operationId: 'replaceSlaPolicy',
        tags: ['sla policies'],
        summary: 'Change a policy: a new version replaces the current one',
        description:
          'The current version is retired and version + 1 becomes current for cases opened from now on; open ' +
          'cases keep the version they started under. 409 for a retired policy.',
        params: policyIdParams,
        body: policyPutBody,
        response: policyResponses.replace,
      },
      config: { permission: 'sla-policies.write' },
    },
    async (req) => {
      const { id } = req.params;
      const def = definitionOf(req.body);
      const row = await db.transaction(async (tx) => {
        await lockKey(tx, policyLock(id));
        const existing = await versionsOf(tx, id);
        if (existing.length === 0) throw notFound('SLA policy', id);
        const current = existing.find((r) => r.retiredAt === null);
        if (!current) throw policyConflict(`SLA policy "${id}" is retired; create a policy with another id`);
        await checkPolicy(tx, id, def);
        const now = new Date();
        await tx
          .update(slaPolicies)
          .set({ retiredAt: now })
          .where(and(eq(slaPolicies.id, id), eq(slaPolicies.version, current.version)));
        return insertVersion(tx, id, existing[0].version + 1, def);
      });
      return view(row);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/sla-policies/:id',
    {
      schema: {
        operationId: 'retireSlaPolicy',
        tags: ['sla policies'],
        summary: 'Retire a policy: new cases no longer get it (open cases keep it)',
        description:
          'Answers with the retired version; retiring again changes nothing. The default policy stays (409).',
        params: policyIdParams,
        response: policyResponses.retire,
      },
      config: { permission: 'sla-policies.write' },
    },
    async (req) => {
      const { id } = req.params;
      if (id === DEFAULT_POLICY.id) {
        throw policyConflict(
          'the default policy applies when no other matches and cannot be retired; PUT changes it',
        );
      }
      const row = await db.transaction(async (tx) => {
        await lockKey(tx, policyLock(id));
        const existing = await versionsOf(tx, id);
        if (existing.length === 0) throw notFound('SLA policy', id);
        const current = existing.find((r) => r.retiredAt === null);
        if (!current) return existing[0];
        const [retired] = await tx
          .update(slaPolicies)
          .set({ retiredAt: new Date() })
          .where(and(eq(slaPolicies.id, id), eq(slaPolicies.version, current.version)))
          .returning();
        return retired;
      });
      return view(row);
    },
  );
}
