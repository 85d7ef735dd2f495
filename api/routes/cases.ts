// Intake, detail and list of service cases.
import type { FastifyInstance } from 'fastify';
import type { Intake } from '../../domain/case.js';
import type { AppDeps } from '../app.js';
import { canSee } from '../case-access.js';
import { openCase } from '../case-intake.js';
import {
  type CaseFilter,
  caseView,
  findCase,
  findCaseByExternalRef,
  listCases,
  summary,
} from '../case-read-model.js';
import { actorOf } from '../plugins/auth.js';
import { notFound, unprocessable } from '../problem.js';
import { caseIdParams, intakeBody, listQuery } from '../schemas.js';

type IntakeBody = Omit<Intake, 'reportedAt'> & { reportedAt?: string };

/** A little slack for the help desk's clock running ahead of ours. */
const CLOCK_SKEW_MS = 60_000;

export async function caseRoutes(app: FastifyInstance, deps: AppDeps) {
  app.post<{ Body: IntakeBody }>(
    '/api/v1/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'Open a service case (受理)',
        description:
          'Records a fault report and starts its workflow. With externalRef, the same ticket again returns the existing case (200).',
        body: intakeBody,
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
      const view = await caseView(deps.db, (await findCase(deps.db, row.id)) ?? row);
      return reply.code(created ? 201 : 200).send(view);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/cases/:id',
    {
      schema: {
        tags: ['cases'],
        summary: 'A case with the data of each stage and its timeline',
        params: caseIdParams,
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
        tags: ['cases'],
        summary: 'List cases, newest first, with filters and cursor pagination',
        querystring: listQuery,
      },
      config: { permission: 'cases.read' },
    },
    async (req) => {
      const { from, to } = req.query;
      if (from && to && Date.parse(from) >= Date.parse(to)) throw unprocessable('"from" must be before "to"');
      const principal = req.principal!;
      const scope = principal.role === 'helpdesk' ? { createdByKey: principal.keyId } : {};
      return await listCases(deps.db, { ...req.query, ...scope });
    },
  );

  app.get<{ Params: { system: string; ticketId: string } }>(
    '/api/v1/external-refs/:system/:ticketId',
    {
      schema: {
        tags: ['cases'],
        summary: "Find cases (and, once they exist, complaints) by the help desk's own ticket reference",
        params: {
          type: 'object',
          required: ['system', 'ticketId'],
          properties: {
            system: { type: 'string', minLength: 1, maxLength: 50 },
            ticketId: { type: 'string', minLength: 1, maxLength: 200 },
          },
        },
      },
      config: { permission: 'cases.read' },
    },
    async (req) => {
      const row = await findCaseByExternalRef(deps.db, req.params.system, req.params.ticketId);
      const visible = row && canSee(req.principal!, row) ? [summary(row)] : [];
      if (visible.length === 0) throw notFound('ticket', `${req.params.system}/${req.params.ticketId}`);
      return {
        externalRef: { system: req.params.system, id: req.params.ticketId },
        cases: visible,
        complaints: [],
      };
    },
  );
}
