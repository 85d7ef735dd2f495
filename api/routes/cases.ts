// Intake, detail and list of service cases.
import type { FastifyInstance } from 'fastify';
import { SlaSnapshots } from '../../db/sla-store.js';
import type { Intake } from '../../domain/case.js';
import { formatDuration } from '../../domain/duration.js';
import { type AppDeps, DEFAULT_INTAKE_MAX_BACKDATE_MS } from '../app.js';
import { autoAssign } from '../auto-assign.js';
import { canSee, visibleCases } from '../case-access.js';
import { openCase } from '../case-intake.js';
import {
  type CaseFilter,
  caseView,
  findCase,
  findCasesByExternalRef,
  listCases,
  summary,
} from '../case-read-model.js';
import { caseRef } from '../case-schemas.js';
import { actorOf } from '../plugins/auth.js';
import { conflict, notFound, Problem, unprocessable } from '../problem.js';
import { problemResponses } from '../schema-parts.js';
import { caseIdParams, intakeBody, listQuery } from '../schemas.js';
import { canSeeComplaint, complaintSummary, findComplaintByExternalRef } from './complaints/read-model.js';

type IntakeBody = Omit<Intake, 'reportedAt'> & { reportedAt?: string };

/** A little slack for the help desk's clock running ahead of ours. */
const CLOCK_SKEW_MS = 60_000;

