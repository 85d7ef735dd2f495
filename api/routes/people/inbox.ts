// The in-app inbox and preferences of the person behind the API key (/api/v1/me/…), and the delivery
// log of notifications for managers: every try of every channel.
import { and, asc, count, desc, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  inboxItems,
  notificationAttempts,
  notificationDeliveries,
  notifications,
  people,
} from '../../../db/schema.js';
import type { Preferences } from '../../../domain/people/channels.js';
import type { AppDeps } from '../../app.js';
import { decodeIntCursor, encodeCursor } from '../../cursor.js';
import {
  deliveryQuery,
  inboxParams,
  inboxQuery,
  peopleResponses,
  preferencesSchema,
} from '../../people-schemas.js';
import { forbidden } from '../../plugins/auth.js';
import { notFound, unprocessable } from '../../problem.js';

function personOf(req: FastifyRequest): string {
  const id = req.principal?.personId;
  if (!id) throw forbidden("this API key belongs to no person; an inbox is a person's");
  return id;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;
const itemView = (i: typeof inboxItems.$inferSelect) => ({
  id: i.id,
  kind: i.kind,
  caseId: i.caseId,
  severity: i.severity,
  title: i.title,
  body: i.body,
  createdAt: i.createdAt.toISOString(),
  readAt: iso(i.readAt),
});

export async function inboxRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db } = deps;
  const me = { permission: 'me.notifications' } as const;

  app.get<{ Querystring: { unread?: string; limit?: string; cursor?: string } }>(
    '/api/v1/me/notifications',
    {
      schema: {
        operationId: 'listMyNotifications',
        tags: ['notifications'],
        summary: 'My in-app inbox (站内信), newest first, and how many are unread',
        querystring: inboxQuery,
        response: peopleResponses.inbox,
      },
      config: me,
    },
    async (req) => {
      const personId = personOf(req);
      const limit = Math.min(req.query.limit ? Number(req.query.limit) : 50, 100);
      const where: SQL[] = [eq(inboxItems.personId, personId)];
      if (req.query.unread === 'true') where.push(isNull(inboxItems.readAt));
      if (req.query.unread === 'false') where.push(sql`${inboxItems.readAt} is not null`);
      if (req.query.cursor) {
        const c = decodeIntCursor(req.query.cursor);
        where.push(sql`(${inboxItems.createdAt}, ${inboxItems.id}) < (${c.at}::timestamptz, ${c.id}::int)`);
      }
      const [rows, [unread]] = await Promise.all([
        db
          .select()
          .from(inboxItems)
          .where(and(...where))
          .orderBy(desc(inboxItems.createdAt), desc(inboxItems.id))
          .limit(limit + 1),
        db
          .select({ n: count() })
          .from(inboxItems)
          .where(and(eq(inboxItems.personId, personId), isNull(inboxItems.readAt))),
      ]);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map(itemView),
        nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
        unread: Number(unread?.n ?? 0),
      };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/me/notifications/:id/read',
    {
      schema: {
        operationId: 'markMyNotificationRead',
        tags: ['notifications'],
        summary: 'Mark one inbox item read (again: no change)',
        params: inboxParams,
        response: peopleResponses.inboxItem,
      },
      config: me,
    },
    async (req) => {
      const personId = personOf(req);
      const id = Number(req.params.id);
      const [row] = await db
        .update(inboxItems)
        .set({ readAt: sql`coalesce(${inboxItems.readAt}, now())` })
        .where(and(eq(inboxItems.id, id), eq(inboxItems.personId, personId)))
        .returning();
      // Someone else's item does not exist for this person.
      if (!row) throw notFound('notification', req.params.id);
      return itemView(row);
    },
  );

  app.post(
    '/api/v1/me/notifications/read-all',
    {
      schema: {
        operationId: 'markAllMyNotificationsRead',
        tags: ['notifications'],
        summary: 'Mark every unread inbox item read',
        response: peopleResponses.readAll,
      },
      config: me,
    },
    async (req) => {
      const personId = personOf(req);
      const rows = await db
        .update(inboxItems)
        .set({ readAt: new Date() })
        .where(and(eq(inboxItems.personId, personId), isNull(inboxItems.readAt)))
        .returning({ id: inboxItems.id });
      return { marked: rows.length };
    },
  );

  const myPreferences = async (req: FastifyRequest) => {
    const personId = personOf(req);
    const [row] = await db
      .select({ preferences: people.preferences })
      .from(people)
      .where(eq(people.id, personId));
    if (!row) throw notFound('person', personId);
    return row.preferences;
  };

  app.get(
    '/api/v1/me/preferences',
    {
      schema: {
        operationId: 'getMyPreferences',
        tags: ['notifications'],
        summary: 'My notification preferences: channels per kind of event, quiet hours',
        response: peopleResponses.preferences,
      },
      config: me,
    },
    async (req) => myPreferences(req),
  );

  app.put<{ Body: Preferences }>(
    '/api/v1/me/preferences',
    {
      schema: {
        operationId: 'putMyPreferences',
        tags: ['notifications'],
        summary: 'Replace my notification preferences (quiet hours hold everything but emergencies)',
        body: preferencesSchema,
        response: peopleResponses.preferencesPut,
      },
      config: me,
    },
    async (req) => {
      const personId = personOf(req);
      const q = req.body.quietHours;
      if (q?.timeZone) {
        try {
          new Intl.DateTimeFormat('en', { timeZone: q.timeZone });
        } catch {
          throw unprocessable(`quietHours.timeZone "${q.timeZone}" is not a time zone`);
        }
      }
      if (q && q.start === q.end) throw unprocessable('quietHours.start and end must differ');
      const [row] = await db
        .update(people)
        .set({ preferences: req.body, updatedAt: new Date() })
        .where(eq(people.id, personId))
        .returning({ preferences: people.preferences });
      if (!row) throw notFound('person', personId);
      return row.preferences;
    },
  );

  app.get<{
    Querystring: {
      caseId?: string;
      purchaseOrderId?: string;
      personId?: string;
      status?: string;
      kind?: string;
      limit?: string;
      cursor?: string;
    };
  }>(
    '/api/v1/notifications',
    {
      schema: {
        operationId: 'listNotificationDeliveries',
        tags: ['notifications'],
        summary: 'Notification deliveries, newest first, each with every channel attempt',
        querystring: deliveryQuery,
        response: peopleResponses.deliveries,
      },
      config: { permission: 'notifications.read' },
    },
    async (req) => {
      const q = req.query;
      const limit = Math.min(q.limit ? Number(q.limit) : 50, 100);
      const where: SQL[] = [];
      if (q.caseId) where.push(eq(notifications.caseId, q.caseId));
      if (q.purchaseOrderId) where.push(eq(notifications.purchaseOrderId, q.purchaseOrderId));
      if (q.personId) where.push(eq(notificationDeliveries.personId, q.personId));
      if (q.status) where.push(eq(notificationDeliveries.status, q.status as 'pending'));
      if (q.kind) where.push(eq(notifications.kind, q.kind));
      if (q.cursor) {
        const c = decodeIntCursor(q.cursor);
        where.push(
          sql`(${notificationDeliveries.createdAt}, ${notificationDeliveries.id}) < (${c.at}::timestamptz, ${c.id}::int)`,
        );
      }
      const rows = await db
        .select({
          d: notificationDeliveries,
          kind: notifications.kind,
          caseId: notifications.caseId,
          purchaseOrderId: notifications.purchaseOrderId,
        })
        .from(notificationDeliveries)
        .innerJoin(notifications, eq(notifications.key, notificationDeliveries.notificationKey))
        .where(and(...where))
        .orderBy(desc(notificationDeliveries.createdAt), desc(notificationDeliveries.id))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      const ids = page.map((r) => r.d.id);
      const attempts = ids.length
        ? await db
            .select()
            .from(notificationAttempts)
            .where(inArray(notificationAttempts.deliveryId, ids))
            .orderBy(asc(notificationAttempts.id))
        : [];
      const last = page[page.length - 1];
      return {
        items: page.map(({ d, kind, caseId, purchaseOrderId }) => ({
          id: d.id,
          notificationKey: d.notificationKey,
          kind,
          caseId,
          purchaseOrderId,
          personId: d.personId,
          reason: d.reason,
          channels: d.channels,
          status: d.status,
          notBefore: iso(d.notBefore),
          channel: d.channel,
          attempts: d.attempts,
          lastError: d.lastError,
          createdAt: d.createdAt.toISOString(),
          deliveredAt: iso(d.deliveredAt),
          log: attempts
            .filter((a) => a.deliveryId === d.id)
            .map((a) => ({
              id: a.id,
              channel: a.channel,
              at: a.at.toISOString(),
              ok: a.ok,
              error: a.error,
              durationMs: a.durationMs,
            })),
        })),
        nextCursor: rows.length > limit && last ? encodeCursor(last.d.createdAt, last.d.id) : null,
      };
    },
  );
}
