// The quality loop (CAPA): the failure-code list, failure roll-ups and the repeat-failure rate, quality
// issues (raised by hand from a complaint or a repair report; clusters raise their own) with one POST
// per step, and the versioned quality policy (cluster rule, stage deadlines).
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { and, asc, desc, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { raiseQualityIssue } from '../../../activities/quality/raise.js';
import { currentQualityPolicy, qualityPolicyLock, qualityPolicyOf } from '../../../db/complaint-store.js';
import {
  calendars,
  caseEvents,
  FAILURE_CODE_KINDS,
  failureCodes,
  qualityEscalations,
  qualityEvents,
  qualityIssues,
  qualityPolicies,
} from '../../../db/schema.js';
import { lockKey } from '../../../db/sla-store.js';
import type { Target } from '../../../domain/calendar.js';
import { validateClusterRule } from '../../../domain/quality/cluster.js';
import {
  isQualityOpen,
  QUALITY_STAGE_LABELS_ZH,
  type QualityIssueState,
  type QualityPolicy,
  type QualityStage,
  type QualityStepName,
  qualityWorkflowId,
  type WorkingQualityStage,
} from '../../../domain/quality/issue.js';
import { viewClock } from '../../../domain/sla-clock.js';
import {
  analyzeUpdate,
  assignQualityUpdate,
  cancelQualityUpdate,
  linkQualityUpdate,
  planUpdate,
  productionChangeUpdate,
  verifyUpdate,
} from '../../../workflows/quality-issue.js';
import type { AppDeps } from '../../app.js';
import type { Permission } from '../../auth/roles.js';
import { decodeCursor, encodeCursor } from '../../cursor.js';
import { assertActivePerson } from '../../engineers.js';
import { actorOf } from '../../plugins/auth.js';
import { conflict, notFound, Problem, unavailable, unprocessable } from '../../problem.js';
import { problemResponses } from '../../schema-parts.js';
import { assertCasesExist, assertComplaintsExist } from '../complaints/intake.js';
import {
  failureCodeBody,
  failureCodeListSchema,
  failureCodeParams,
  issueIdParams,
  issueListQuery,
  qualityIssueRef,
  qualityPolicyBody,
  qualityStepBodies,
  raiseBody,
  rangeQuery,
  repeatRateSchema,
  rollupQuery,
  rollupSchema,
} from './schemas.js';

const STEPS: Array<{
  name: QualityStepName;
  // biome-ignore lint/suspicious/noExplicitAny: each update takes its own step type
  update: UpdateDefinition<QualityIssueState, [any]>;
  permission: Permission;
  summary: string;
}> = [
  {
    name: 'assign',
    update: assignQualityUpdate,
    permission: 'quality.assign',
    summary: 'Name the owner of the current stage',
  },
  {
    name: 'analyze',
    update: analyzeUpdate,
    permission: 'quality.analyze',
    summary: 'R&D analysis: root cause, affected models, batches, serial ranges (研发分析)',
  },
  {
    name: 'plan',
    update: planUpdate,
    permission: 'quality.plan',
    summary: 'The improvement plan (改进方案)',
  },
  {
    name: 'production-change',
    update: productionChangeUpdate,
    permission: 'quality.production-change',
    summary: 'The production change made (生产变更)',
  },
  {
    name: 'verify',
    update: verifyUpdate,
    permission: 'quality.verify',
    summary:
      'Verification: effective closes the issue (linked cases and complaints are told); not effective goes back to planning',
  },
  {
    name: 'link',
    update: linkQualityUpdate,
    permission: 'quality.raise',
    summary: 'Link further cases or complaints',
  },
  {
    name: 'cancel',
    update: cancelQualityUpdate,
    permission: 'quality.cancel',
    summary: 'Cancel the quality issue with a reason',
  },
];

type IssueRow = typeof qualityIssues.$inferSelect;

function summaryOf(row: IssueRow) {
  return {
    id: row.id,
    workflowId: row.workflowId,
    source: row.source,
    title: row.title,
    model: row.model,
    causeCode: row.causeCode,
    stage: row.stage,
    stageLabel: QUALITY_STAGE_LABELS_ZH[row.stage as QualityStage] ?? row.stage,
    owner: row.owner,
    breached: row.breached,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    closedAt: row.closedAt?.toISOString() ?? null,
  };
}

function stepError(err: unknown, id: string) {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    if (err.cause.type === 'StepRejected') return conflict(err.cause.message);
  }
  if (err instanceof WorkflowNotFoundError)
    return conflict(`quality issue ${id} no longer accepts steps (its workflow has completed)`);
  return unavailable(`the workflow engine could not take the step: ${(err as Error).message}`);
}