export async function caseRoutes(app: FastifyInstance, appDeps: AppDeps) {
  const deps = { ...appDeps, slaSnapshots: new SlaSnapshots() };
  const maxBackdateMs = deps.intakeMaxBackdateMs ?? DEFAULT_INTAKE_MAX_BACKDATE_MS;
  app.post<{ Body: IntakeBody }>(
    '/api/v1/cases',
    {
      schema: {
        operationId: 'openCase',
        tags: ['cases'],
        summary: 'Open a service case (受理)',
        description:
          'Records a fault report and starts its workflow. With externalRef, the same ticket again from the same API key returns the existing case (200); a ticket reference belongs to the key that sent it. reportedAt may lie at most INTAKE_MAX_BACKDATE (default 30 days) in the past. A case carried over from another system is sent with imported: true — the steps already overdue are recorded without paging anyone (docs/process.md, "Importing cases").',
        body: intakeBody,
        response: {
          201: { description: 'The case was opened', ...caseRef },
          200: { description: 'A case with this externalRef exists already: that case', ...caseRef },
          ...problemResponses(503),
        },
      },
      config: { permission: 'cases.create' },
    },
    async (req, reply) => {
      const body = req.body;
      if (!body.customer.phone && !body.customer.email) {
        throw unprocessable('customer needs a phone or an email so the engineer can reach them');
      }
      const now = Date.now();
      if (body.reportedAt && Date.parse(body.reportedAt) > now + CLOCK_SKEW_MS) {
        throw unprocessable(`reportedAt ${body.reportedAt} lies in the future`);
      }
      // A report dated long ago would start its SLA clocks long ago and fire every escalation, up to
      // upper management, the moment the case opens.
      if (body.reportedAt && Date.parse(body.reportedAt) < now - maxBackdateMs) {
        const limit = formatDuration(maxBackdateMs);
        throw new Problem(
          422,
          'reported-too-long-ago',
          'Invalid content',
          `reportedAt ${body.reportedAt} lies more than ${limit} in the past; a case may be back-dated by at most ${limit}`,
          { field: 'reportedAt', limit, limitMs: maxBackdateMs },
        );
      }
      if (body.product.purchaseDate && Date.parse(body.product.purchaseDate) > now) {
        throw unprocessable(`product.purchaseDate ${body.product.purchaseDate} lies in the future`);
      }
      const intake: Intake = {
        ...body,
        reportedAt: new Date(body.reportedAt ? Date.parse(body.reportedAt) : now).toISOString(),
      };
      const principal = req.principal!;
      const { created, row } = await openCase(deps, intake, {
        keyId: principal.keyId,
        actor: actorOf(principal),
      });
      // A team's auto-assign rule (docs/people.md) may hand the new case to an engineer at once.
      const assigned = created ? await autoAssign(deps, row) : null;
      // Read again only what an assignment changed; a case just opened is the row its insert returned.
      const current = assigned ? ((await findCase(deps.db, row.id)) ?? row) : row;
      // A ticket reference is this key's own, so the case it finds is one it opened; should that ever
      // not hold, the caller learns nothing of a case it may not read.
      if (!created && !canSee(principal, current)) {
        throw conflict('this ticket reference is already in use', { field: 'externalRef' });
      }
      const view = await caseView(deps.db, current);
      return reply.code(created ? 201 : 200).send(view);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/cases/:id',
    {
      schema: {
        operationId: 'getCase',
        tags: ['cases'],
        summary: 'A case with the data of each stage and its timeline',
        params: caseIdParams,
        response: { 200: { description: 'The case', ...caseRef }, ...problemResponses(404) },
      },
      config: { permission: 'cases.read' },
    },
    async (req) => {
      const row = await findCase(deps.db, req.params.id);
      if (!row || !canSee(req.principal!, row)) throw notFound('case', req.params.id);
      return caseView(deps.db, row);
    },
  );

  app.get<{ Querystring: CaseFilter }>(
    '/api/v1/cases',
    {
      schema: {
        operationId: 'listCases',
        tags: ['cases'],
        summary: 'List cases, newest first, with filters and cursor pagination',
        description: 'A help desk key lists only the cases it opened.',
        querystring: listQuery,
        response: {
          200: { description: 'One page of cases', $ref: 'CaseList#' },
          ...problemResponses(422),
        },
      },
      config: { permission: 'cases.read' },
    },
    async (req) => {
      const { from, to } = req.query;
      if (from && to && Date.parse(from) >= Date.parse(to)) throw unprocessable('"from" must be before "to"');
      return await listCases(deps.db, req.query, visibleCases(req.principal!));
    },
  );

  app.get<{ Params: { system: string; ticketId: string } }>(
    '/api/v1/external-refs/:system/:ticketId',
    {
      schema: {
        operationId: 'findByExternalRef',
        tags: ['cases'],
        summary: "Find cases and complaints by the help desk's own ticket reference",
        params: {
          type: 'object',
          required: ['system', 'ticketId'],
          properties: {
            system: { type: 'string', minLength: 1, maxLength: 50 },
            ticketId: { type: 'string', minLength: 1, maxLength: 200 },
          },
        },
        response: {
          200: {
            description: 'What carries this ticket reference',
            type: 'object',
            additionalProperties: false,
            required: ['externalRef', 'cases', 'complaints'],
            properties: {
              externalRef: {
                type: 'object',
                additionalProperties: false,
                required: ['system', 'id'],
                properties: { system: { type: 'string' }, id: { type: 'string' } },
              },
              cases: { type: 'array', items: { $ref: 'CaseSummary#' } },
              complaints: {
                type: 'array',
                items: { $ref: 'ComplaintSummary#' },
                description: 'the complaint (投诉) opened with this ticket, if the caller may read it',
              },
            },
          },
          ...problemResponses(404),
        },
      },
      config: { permission: 'cases.read' },
    },
    async (req) => {
      // Every help desk has its own tickets: the same reference may name cases of several help desks;
      // the caller gets those it may read.
      const rows = await findCasesByExternalRef(
        deps.db,
        req.params.system,
        req.params.ticketId,
        visibleCases(req.principal!),
      );
      const complaint = await findComplaintByExternalRef(deps.db, req.params.system, req.params.ticketId);
      const complaints =
        complaint && canSeeComplaint(req.principal!, complaint) ? [complaintSummary(complaint)] : [];
      if (rows.length === 0 && complaints.length === 0)
        throw notFound('ticket', `${req.params.system}/${req.params.ticketId}`);
      return {
        externalRef: { system: req.params.system, id: req.params.ticketId },
        cases: rows.map(summary),
        complaints,
      };
    },
  );
}
