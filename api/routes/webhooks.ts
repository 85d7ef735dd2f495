// Outbound webhook subscriptions and their delivery log. A help desk key manages the subscriptions it
// created (others do not exist for it); an admin manages all. Deliveries are made by the
// subscription's dispatcher workflow, which these routes start or wake.
import { randomBytes } from 'node:crypto';
import { and, asc, desc, eq, lt, type SQL, sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { eventBody } from '../../activities/webhook-delivery.js';
import { dispatcherWorkflowId, wakeDispatchers } from '../../activities/webhook-outbox.js';
import type { Database } from '../../db/client.js';
import { webhookAttempts, webhookDeliveries, webhookEvents, webhookSubscriptions } from '../../db/schema.js';
import { isSubscribable } from '../../domain/webhooks.js';
import { wakeSignal } from '../../workflows/webhook-dispatcher.js';
import type { AppDeps } from '../app.js';
import type { Principal } from '../auth/keys.js';
import { notFound, Problem, unavailable, unprocessable } from '../problem.js';
import {
  createSubscriptionBody,
  deliveryParams,
  deliveryQuery,
  subscriptionParams,
  updateSubscriptionBody,
  webhookResponses,
} from '../webhook-schemas.js';

type SubscriptionRow = typeof webhookSubscriptions.$inferSelect;

interface CreateBody {
  url: string;
  eventTypes: string[];
  description?: string | null;
  active?: boolean;
}
type UpdateBody = Partial<CreateBody>;
interface DeliveryFilter {
  status?: 'pending' | 'delivered' | 'failed';
  eventType?: string;
  caseId?: string;
  limit?: string;
  cursor?: string;
}

const INT4_MAX = 2_147_483_647;
const permission = { permission: 'webhooks.manage' } as const;

// Until every request carries a principal (the auth plugin), a request without one sees everything.
const principalOf = (req: FastifyRequest) => (req as FastifyRequest & { principal?: Principal }).principal;
const sees = (p: Principal | undefined, row: SubscriptionRow) =>
  !p || p.role === 'admin' || row.ownerKeyId === p.keyId;

function checkUrl(raw: string): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw unprocessable(`url "${raw}" is not an absolute URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw unprocessable(`url must be http or https, not ${parsed.protocol.replace(/:$/, '')}`);
  if (parsed.username || parsed.password) throw unprocessable('url must not carry credentials');
  return parsed.toString();
}

function checkEventTypes(types: string[]): string[] {
  if (types.length === 0) throw unprocessable('eventTypes must name at least one event type');
  const unknown = types.filter((t) => !isSubscribable(t));
  if (unknown.length > 0) throw unprocessable(`unknown event types: ${unknown.join(', ')}`);
  return types;
}

function view(r: SubscriptionRow) {
  return {
    id: r.id,
    url: r.url,
    eventTypes: r.eventTypes,
    description: r.description,
    active: r.active,
    ownerKeyId: r.ownerKeyId,
    caseScope: r.caseScope,
    createdAt: r.createdAt.toISOString(),
  };
}

const deliveryColumns = {
  id: webhookDeliveries.id,
  subscriptionId: webhookDeliveries.subscriptionId,
  eventId: webhookDeliveries.eventId,
  eventType: webhookEvents.type,
  caseId: webhookEvents.caseId,
  status: webhookDeliveries.status,
  attempts: webhookDeliveries.attempts,
  lastAttemptAt: webhookDeliveries.lastAttemptAt,
  lastStatusCode: webhookDeliveries.lastStatusCode,
  lastError: webhookDeliveries.lastError,
  createdAt: webhookEvents.createdAt,
  deliveredAt: webhookDeliveries.deliveredAt,
};

interface DeliveryRow {
  id: number;
  subscriptionId: string;
  eventId: number;
  eventType: string;
  caseId: string | null;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

function deliveryView(d: DeliveryRow) {
  return {
    ...d,
    lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
  };
}

class BadCursor extends Error {}
const encodeCursor = (id: number) => Buffer.from(JSON.stringify([id])).toString('base64url');
function decodeCursor(cursor: string): number {
  try {
    const [id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Number.isInteger(id) || id < 1 || id > INT4_MAX) throw new Error();
    return id;
  } catch {
    throw new BadCursor('cursor is not one this API issued');
  }
}

async function findDelivery(db: Database, subscriptionId: string, deliveryId: string) {
  const id = Number(deliveryId);
  if (id > INT4_MAX) return undefined;
  const [row] = await db
    .select({ ...deliveryColumns, payload: webhookEvents.payload })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.subscriptionId, subscriptionId)));
  return row;
}

export async function webhookRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db } = deps;

  /** The subscription if it exists and the caller may see it; otherwise 404 (it does not exist for them). */
  async function visible(req: FastifyRequest, id: string): Promise<SubscriptionRow> {
    const [row] = await db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, id));
    if (!row || !sees(principalOf(req), row)) throw notFound('webhook subscription', id);
    return row;
  }

  /** Starts or wakes the dispatcher of a subscription. */
  const wake = (subscriptionId: string) => wakeDispatchers(deps, [subscriptionId]);

  /** Tells a running dispatcher to look again (it ends when its subscription is inactive or gone). */
  async function nudge(req: FastifyRequest, subscriptionId: string) {
    try {
      await deps.temporal.workflow.getHandle(dispatcherWorkflowId(subscriptionId)).signal(wakeSignal);
    } catch (err) {
      // not running: nothing to stop
      req.log.debug({ err, subscriptionId }, 'no webhook dispatcher to nudge');
    }
  }

  app.post<{ Body: CreateBody }>(
    '/api/v1/webhooks',
    {
      config: permission,
      schema: {
        operationId: 'createWebhook',
        tags: ['webhooks'],
        summary: 'Subscribe a URL to webhook events',
        description:
          'Events are POSTed as JSON, in order per subscription, signed with `Shouhou-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`; a non-2xx answer is retried with exponential backoff until it succeeds. Headers `Shouhou-Event`, `Shouhou-Delivery` (the same on every retry) and `Shouhou-Timestamp` accompany each. Delivery is at least once: deduplicate on `Shouhou-Delivery` or the body `id`. The secret is shown only in this answer.',
        body: createSubscriptionBody,
        response: webhookResponses.create,
      },
    },
    async (req, reply) => {
      const url = checkUrl(req.body.url);
      const eventTypes = checkEventTypes(req.body.eventTypes);
      const [row] = await db
        .insert(webhookSubscriptions)
        .values({
          id: `wh_${randomBytes(8).toString('hex')}`,
          ownerKeyId: principalOf(req)?.keyId ?? null,
          // A help desk hears only about the cases it opened, as it sees only those.
          caseScope: principalOf(req)?.role === 'helpdesk' ? 'own' : 'all',
          url,
          eventTypes,
          secret: `whsec_${randomBytes(32).toString('base64url')}`,
          description: req.body.description ?? null,
          active: req.body.active ?? true,
        })
        .returning();
      // The dispatcher runs from the start, so its sweep covers a wake-up that a transition could not send.
      if (row.active)
        await wake(row.id).catch((err) => req.log.warn({ err }, 'could not start the webhook dispatcher'));
      return reply.code(201).send({ ...view(row), secret: row.secret });
    },
  );

  app.get(
    '/api/v1/webhooks',
    {
      config: permission,
      schema: {
        operationId: 'listWebhooks',
        tags: ['webhooks'],
        summary: 'Webhook subscriptions: a help desk key sees its own, an admin all',
        response: webhookResponses.list,
      },
    },
    async (req) => {
      const p = principalOf(req);
      const rows = await db
        .select()
        .from(webhookSubscriptions)
        .where(p && p.role !== 'admin' ? eq(webhookSubscriptions.ownerKeyId, p.keyId) : undefined)
        .orderBy(asc(webhookSubscriptions.createdAt), asc(webhookSubscriptions.id));
      return { items: rows.map(view) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/webhooks/:id',
    {
      config: permission,
      schema: {
        operationId: 'getWebhook',
        tags: ['webhooks'],
        summary: 'A webhook subscription',
        params: subscriptionParams,
        response: webhookResponses.one,
      },
    },
    async (req) => view(await visible(req, req.params.id)),
  );

  app.patch<{ Params: { id: string }; Body: UpdateBody }>(
    '/api/v1/webhooks/:id',
    {
      config: permission,
      schema: {
        operationId: 'updateWebhook',
        tags: ['webhooks'],
        summary: 'Change the URL, event types, description or active flag of a subscription',
        description:
          'Deactivating stops deliveries (pending ones wait); reactivating resumes them in order. New event types apply to events from now on.',
        params: subscriptionParams,
        body: updateSubscriptionBody,
        response: webhookResponses.update,
      },
    },
    async (req) => {
      const before = await visible(req, req.params.id);
      const b = req.body;
      const [row] = await db
        .update(webhookSubscriptions)
        .set({
          ...(b.url !== undefined ? { url: checkUrl(b.url) } : {}),
          ...(b.eventTypes !== undefined ? { eventTypes: checkEventTypes(b.eventTypes) } : {}),
          ...(b.description !== undefined ? { description: b.description } : {}),
          ...(b.active !== undefined ? { active: b.active } : {}),
        })
        .where(eq(webhookSubscriptions.id, before.id))
        .returning();
      if (!row) throw notFound('webhook subscription', req.params.id);
      if (row.active)
        await wake(row.id).catch((err) => req.log.warn({ err }, 'could not wake the webhook dispatcher'));
      else if (before.active) await nudge(req, row.id);
      return view(row);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/webhooks/:id',
    {
      config: permission,
      schema: {
        operationId: 'deleteWebhook',
        tags: ['webhooks'],
        summary: 'Delete a subscription with its delivery log; undelivered events are dropped',
        params: subscriptionParams,
        response: webhookResponses.remove,
      },
    },
    async (req, reply) => {
      const row = await visible(req, req.params.id);
      await db.delete(webhookSubscriptions).where(eq(webhookSubscriptions.id, row.id));
      await nudge(req, row.id);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: { id: string }; Querystring: DeliveryFilter }>(
    '/api/v1/webhooks/:id/deliveries',
    {
      config: permission,
      schema: {
        operationId: 'listWebhookDeliveries',
        tags: ['webhooks'],
        summary: 'Delivery log of a subscription, newest first, with filters and cursor pagination',
        params: subscriptionParams,
        querystring: deliveryQuery,
        response: webhookResponses.deliveries,
      },
    },
    async (req) => {
      const sub = await visible(req, req.params.id);
      const f = req.query;
      const limit = f.limit ? Number(f.limit) : 50;
      const where: SQL[] = [eq(webhookDeliveries.subscriptionId, sub.id)];
      if (f.status) where.push(eq(webhookDeliveries.status, f.status));
      if (f.eventType) where.push(eq(webhookEvents.type, f.eventType));
      if (f.caseId) where.push(eq(webhookEvents.caseId, f.caseId));
      if (f.cursor) {
        try {
          where.push(lt(webhookDeliveries.id, decodeCursor(f.cursor)));
        } catch (err) {
          if (err instanceof BadCursor) throw new Problem(400, 'invalid-cursor', 'Bad request', err.message);
          throw err;
        }
      }
      const rows = await db
        .select(deliveryColumns)
        .from(webhookDeliveries)
        .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
        .where(and(...where))
        .orderBy(desc(webhookDeliveries.id))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map(deliveryView),
        nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null,
      };
    },
  );

  app.get<{ Params: { id: string; deliveryId: string } }>(
    '/api/v1/webhooks/:id/deliveries/:deliveryId',
    {
      config: permission,
      schema: {
        operationId: 'getWebhookDelivery',
        tags: ['webhooks'],
        summary: 'One delivery: the body sent and every attempt',
        params: deliveryParams,
        response: webhookResponses.delivery,
      },
    },
    async (req) => {
      const sub = await visible(req, req.params.id);
      const d = await findDelivery(db, sub.id, req.params.deliveryId);
      if (!d) throw notFound('webhook delivery', req.params.deliveryId);
      const attempts = await db
        .select()
        .from(webhookAttempts)
        .where(eq(webhookAttempts.deliveryId, d.id))
        .orderBy(asc(webhookAttempts.id));
      const { payload, ...rest } = d;
      return {
        ...deliveryView(rest),
        payload: JSON.parse(eventBody({ id: d.eventId, payload })),
        attemptLog: attempts.map((a) => ({
          id: a.id,
          at: a.at.toISOString(),
          statusCode: a.statusCode,
          error: a.error,
          durationMs: a.durationMs,
        })),
      };
    },
  );

  app.post<{ Params: { id: string; deliveryId: string } }>(
    '/api/v1/webhooks/:id/deliveries/:deliveryId/redeliver',
    {
      config: permission,
      schema: {
        operationId: 'redeliverWebhook',
        tags: ['webhooks'],
        summary: 'Send a delivery again',
        description:
          'Puts the delivery back in the queue (same Shouhou-Delivery and event id) and wakes the dispatcher. It goes out before deliveries queued after it.',
        params: deliveryParams,
        response: webhookResponses.redeliver,
      },
    },
    async (req, reply) => {
      const sub = await visible(req, req.params.id);
      if (!sub.active) {
        throw new Problem(
          409,
          'subscription-inactive',
          'Conflict',
          `webhook subscription "${sub.id}" is inactive`,
        );
      }
      const found = await findDelivery(db, sub.id, req.params.deliveryId);
      if (!found) throw notFound('webhook delivery', req.params.deliveryId);
      await db
        .update(webhookDeliveries)
        .set({
          status: 'pending',
          deliveredAt: null,
          redeliveryRequests: sql`${webhookDeliveries.redeliveryRequests} + 1`,
        })
        .where(eq(webhookDeliveries.id, found.id));
      try {
        await wake(sub.id);
      } catch (err) {
        // Still queued: the dispatcher's sweep sends it.
        req.log.warn({ err }, 'could not wake the webhook dispatcher');
        throw unavailable(
          'the delivery is queued again, but the dispatcher could not be woken; it will be sent on its next sweep',
        );
      }
      const { payload: _payload, ...rest } = found;
      return reply.code(202).send(deliveryView({ ...rest, status: 'pending', deliveredAt: null }));
    },
  );
}
