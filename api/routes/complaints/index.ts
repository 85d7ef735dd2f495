// Complaints (投诉): intake, list and detail, one POST per human step (a Temporal Update whose validator
// answers 409 naming why the step does not fit), evidence files, the progress-update compliance report
// and the versioned complaint policy.
import { createHash, randomBytes } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { complaintPolicyLock, complaintPolicyOf } from '../../../db/complaint-store.js';
import { calendars, complaintEvidence, complaintPolicies } from '../../../db/schema.js';
import { lockKey } from '../../../db/sla-store.js';
import {
  type ComplaintIntake,
  type ComplaintStage,
  type ComplaintState,
  type ComplaintStepName,
  complaintWorkflowId,
  isComplaintOpen,
} from '../../../domain/complaints/complaint.js';
import {
  type ComplaintPolicy,
  DEFAULT_COMPLAINT_POLICY,
  validateComplaintPolicy,
} from '../../../domain/complaints/policy.js';
import {
  acknowledgeUpdate,
  addActionUpdate,
  answerUpdate,
  attachEvidenceUpdate,
  completeActionUpdate,
  customerResponseUpdate,
  effectivenessCheckUpdate,
  linkCaseUpdate,
  progressUpdateUpdate,
  reclassifyUpdate,
  recordFindingUpdate,
  routeUpdate,
  waiveActionsUpdate,
  withdrawUpdate,
} from '../../../workflows/complaint.js';
import type { AppDeps } from '../../app.js';
import type { Principal } from '../../auth/keys.js';
import type { Permission } from '../../auth/roles.js';
import { assertActivePerson, findActivePerson } from '../../engineers.js';
import { actorOf } from '../../plugins/auth.js';
import { conflict, notFound, Problem, unavailable, unprocessable } from '../../problem.js';
import { problemResponses } from '../../schema-parts.js';
import { assertCasesExist, openComplaint } from './intake.js';
import {
  type ComplaintFilter,
  canSeeComplaint,
  complaintView,
  evidenceView,
  findComplaint,
  listComplaints,
  progressCompliance,
} from './read-model.js';
import {
  complaintIdParams,
  complaintIntakeBody,
  complaintListQuery,
  complaintPolicyBody,
  complaintPolicyRef,
  complaintRef,
  complaintStepBodies,
  complianceSchema,
  evidenceBody,
  evidenceFileContent,
  evidenceParams,
  evidenceUploadSchema,
  policyIdParams,
  reportQuery,
} from './schemas.js';

/** Default largest evidence file (bytes); COMPLAINT_EVIDENCE_MAX_BYTES overrides. */
export const EVIDENCE_MAX_BYTES = 2 * 1024 * 1024;
const CLOCK_SKEW_MS = 60_000;

type StepPath = Exclude<ComplaintStepName, 'attach-evidence'>;
const STEPS: Array<{
  name: StepPath;
  // biome-ignore lint/suspicious/noExplicitAny: each update takes its own step type
  update: UpdateDefinition<ComplaintState, [any]>;
  permission: Permission;
  summary: string;
}> = [
  {
    name: 'acknowledge',
    update: acknowledgeUpdate,
    permission: 'complaints.acknowledge',
    summary: 'Tell the customer the complaint is being handled (受理确认); starts the investigation',
  },
  {
    name: 'reclassify',
    update: reclassifyUpdate,
    permission: 'complaints.classify',
    summary: 'Revise urgency and importance (with a reason); the priority follows the matrix',
  },
  {
    name: 'route',
    update: routeUpdate,
    permission: 'complaints.classify',
    summary: 'Override the route: department and owner, with a reason',
  },
  {
    name: 'record-finding',
    update: recordFindingUpdate,
    permission: 'complaints.investigate',
    summary: 'Record an investigation finding, with the repair records it rests on',
  },
  {
    name: 'link-case',
    update: linkCaseUpdate,
    permission: 'complaints.investigate',
    summary: 'Link a service case (repair record) to the complaint',
  },
  {
    name: 'add-action',
    update: addActionUpdate,
    permission: 'complaints.investigate',
    summary: 'Add a corrective action: description, type, responsible person, deadline',
  },
  {
    name: 'complete-action',
    update: completeActionUpdate,
    permission: 'complaints.investigate',
    summary: 'Mark a corrective action done, with its result',
  },
  {
    name: 'waive-actions',
    update: waiveActionsUpdate,
    permission: 'complaints.waive-actions',
    summary: 'Let the answer go out while corrective actions are open (manager, with a reason)',
  },
  {
    name: 'progress-update',
    update: progressUpdateUpdate,
    permission: 'complaints.respond',
    summary: 'A progress update to the customer (进度反馈); restarts the progress-update clock',
  },
  {
    name: 'answer',
    update: answerUpdate,
    permission: 'complaints.answer',
    summary: 'Answer the customer (答复); needs a finding and no open action unless waived',
  },
  {
    name: 'customer-response',
    update: customerResponseUpdate,
    permission: 'complaints.respond',
    summary: 'The customer accepts the answer (resolved) or rejects it (back to investigation)',
  },
  {
    name: 'effectiveness-check',
    update: effectivenessCheckUpdate,
    permission: 'complaints.effectiveness-check',
    summary: 'Check the corrective actions worked; effective closes the complaint',
  },
  {
    name: 'withdraw',
    update: withdrawUpdate,
    permission: 'complaints.withdraw',
    summary: 'Withdraw the complaint with a reason',
  },
];

