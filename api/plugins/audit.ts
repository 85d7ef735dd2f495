// Records every state-changing request under /api — who, with which key, what, and how it ended —
// including refused ones (401/403/4xx), so the audit trail shows attempts as well as changes. Written
// before the answer leaves, so a client that got its answer finds the request in the trail.
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/client.js';
import { auditLog } from '../../db/schema.js';
import { actorOf } from './auth.js';

const CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function registerAudit(app: FastifyInstance, db: Database) {
  app.addHook('onSend', async (req, reply, payload) => {
    const path = req.url.split('?')[0];
    if (!CHANGING.has(req.method) || !path.startsWith('/api/')) return payload;
    const params = (req.params ?? {}) as Record<string, string>;
    const target = params.id ?? params.caseId ?? null;
    try {
      await db.insert(auditLog).values({
        requestId: String(req.id),
        clientRequestId: req.clientRequestId ?? null,
        keyId: req.principal?.keyId ?? null,
        actor: req.principal ? actorOf(req.principal) : null,
        role: req.principal?.role ?? null,
        method: req.method,
        path,
        target,
        status: reply.statusCode,
      });
    } catch (err) {
      req.log.error({ err }, 'could not write the audit record');
    }
    return payload;
  });
}
