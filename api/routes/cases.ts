// Intake, detail and list of service cases.
import type { FastifyInstance } from 'fastify';
import type { Intake } from '../../domain/case.js';
import type { AppDeps } from '../app.js';
import { openCase } from '../case-intake.js';
import { BadCursor, type CaseFilter, caseView, findCase, listCases } from '../case-read-model.js';
import { notFound, Problem, unprocessable } from '../problem.js';
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
      const { created, row } = await openCase(deps, intake);
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
    },
    async (req) => {
      const row = await findCase(deps.db, req.params.id);
      if (!row) throw notFound('case', req.params.id);
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
    },
    async (req) => {
      const { from, to } = req.query;
      if (from && to && Date.parse(from) >= Date.parse(to)) throw unprocessable('"from" must be before "to"');
      try {
        return await listCases(deps.db, req.query);
      } catch (err) {
        if (err instanceof BadCursor) throw new Problem(400, 'invalid-cursor', 'Bad request', err.message);
        throw err;
      }
    },
  );
}