/** What a file claims to be must match what it starts with (or, for text, that it is text). */
function contentMatches(type: string, bytes: Buffer): boolean {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  switch (type) {
    case 'image/jpeg':
      return starts(0xff, 0xd8, 0xff);
    case 'image/png':
      return starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
    case 'application/pdf':
      return starts(0x25, 0x50, 0x44, 0x46, 0x2d);
    case 'text/plain':
      return !bytes.includes(0) && Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);
    default:
      return false;
  }
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function stepError(err: unknown, id: string) {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    if (err.cause.type === 'StepRejected') return conflict(err.cause.message);
  }
  if (err instanceof WorkflowNotFoundError)
    return conflict(`complaint ${id} no longer accepts steps (its workflow has completed)`);
  return unavailable(`the workflow engine could not take the step: ${(err as Error).message}`);
}

export async function complaintRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db } = deps;
  const evidenceMax = deps.complaints?.evidenceMaxBytes ?? EVIDENCE_MAX_BYTES;
  const intakeDeps = { ...deps, historyLimit: deps.complaints?.historyLimit };

  async function loadFor(req: { principal?: Principal }, id: string) {
    const row = await findComplaint(db, id);
    if (!row || !canSeeComplaint(req.principal!, row)) throw notFound('complaint', id);
    return row;
  }

  app.post<{ Body: Omit<ComplaintIntake, 'reportedAt'> & { reportedAt?: string } }>(
    '/api/v1/complaints',
    {
      schema: {
        operationId: 'openComplaint',
        tags: ['complaints'],
        summary: 'Record a complaint (投诉受理): classified by the matrix and routed by the rules',
        description:
          'Starts the complaint workflow. With externalRef, the same ticket again returns the existing complaint (200).',
        body: complaintIntakeBody,
        response: { 200: complaintRef, 201: complaintRef, ...problemResponses(409, 422, 503) },
      },
      config: { permission: 'complaints.create' },
    },
    async (req, reply) => {
      const body = req.body;
      if (!body.customer.phone && !body.customer.email)
        throw unprocessable('customer needs a phone or an email so we can answer the complaint');
      const now = Date.now();
      if (body.reportedAt && Date.parse(body.reportedAt) > now + CLOCK_SKEW_MS)
        throw unprocessable(`reportedAt ${body.reportedAt} lies in the future`);
      if (Date.parse(body.product.purchaseDate) > now)
        throw unprocessable(`product.purchaseDate ${body.product.purchaseDate} lies in the future`);
      const intake: ComplaintIntake = {
        ...body,
        reportedAt: new Date(body.reportedAt ? Date.parse(body.reportedAt) : now).toISOString(),
      };
      const p = req.principal!;
      const { created, row } = await openComplaint(intakeDeps, intake, { keyId: p.keyId, actor: actorOf(p) });
      if (!created && !canSeeComplaint(p, row))
        throw conflict('this external reference belongs to another key');
      const fresh = (await findComplaint(db, row.id)) ?? row;
      return reply.code(created ? 201 : 200).send(await complaintView(db, fresh));
    },
  );

  app.get<{ Querystring: ComplaintFilter }>(
    '/api/v1/complaints',
    {
      schema: {
        operationId: 'listComplaints',
        tags: ['complaints'],
        summary: 'List complaints, newest first, with filters and cursor pagination',
        querystring: complaintListQuery,
        response: { 200: { $ref: 'ComplaintList#' }, ...problemResponses(422) },
      },
      config: { permission: 'complaints.read' },
    },
    async (req) => {
      const { from, to } = req.query;
      if (from && to && Date.parse(from) >= Date.parse(to)) throw unprocessable('"from" must be before "to"');
      const p = req.principal!;
      return listComplaints(db, {
        ...req.query,
        ...(p.role === 'helpdesk' ? { createdByKey: p.keyId } : {}),
      });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/complaints/:id',
    {
      schema: {
        operationId: 'getComplaint',
        tags: ['complaints'],
        summary: 'A complaint with its classification, route, investigation, actions, clocks and timeline',
        params: complaintIdParams,
        response: { 200: complaintRef, ...problemResponses(404) },
      },
      config: { permission: 'complaints.read' },
    },
    async (req) => complaintView(db, await loadFor(req, req.params.id)),
  );

  async function runStep(
    id: string,
    // biome-ignore lint/suspicious/noExplicitAny: each update takes its own step type
    update: UpdateDefinition<ComplaintState, [any]>,
    input: Record<string, unknown>,
    updateId?: string,
  ) {
    try {
      await deps.temporal.workflow.getHandle(complaintWorkflowId(id)).executeUpdate(update, {
        args: [input],
        ...(updateId ? { updateId } : {}),
      });
    } catch (err) {
      throw stepError(err, id);
    }
  }

  for (const step of STEPS) {
    app.post<{
      Params: { id: string };
      Body: Record<string, unknown>;
      Headers: { 'idempotency-key'?: string };
    }>(
      `/api/v1/complaints/:id/${step.name}`,
      {
        schema: {
          operationId: `complaint${step.name.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}`,
          tags: ['complaint steps'],
          summary: step.summary,
          params: complaintIdParams,
          body: complaintStepBodies[step.name],
          headers: {
            type: 'object',
            properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 } },
          },
          response: { 200: complaintRef, ...problemResponses(404, 409, 422, 503) },
        },
        config: { permission: step.permission },
      },
      async (req) => {
        const p = req.principal!;
        const row = await loadFor(req, req.params.id);
        if (!isComplaintOpen(row.stage as ComplaintStage))
          throw conflict(`complaint ${row.id} is ${row.stage}; no further steps are possible`, {
            stage: row.stage,
          });
        const body = req.body;
        if (step.name === 'link-case') await assertCasesExist(db, [body.caseId as string]);
        // Owners and responsible people are people the directory knows: their notifications reach them.
        if (step.name === 'route' && body.owner)
          await assertActivePerson(deps, 'owner', body.owner as string);
        if (step.name === 'add-action')
          await assertActivePerson(deps, 'responsible', body.responsible as string);
        if (step.name === 'record-finding') await assertCasesExist(db, (body.caseIds as string[]) ?? []);
        const key = req.headers['idempotency-key'];
        await runStep(
          row.id,
          step.update,
          { ...body, actor: actorOf(p) },
          key ? `${step.name}:${p.keyId}:${key}` : undefined,
        );
        return complaintView(db, (await findComplaint(db, row.id))!);
      },
    );
  }

  app.post<{
    Params: { id: string };
    Body: { fileName: string; contentType: string; contentBase64: string; note?: string };
  }>(
    '/api/v1/complaints/:id/evidence',
    {
      // Base64 takes 4 bytes per 3; the rest of the body is small.
      bodyLimit: Math.ceil((evidenceMax * 4) / 3) + 16 * 1024,
      schema: {
        operationId: 'uploadComplaintEvidence',
        tags: ['complaint steps'],
        summary: 'Upload an evidence file (JPEG, PNG, PDF or plain text, base64); stored with its SHA-256',
        params: complaintIdParams,
        body: evidenceBody,
        response: {
          200: { ...evidenceUploadSchema, description: 'the same file was attached already' },
          201: { ...evidenceUploadSchema, description: 'stored and attached' },
          ...problemResponses(404, 409, 413, 415, 422, 503),
        },
      },
      config: { permission: 'complaints.investigate' },
    },
    async (req, reply) => {
      const p = req.principal!;
      const row = await loadFor(req, req.params.id);
      if (!isComplaintOpen(row.stage as ComplaintStage))
        throw conflict(`complaint ${row.id} is ${row.stage}; no further steps are possible`);
      const { fileName, contentType, contentBase64, note } = req.body;
      if (!BASE64_RE.test(contentBase64)) throw unprocessable('contentBase64 is not valid base64');
      const bytes = Buffer.from(contentBase64, 'base64');
      if (bytes.length === 0) throw unprocessable('the file is empty');
      if (bytes.length > evidenceMax)
        throw new Problem(
          413,
          'evidence-too-large',
          'Payload too large',
          `the file has ${bytes.length} bytes; at most ${evidenceMax} are accepted`,
        );
      if (!contentMatches(contentType, bytes))
        throw new Problem(
          415,
          'evidence-type-mismatch',
          'Unsupported media type',
          `the file's content is not ${contentType}`,
        );
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const id = `EV${randomBytes(8).toString('hex')}`;
      const inserted = await db
        .insert(complaintEvidence)
        .values({
          id,
          complaintId: row.id,
          fileName,
          contentType,
          size: bytes.length,
          sha256,
          content: bytes,
          note: note ?? null,
          uploadedBy: actorOf(p),
        })
        .onConflictDoNothing()
        .returning({ id: complaintEvidence.id });
      const [stored] = await db
        .select({
          id: complaintEvidence.id,
          complaintId: complaintEvidence.complaintId,
          fileName: complaintEvidence.fileName,
          contentType: complaintEvidence.contentType,
          size: complaintEvidence.size,
          sha256: complaintEvidence.sha256,
          note: complaintEvidence.note,
          uploadedBy: complaintEvidence.uploadedBy,
          uploadedAt: complaintEvidence.uploadedAt,
        })
        .from(complaintEvidence)
        .where(and(eq(complaintEvidence.complaintId, row.id), eq(complaintEvidence.sha256, sha256)));
      const state = row.state as ComplaintState | null;
      const attached = state?.evidence.some((e) => e.evidenceId === stored.id) ?? false;
      if (!attached) {
        try {
          await runStep(row.id, attachEvidenceUpdate, {
            actor: actorOf(p),
            evidenceId: stored.id,
            fileName: stored.fileName,
            contentType: stored.contentType,
            size: stored.size,
            sha256,
            ...(note ? { note } : {}),
          });
        } catch (err) {
          // Refused by the workflow: the file must not stay behind without its step.
          if (inserted.length === 1) await db.delete(complaintEvidence).where(eq(complaintEvidence.id, id));
          throw err;
        }
      }
      const complaint = await complaintView(db, (await findComplaint(db, row.id))!);
      return reply
        .code(inserted.length === 1 ? 201 : 200)
        .send({ evidence: evidenceView(stored), complaint });
    },
  );

  app.get<{ Params: { id: string; evidenceId: string } }>(
    '/api/v1/complaints/:id/evidence/:evidenceId',
    {
      schema: {
        operationId: 'downloadComplaintEvidence',
        tags: ['complaints'],
        summary: 'The evidence file itself, with its content type and SHA-256 (ETag)',
        params: evidenceParams,
        response: {
          200: { description: 'the file, in the type it was uploaded as', content: evidenceFileContent },
          ...problemResponses(404),
        },
      },
      config: { permission: 'complaints.read' },
    },
    async (req, reply) => {
      await loadFor(req, req.params.id);
      const [e] = await db
        .select()
        .from(complaintEvidence)
        .where(
          and(
            eq(complaintEvidence.id, req.params.evidenceId),
            eq(complaintEvidence.complaintId, req.params.id),
          ),
        );
      if (!e) throw notFound('evidence', req.params.evidenceId);
      return reply
        .type(e.contentType)
        .header('etag', `"${e.sha256}"`)
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(e.fileName)}`)
        .send(e.content);
    },
  );

  app.get<{ Querystring: { from?: string; to?: string } }>(
    '/api/v1/complaint-reports/progress-updates',
    {
      schema: {
        operationId: 'complaintProgressCompliance',
        tags: ['complaints'],
        summary: 'Progress-update compliance per owner: on time, late, missed',
        querystring: reportQuery,
        response: { 200: complianceSchema, ...problemResponses(422) },
      },
      config: { permission: 'complaints.reports' },
    },
    async (req) => {
      const { from, to } = req.query;
      if (from && to && Date.parse(from) >= Date.parse(to)) throw unprocessable('"from" must be before "to"');
      return progressCompliance(db, req.query);
    },
  );

  // ---- the complaint policy (versioned) --------------------------------------------------------------
  const policyView = (row: typeof complaintPolicies.$inferSelect) => {
    const p = complaintPolicyOf(row);
    return {
      ...p,
      createdAt: row.createdAt.toISOString(),
      retiredAt: row.retiredAt?.toISOString() ?? null,
      current: row.retiredAt === null,
    };
  };

  app.get(
    '/api/v1/complaint-policies',
    {
      schema: {
        operationId: 'listComplaintPolicies',
        tags: ['complaint policies'],
        summary: 'The current version of every complaint policy (classification matrix, targets, routing)',
        querystring: { type: 'object', additionalProperties: false, properties: {} },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['items'],
            properties: { items: { type: 'array', items: complaintPolicyRef } },
          },
        },
      },
      config: { permission: 'complaint-policies.read' },
    },
    async () => {
      const rows = await db
        .select()
        .from(complaintPolicies)
        .where(isNull(complaintPolicies.retiredAt))
        .orderBy(asc(complaintPolicies.id));
      return { items: rows.map(policyView) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/complaint-policies/:id',
    {
      schema: {
        operationId: 'getComplaintPolicy',
        tags: ['complaint policies'],
        summary: 'A complaint policy with all its versions, newest first',
        params: policyIdParams,
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['versions'],
            properties: { versions: { type: 'array', items: complaintPolicyRef } },
          },
          ...problemResponses(404),
        },
      },
      config: { permission: 'complaint-policies.read' },
    },
    async (req) => {
      const rows = await db
        .select()
        .from(complaintPolicies)
        .where(eq(complaintPolicies.id, req.params.id))
        .orderBy(desc(complaintPolicies.version));
      if (rows.length === 0) throw notFound('complaint policy', req.params.id);
      return { versions: rows.map(policyView) };
    },
  );

  app.put<{
    Params: { id: string };
    Body: Omit<
      ComplaintPolicy,
      'id' | 'version' | 'match' | 'escalation' | 'progressEscalation' | 'actionEscalation' | 'routing'
    > &
      Partial<ComplaintPolicy>;
  }>(
    '/api/v1/complaint-policies/:id',
    {
      schema: {
        operationId: 'putComplaintPolicy',
        tags: ['complaint policies'],
        summary: 'Create a complaint policy or add a new version (open complaints keep theirs)',
        params: policyIdParams,
        body: complaintPolicyBody,
        response: {
          200: { ...complaintPolicyRef, description: 'a new version of the policy' },
          201: { ...complaintPolicyRef, description: 'the policy, created' },
          ...problemResponses(409, 422),
        },
      },
      config: { permission: 'complaint-policies.write' },
    },
    async (req, reply) => {
      const { id } = req.params;
      const b = req.body;
      const base = DEFAULT_COMPLAINT_POLICY;
      const def: Omit<ComplaintPolicy, 'id' | 'version'> = {
        name: b.name,
        match: b.match ?? {},
        calendarId: b.calendarId,
        matrix: b.matrix,
        targets: b.targets,
        escalation: b.escalation ?? base.escalation,
        progressEscalation: b.progressEscalation ?? base.progressEscalation,
        actionEscalation: b.actionEscalation ?? base.actionEscalation,
        routing: b.routing ?? base.routing,
      };
      const found = validateComplaintPolicy(def);
      for (const [i, rule] of def.routing.entries())
        if (rule.owner && !(await findActivePerson(deps, rule.owner)))
          found.push(`routing[${i}].owner "${rule.owner}" is not an active person in the staff directory`);
      if (id === 'default' && def.match.productLine !== undefined)
        found.push('the default policy must match every complaint: its match must be {}');
      const result = await db.transaction(async (tx) => {
        await lockKey(tx, complaintPolicyLock(id));
        const [cal] = await tx
          .select({ id: calendars.id })
          .from(calendars)
          .where(eq(calendars.id, def.calendarId));
        if (!cal) found.push(`calendar "${def.calendarId}" does not exist`);
        if (found.length > 0)
          throw new Problem(422, 'invalid-policy', 'Invalid complaint policy', found.join('; '), {
            problems: found,
          });
        const current = await tx.select().from(complaintPolicies).where(isNull(complaintPolicies.retiredAt));
        const twin = current.find(
          (r) => r.id !== id && (r.definition.match.productLine ?? null) === (def.match.productLine ?? null),
        );
        if (twin)
          throw new Problem(
            409,
            'policy-conflict',
            'Conflict',
            `complaint policy "${twin.id}" already applies to exactly these complaints`,
          );
        const [latest] = await tx
          .select()
          .from(complaintPolicies)
          .where(eq(complaintPolicies.id, id))
          .orderBy(desc(complaintPolicies.version))
          .limit(1);
        const version = (latest?.version ?? 0) + 1;
        if (latest && !latest.retiredAt)
          await tx
            .update(complaintPolicies)
            .set({ retiredAt: new Date() })
            .where(and(eq(complaintPolicies.id, id), eq(complaintPolicies.version, latest.version)));
        const [row] = await tx
          .insert(complaintPolicies)
          .values({ id, version, name: def.name, definition: { id, version, ...def } })
          .returning();
        return { row, created: !latest };
      });
      return reply.code(result.created ? 201 : 200).send(policyView(result.row));
    },
  );
}
