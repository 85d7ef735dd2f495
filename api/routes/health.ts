// Health: 200 when both Temporal and the database answer, 503 naming whichever does not.

import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app.js';

const PROBE_TIMEOUT_MS = 2000;

const probeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ok'],
  properties: {
    ok: { type: 'boolean' },
    error: { type: 'string', description: 'why it did not answer' },
  },
} as const;

const healthSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'database', 'temporal'],
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded'] },
    database: probeSchema,
    temporal: probeSchema,
  },
} as const;

async function probe(check: () => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)),
          PROBE_TIMEOUT_MS,
        );
      }),
    ]);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message.split('\n')[0] };
  } finally {
    clearTimeout(timer);
  }
}

export async function healthRoutes(app: FastifyInstance, deps: AppDeps) {
  app.get(
    '/health',
    {
      schema: {
        operationId: 'getHealth',
        tags: ['system'],
        summary: 'Liveness of the API and its dependencies',
        description:
          'Needs no API key. 200 when the database and Temporal answer, 503 naming the one that does not.',
        security: [],
        response: {
          200: { description: 'Both dependencies answer', ...healthSchema },
          503: {
            description: 'A dependency does not answer (application/json, not a problem)',
            ...healthSchema,
          },
        },
      },
    },
    async (_req, reply) => {
      const [database, temporal] = await Promise.all([
        probe(() => deps.db.execute(sql`select 1`)),
        probe(() => deps.temporal.workflowService.getSystemInfo({})),
      ]);
      const ok = database.ok && temporal.ok;
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', database, temporal });
    },
  );
}
