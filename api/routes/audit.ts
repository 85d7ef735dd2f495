// The audit trail of state-changing requests, newest first, for admins.
import { and, desc, eq, gte, lt, type SQL, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { auditLog } from '../../db/schema.js';
import type { AppDeps } from '../app.js';
import { decodeIntCursor, encodeCursor } from '../cursor.js';
import { dateTime, nullableString } from '../schema-parts.js';

const auditRecord = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'at',
    'requestId',
    'clientRequestId',
    'keyId',
    'actor',
    'role',
    'method',
    'path',
    'target',
    'status',
  ],
  properties: {
    id: { type: 'integer' },
    at: dateTime,
    requestId: { type: 'string', description: 'our X-Request-Id of the request' },
    clientRequestId: { ...nullableString, description: "the client's own X-Request-Id, if it sent one" },
    keyId: { ...nullableString, description: 'the API key; null when none was valid' },
    actor: { ...nullableString, description: "the key's person, or key:<id>" },
    role: nullableString,
    method: { type: 'string', enum: ['POST', 'PUT', 'PATCH', 'DELETE'] },
    path: { type: 'string' },
    target: { ...nullableString, description: 'the id in the path, if any' },
    status: { type: 'integer', description: 'the HTTP status answered' },
  },
} as const;

interface AuditQuery {
  keyId?: string;
  actor?: string;
  target?: string;
  method?: string;
  from?: string;
  to?: string;
  limit?: string;
  cursor?: string;
}

export async function auditRoutes(app: FastifyInstance, deps: AppDeps) {
  app.get<{ Querystring: AuditQuery }>(
    '/api/v1/audit',
    {
      schema: {
        operationId: 'listAuditRecords',
        tags: ['access'],
        summary: 'Audit trail: every state-changing request (actor, key, time, request id, target, status)',
        description: 'Newest first, refused requests (401/403/4xx) included.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            keyId: { type: 'string', maxLength: 32 },
            actor: { type: 'string', maxLength: 100 },
            target: { type: 'string', maxLength: 100 },
            method: { type: 'string', enum: ['POST', 'PUT', 'PATCH', 'DELETE'] },
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            limit: { type: 'string', pattern: '^(?:[1-9][0-9]?|100)$' },
            cursor: { type: 'string', maxLength: 200 },
          },
        },
        response: {
          200: {
            description: 'One page of audit records',
            type: 'object',
            additionalProperties: false,
            required: ['items', 'nextCursor'],
            properties: { items: { type: 'array', items: auditRecord }, nextCursor: nullableString },
          },
        },
      },
      config: { permission: 'audit.read' },
    },
    async (req) => {
      const q = req.query;
      const limit = q.limit ? Number(q.limit) : 50;
      const where: SQL[] = [];
      if (q.keyId) where.push(eq(auditLog.keyId, q.keyId));
      if (q.actor) where.push(eq(auditLog.actor, q.actor));
      if (q.target) where.push(eq(auditLog.target, q.target));
      if (q.method) where.push(eq(auditLog.method, q.method));
      if (q.from) where.push(gte(auditLog.at, new Date(q.from)));
      if (q.to) where.push(lt(auditLog.at, new Date(q.to)));
      if (q.cursor) {
        const c = decodeIntCursor(q.cursor);
        where.push(sql`(${auditLog.at}, ${auditLog.id}) < (${c.at}::timestamptz, ${c.id}::int)`);
      }
      const rows = await deps.db
        .select()
        .from(auditLog)
        .where(and(...where))
        .orderBy(desc(auditLog.at), desc(auditLog.id))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((r) => ({ ...r, at: r.at.toISOString() })),
        nextCursor: rows.length > limit && last ? encodeCursor(last.at, last.id) : null,
      };
    },
  );
}