export async function qualityRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db } = deps;

  async function issueViewOf(row: IssueRow) {
    const [timeline, escalations] = await Promise.all([
      db
        .select()
        .from(qualityEvents)
        .where(eq(qualityEvents.issueId, row.id))
        .orderBy(asc(qualityEvents.seq)),
      db
        .select()
        .from(qualityEscalations)
        .where(eq(qualityEscalations.issueId, row.id))
        .orderBy(asc(qualityEscalations.dueAt), asc(qualityEscalations.id)),
    ]);
    const s = row.state as QualityIssueState | null;
    const now = new Date();
    return {
      ...summaryOf(row),
      description: row.intake.description,
      caseIds: s?.caseIds ?? row.intake.caseIds,
      complaintIds: s?.complaintIds ?? row.intake.complaintIds,
      analysis: s?.analysis ?? null,
      plans: s?.plans ?? [],
      changes: s?.changes ?? [],
      verifications: s?.verifications ?? [],
      assignments: s?.assignments ?? [],
      cancellation: s?.cancellation ?? null,
      clocks: s ? Object.values(s.clocks).map((c) => viewClock(row.policy.calendar, c, now)) : [],
      escalations: escalations.map((e) => ({
        id: e.id,
        clock: e.clock,
        cycle: e.cycle,
        level: e.level,
        name: e.name,
        dueAt: e.dueAt.toISOString(),
        firedAt: e.firedAt.toISOString(),
        recipient: e.recipient,
        owner: e.owner,
        notified: e.notified ?? null,
      })),
      timeline: timeline.map((e) => ({
        seq: e.seq,
        type: e.type,
        fromStage: e.fromStage,
        toStage: e.toStage,
        actor: e.actor,
        at: e.at.toISOString(),
        data: e.data,
      })),
    };
  }
  async function findIssue(id: string) {
    const [row] = await db.select().from(qualityIssues).where(eq(qualityIssues.id, id));
    if (!row) throw notFound('quality issue', id);
    return row;
  }

  // ---- failure codes -----------------------------------------------------------------------------------
  const codeOf = (r: typeof failureCodes.$inferSelect) => ({
    kind: r.kind,
    code: r.code,
    label: r.label,
    description: r.description,
    active: r.active,
    updatedAt: r.updatedAt.toISOString(),
  });

  app.get<{ Querystring: { kind?: string; active?: string } }>(
    '/api/v1/failure-codes',
    {
      schema: {
        operationId: 'listFailureCodes',
        tags: ['quality'],
        summary: 'The failure-code list (symptom, cause and action codes)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            kind: { type: 'string', enum: FAILURE_CODE_KINDS },
            active: { type: 'string', enum: ['true', 'false'] },
          },
        },
        response: { 200: failureCodeListSchema },
      },
      config: { permission: 'failure-codes.read' },
    },
    async (req) => {
      const where: SQL[] = [];
      if (req.query.kind)
        where.push(eq(failureCodes.kind, req.query.kind as (typeof FAILURE_CODE_KINDS)[number]));
      if (req.query.active) where.push(eq(failureCodes.active, req.query.active === 'true'));
      const rows = await db
        .select()
        .from(failureCodes)
        .where(and(...where))
        .orderBy(asc(failureCodes.kind), asc(failureCodes.code));
      return { items: rows.map(codeOf) };
    },
  );

  app.put<{
    Params: { kind: (typeof FAILURE_CODE_KINDS)[number]; code: string };
    Body: { label: string; description?: string; active?: boolean };
  }>(
    '/api/v1/failure-codes/:kind/:code',
    {
      schema: {
        operationId: 'putFailureCode',
        tags: ['quality'],
        summary: 'Create or change a failure code; retire one with active: false (recorded failures keep it)',
        params: failureCodeParams,
        body: failureCodeBody,
        response: {
          200: { $ref: 'FailureCode#', description: 'the code, changed' },
          201: { $ref: 'FailureCode#', description: 'the code, created' },
        },
      },
      config: { permission: 'failure-codes.write' },
    },
    async (req, reply) => {
      const { kind, code } = req.params;
      const { label, description, active } = req.body;
      const [existing] = await db
        .select({ code: failureCodes.code })
        .from(failureCodes)
        .where(and(eq(failureCodes.kind, kind), eq(failureCodes.code, code)));
      const [row] = await db
        .insert(failureCodes)
        .values({ kind, code, label, description: description ?? null, active: active ?? true })
        .onConflictDoUpdate({
          target: [failureCodes.kind, failureCodes.code],
          set: { label, description: description ?? null, active: active ?? true, updatedAt: new Date() },
        })
        .returning();
      return reply.code(existing ? 200 : 201).send(codeOf(row));
    },
  );

  app.get<{
    Querystring: { groupBy?: string; model?: string; causeCode?: string; from?: string; to?: string };
  }>(
    '/api/v1/quality/failures',
    {
      schema: {
        operationId: 'failureRollup',
        tags: ['quality'],
        summary: 'Failures rolled up by model, batch or serial, per cause code',
        querystring: rollupQuery,
        response: { 200: rollupSchema, ...problemResponses(422) },
      },
      config: { permission: 'quality.read' },
    },
    async (req) => {
      const q = req.query;
      if (q.from && q.to && Date.parse(q.from) >= Date.parse(q.to))
        throw unprocessable('"from" must be before "to"');
      const groupBy = q.groupBy ?? 'model';
      const column =
        groupBy === 'batch' ? sql`batch` : groupBy === 'serial' ? sql`serial_number` : sql`model`;
      const rows = await db.execute<{
        key: string | null;
        cause_code: string | null;
        cases: number;
        failures: number;
      }>(sql`
        select ${column} as key, cause_code, count(distinct case_id)::int as cases, count(*)::int as failures
        from case_failures
        where true
          ${q.model ? sql`and model = ${q.model}` : sql``}
          ${q.causeCode ? sql`and cause_code = ${q.causeCode}` : sql``}
          ${q.from ? sql`and at >= ${q.from}::timestamptz` : sql``}
          ${q.to ? sql`and at < ${q.to}::timestamptz` : sql``}
        group by 1, 2 order by cases desc, 1, 2 limit 500`);
      return {
        groupBy,
        items: rows.map((r) => ({
          key: r.key,
          causeCode: r.cause_code,
          cases: r.cases,
          failures: r.failures,
        })),
      };
    },
  );

  app.get<{ Querystring: { from?: string; to?: string } }>(
    '/api/v1/quality/repeat-failures',
    {
      schema: {
        operationId: 'repeatFailureRate',
        tags: ['quality'],
        summary:
          'Post-repair failure rate (返修率): cases opened in the range that repeat a repair of the 30 days before',
        querystring: rangeQuery,
        response: { 200: repeatRateSchema, ...problemResponses(422) },
      },
      config: { permission: 'quality.read' },
    },
    async (req) => {
      const { from, to } = req.query;
      if (from && to && Date.parse(from) >= Date.parse(to)) throw unprocessable('"from" must be before "to"');
      const f = from ?? '1970-01-01T00:00:00Z';
      const t = to ?? '9999-01-01T00:00:00Z';
      const [repairs] = await db.execute<{ n: number }>(sql`
        select count(distinct case_id)::int as n from case_events
        where type = 'repair_completed' and at >= ${f}::timestamptz and at < ${t}::timestamptz`);
      const repeats = await db.execute<{ id: string; repeat_of: string; serial_number: string }>(sql`
        select id, repeat_of, serial_number from cases
        where repeat_of is not null and created_at >= ${f}::timestamptz and created_at < ${t}::timestamptz
        order by created_at limit 1000`);
      const n = repairs?.n ?? 0;
      return {
        repairs: n,
        repeats: repeats.length,
        rate: n === 0 ? null : repeats.length / n,
        items: repeats.map((r) => ({ caseId: r.id, repeatOf: r.repeat_of, serialNumber: r.serial_number })),
      };
    },
  );

  // ---- quality issues ------------------------------------------------------------------------------------
  type RaiseBody = {
    source: 'complaint' | 'repair_report';
    title: string;
    description: string;
    model: string;
    causeCode?: string;
    caseIds?: string[];
    complaintIds?: string[];
    targets?: Partial<Record<WorkingQualityStage, Target>>;
  };
  app.post<{ Body: RaiseBody }>(
    '/api/v1/quality-issues',
    {
      schema: {
        operationId: 'raiseQualityIssue',
        tags: ['quality'],
        summary: 'Raise a quality issue from a complaint or a repair report (clusters raise their own)',
        body: raiseBody,
        response: { 201: qualityIssueRef, ...problemResponses(422, 503) },
      },
      config: { permission: 'quality.raise' },
    },
    async (req, reply) => {
      const b = req.body;
      const caseIds = b.caseIds ?? [];
      const complaintIds = b.complaintIds ?? [];
      if (b.source === 'complaint' && complaintIds.length === 0)
        throw unprocessable('a quality issue raised from a complaint names it in complaintIds');
      if (b.source === 'repair_report') {
        if (caseIds.length === 0)
          throw unprocessable('a quality issue raised from a repair report names the case in caseIds');
        const reported = await db
          .selectDistinct({ id: caseEvents.caseId })
          .from(caseEvents)
          .where(and(inArray(caseEvents.caseId, caseIds), eq(caseEvents.type, 'repair_completed')));
        const withReport = new Set(reported.map((r) => r.id));
        const missing = caseIds.filter((id) => !withReport.has(id));
        if (missing.length > 0) throw unprocessable(`case ${missing.join(', ')} has no repair report`);
      }
      await assertCasesExist(db, caseIds);
      await assertComplaintsExist(db, complaintIds);
      if (b.causeCode) {
        const [code] = await db
          .select()
          .from(failureCodes)
          .where(and(eq(failureCodes.kind, 'cause'), eq(failureCodes.code, b.causeCode)));
        if (!code) throw unprocessable(`cause code "${b.causeCode}" is not in the failure-code list`);
      }
      const { row } = await raiseQualityIssue(
        {
          db,
          temporal: deps.temporal,
          taskQueue: deps.taskQueue,
          historyLimit: deps.complaints?.historyLimit,
        },
        {
          source: b.source,
          title: b.title,
          description: b.description,
          model: b.model,
          ...(b.causeCode ? { causeCode: b.causeCode } : {}),
          caseIds,
          complaintIds,
          ...(b.targets ? { targets: b.targets } : {}),
          raisedAt: new Date().toISOString(),
        },
        { createdBy: actorOf(req.principal!) },
      ).catch((err) => {
        throw err instanceof Problem
          ? err
          : unavailable(`the workflow engine did not accept the issue: ${(err as Error).message}`);
      });
      return reply.code(201).send(await issueViewOf(row));
    },
  );

  app.get<{
    Querystring: {
      stage?: string;
      source?: string;
      model?: string;
      owner?: string;
      limit?: string;
      cursor?: string;
    };
  }>(
    '/api/v1/quality-issues',
    {
      schema: {
        operationId: 'listQualityIssues',
        tags: ['quality'],
        summary: 'List quality issues, newest first, with filters and cursor pagination',
        querystring: issueListQuery,
        response: { 200: { $ref: 'QualityIssueList#' } },
      },
      config: { permission: 'quality.read' },
    },
    async (req) => {
      const q = req.query;
      const limit = q.limit ? Number(q.limit) : 20;
      const where: SQL[] = [];
      if (q.stage) where.push(eq(qualityIssues.stage, q.stage));
      if (q.source) where.push(eq(qualityIssues.source, q.source));
      if (q.model) where.push(eq(qualityIssues.model, q.model));
      if (q.owner) where.push(eq(qualityIssues.owner, q.owner));
      if (q.cursor) {
        const c = decodeCursor(q.cursor);
        where.push(sql`(${qualityIssues.createdAt}, ${qualityIssues.id}) < (${c.at}::timestamptz, ${c.id})`);
      }
      const rows = await db
        .select()
        .from(qualityIssues)
        .where(and(...where))
        .orderBy(desc(qualityIssues.createdAt), desc(qualityIssues.id))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map(summaryOf),
        nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/quality-issues/:id',
    {
      schema: {
        operationId: 'getQualityIssue',
        tags: ['quality'],
        summary: 'A quality issue with its analysis, plans, changes, verifications, clocks and timeline',
        params: issueIdParams,
        response: { 200: qualityIssueRef, ...problemResponses(404) },
      },
      config: { permission: 'quality.read' },
    },
    async (req) => issueViewOf(await findIssue(req.params.id)),
  );

  for (const step of STEPS) {
    app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(
      `/api/v1/quality-issues/:id/${step.name}`,
      {
        schema: {
          operationId: `qualityIssue${step.name.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}`,
          tags: ['quality steps'],
          summary: step.summary,
          params: issueIdParams,
          body: qualityStepBodies[step.name],
          response: { 200: qualityIssueRef, ...problemResponses(404, 409, 422, 503) },
        },
        config: { permission: step.permission },
      },
      async (req) => {
        const row = await findIssue(req.params.id);
        if (!isQualityOpen(row.stage as QualityStage))
          throw conflict(`quality issue ${row.id} is ${row.stage}; no further steps are possible`);
        if (step.name === 'link') {
          await assertCasesExist(db, (req.body.caseIds as string[]) ?? []);
          await assertComplaintsExist(db, (req.body.complaintIds as string[]) ?? []);
        }
        if (step.name === 'assign') await assertActivePerson(deps, 'owner', req.body.owner as string);
        try {
          await deps.temporal.workflow
            .getHandle(qualityWorkflowId(row.id))
            .executeUpdate(step.update, { args: [{ ...req.body, actor: actorOf(req.principal!) }] });
        } catch (err) {
          throw stepError(err, row.id);
        }
        return issueViewOf(await findIssue(row.id));
      },
    );
  }

  // ---- the quality policy (versioned) -----------------------------------------------------------------
  app.get(
    '/api/v1/quality/policy',
    {
      schema: {
        operationId: 'getQualityPolicy',
        tags: ['quality'],
        summary: 'The current quality policy: failure-cluster rule and stage deadlines',
        response: { 200: { $ref: 'QualityPolicy#' } },
      },
      config: { permission: 'quality.read' },
    },
    async () => currentQualityPolicy(db),
  );
  app.put<{ Body: Omit<QualityPolicy, 'id' | 'version'> }>(
    '/api/v1/quality/policy',
    {
      schema: {
        operationId: 'putQualityPolicy',
        tags: ['quality'],
        summary: 'A new version of the quality policy (issues already raised keep theirs)',
        body: qualityPolicyBody,
        response: {
          200: { $ref: 'QualityPolicy#', description: 'the new version' },
          ...problemResponses(422),
        },
      },
      config: { permission: 'quality-policy.write' },
    },
    async (req) => {
      const b = req.body;
      const current = await currentQualityPolicy(db);
      const found = validateClusterRule(b.cluster);
      const escalation = b.escalation ?? current.escalation;
      if (!escalation.some((s) => s.at === 1)) found.push('escalation needs a step at 1 (the deadline)');
      return db.transaction(async (tx) => {
        await lockKey(tx, qualityPolicyLock('default'));
        const [cal] = await tx
          .select({ id: calendars.id })
          .from(calendars)
          .where(eq(calendars.id, b.calendarId));
        if (!cal) found.push(`calendar "${b.calendarId}" does not exist`);
        if (found.length > 0)
          throw new Problem(422, 'invalid-policy', 'Invalid quality policy', found.join('; '), {
            problems: found,
          });
        const [latest] = await tx
          .select()
          .from(qualityPolicies)
          .where(eq(qualityPolicies.id, 'default'))
          .orderBy(desc(qualityPolicies.version))
          .limit(1);
        const version = (latest?.version ?? 0) + 1;
        await tx
          .update(qualityPolicies)
          .set({ retiredAt: new Date() })
          .where(and(eq(qualityPolicies.id, 'default'), isNull(qualityPolicies.retiredAt)));
        const definition: QualityPolicy = {
          id: 'default',
          version,
          name: b.name,
          calendarId: b.calendarId,
          cluster: b.cluster,
          targets: b.targets,
          escalation,
        };
        const [row] = await tx
          .insert(qualityPolicies)
          .values({ id: 'default', version, name: b.name, definition })
          .returning();
        return qualityPolicyOf(row);
      });
    },
  );
}
