// Idempotency-Key on every POST: the same key with the same request replays the first answer; the same
// key with another request is refused (422); a retry while the first is still running gets 409.
// Keys are scoped to the API key that sent them and kept for 24 hours.
import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/client.js';
import { idempotencyRecords } from '../../db/schema.js';
import { Problem } from '../problem.js';

const TTL_MS = 24 * 3_600_000;
/** 1–200 visible ASCII characters, 0x21 ('!') to 0x7E ('~'): no spaces. Also the documented rule. */
export const IDEMPOTENCY_KEY_PATTERN = '^[!-~]{1,200}$';
const KEY_RE = new RegExp(IDEMPOTENCY_KEY_PATTERN);

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { keyId: string; key: string };
  }
}

export function registerIdempotency(app: FastifyInstance, db: Database) {
  app.addHook('preHandler', async (req, reply) => {
    if (req.method !== 'POST' || !req.principal) return;
    const key = req.headers['idempotency-key'];
    if (key === undefined) return;
    if (typeof key !== 'string' || !KEY_RE.test(key)) {
      throw new Problem(
        400,
        'invalid-idempotency-key',
        'Bad request',
        'Idempotency-Key must be 1–200 visible ASCII characters (0x21–0x7E; no spaces)',
      );
    }
    const keyId = req.principal.keyId;
    const path = req.url.split('?')[0];
    const requestHash = createHash('sha256')
      .update(`${req.method} ${path}\n${JSON.stringify(req.body ?? null)}`)
      .digest('hex');
    const where = and(eq(idempotencyRecords.keyId, keyId), eq(idempotencyRecords.idempotencyKey, key));

    const claimed = await db
      .insert(idempotencyRecords)
      .values({ keyId, idempotencyKey: key, method: req.method, path, requestHash })
      .onConflictDoNothing()
      .returning({ keyId: idempotencyRecords.keyId });
    if (claimed.length === 1) {
      req.idempotency = { keyId, key };
      return;
    }
    const [prior] = await db.select().from(idempotencyRecords).where(where);
    if (!prior) throw new Problem(409, 'idempotency-conflict', 'Conflict', 'retry the request');
    if (prior.createdAt.getTime() < Date.now() - TTL_MS) {
      // Expired: forget it and take the key afresh.
      await db.delete(idempotencyRecords).where(where);
      await db
        .insert(idempotencyRecords)
        .values({ keyId, idempotencyKey: key, method: req.method, path, requestHash });
      req.idempotency = { keyId, key };
      return;
    }
    if (prior.requestHash !== requestHash) {
      throw new Problem(
        422,
        'idempotency-key-reused',
        'Idempotency-Key reused',
        `Idempotency-Key "${key}" was first used for a different request (${prior.method} ${prior.path} with another body)`,
      );
    }
    if (prior.status === null) {
      throw new Problem(
        409,
        'idempotency-in-progress',
        'Conflict',
        `the request with Idempotency-Key "${key}" is still being processed`,
      );
    }
    reply.header('idempotent-replayed', 'true');
    const isProblem = prior.status >= 400;
    return reply
      .code(prior.status)
      .type(isProblem ? 'application/problem+json' : 'application/json; charset=utf-8')
      .send(prior.response);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const idem = req.idempotency;
    if (!idem) return payload;
    req.idempotency = undefined;
    const where = and(
      eq(idempotencyRecords.keyId, idem.keyId),
      eq(idempotencyRecords.idempotencyKey, idem.key),
    );
    if (reply.statusCode >= 500) {
      // A failure on our side: let the client retry with the same key.
      await db.delete(idempotencyRecords).where(where);
      return payload;
    }
    let response: unknown = null;
    if (typeof payload === 'string' && payload.length > 0) {
      try {
        response = JSON.parse(payload);
      } catch {
        response = payload;
      }
    }
    await db.update(idempotencyRecords).set({ status: reply.statusCode, response }).where(where);
    return payload;
  });
}
