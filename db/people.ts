// The staff directory and the delivery of notifications to people (migration 0009). Re-exported from
// schema.ts so drizzle's query builder knows the tables.
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  serial,
  text,
  timestamp,
  unique,
} from 'drizzle-orm/pg-core';
import type { Preferences, TeamRobots } from '../domain/people/channels.js';

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/** Teams (班组): a lead, a region, robot webhooks of the team's chat groups, optional auto-assign. */
export const teams = pgTable('teams', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  region: text('region'),
  leadId: text('lead_id'),
  autoAssign: boolean('auto_assign').notNull().default(false),
  robots: jsonb('robots').$type<TeamRobots>().notNull().default({}),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

/** People: roles, team, region, manager, skills, contact ids, calendar, language, preferences. */
export const people = pgTable(
  'people',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    roles: text('roles').array().notNull().default(sql`'{}'`),
    teamId: text('team_id').references(() => teams.id, { onDelete: 'set null' }),
    region: text('region'),
    managerId: text('manager_id').references((): AnyPgColumn => people.id, { onDelete: 'set null' }),
    productLines: text('product_lines').array().notNull().default(sql`'{}'`),
    models: text('models').array().notNull().default(sql`'{}'`),
    email: text('email'),
    mobile: text('mobile'),
    wecomId: text('wecom_id'),
    dingtalkId: text('dingtalk_id'),
    feishuId: text('feishu_id'),
    calendarId: text('calendar_id'),
    locale: text('locale').$type<'zh' | 'en'>().notNull().default('zh'),
    preferences: jsonb('preferences').$type<Preferences>().notNull().default({}),
    active: boolean('active').notNull().default(true),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [index('people_team_idx').on(t.teamId)],
);

/** Leave, training, sick days: a person absent is skipped in an escalation chain and in suggestions. */
export const personAbsences = pgTable('person_absences', {
  id: serial('id').primaryKey(),
  personId: text('person_id')
    .notNull()
    .references(() => people.id, { onDelete: 'cascade' }),
  startsAt: at('starts_at').notNull(),
  endsAt: at('ends_at').notNull(),
  reason: text('reason'),
});

/** On-call rota (值班): who answers emergencies outside working hours, per team or for everyone. */
export const oncallShifts = pgTable('oncall_shifts', {
  id: serial('id').primaryKey(),
  personId: text('person_id')
    .notNull()
    .references(() => people.id, { onDelete: 'cascade' }),
  teamId: text('team_id').references(() => teams.id, { onDelete: 'cascade' }),
  startsAt: at('starts_at').notNull(),
  endsAt: at('ends_at').notNull(),
});

export type DeliveryStatus = 'pending' | 'deferred' | 'delivered' | 'failed';

/** One notification to one person: the channels to try in order, and how it went. */
export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: serial('id').primaryKey(),
    notificationKey: text('notification_key').notNull(),
    personId: text('person_id').notNull(),
    /** Why this person: their place in the escalation chain, on call, the assignee… */
    reason: text('reason').notNull(),
    channels: text('channels').array().notNull(),
    status: text('status').$type<DeliveryStatus>().notNull().default('pending'),
    /** Held by the person's quiet hours until then. */
    notBefore: at('not_before'),
    /** The channel that delivered it. */
    channel: text('channel'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: at('created_at').notNull().defaultNow(),
    deliveredAt: at('delivered_at'),
    /** The dispatcher delivering it (migration 0015); null: a delivery workflow of before owns it. */
    dispatcher: text('dispatcher'),
    /** When its dispatcher next tries it: now, after a retry's backoff, at the end of quiet hours. */
    dueAt: at('due_at'),
  },
  (t) => [
    unique('notification_deliveries_once_uq').on(t.notificationKey, t.personId),
    index('notification_deliveries_person_idx').on(t.personId, t.createdAt, t.id),
    index('notification_deliveries_due_idx')
      .on(t.dispatcher, t.dueAt)
      .where(sql`${t.status} in ('pending', 'deferred') and ${t.dueAt} is not null`),
  ],
);

/** Every try of every channel: the delivery log. */
export const notificationAttempts = pgTable('notification_attempts', {
  id: serial('id').primaryKey(),
  deliveryId: integer('delivery_id')
    .notNull()
    .references(() => notificationDeliveries.id, { onDelete: 'cascade' }),
  channel: text('channel').notNull(),
  at: at('at').notNull().defaultNow(),
  ok: boolean('ok').notNull(),
  error: text('error'),
  durationMs: integer('duration_ms').notNull(),
});

/** The in-app inbox (站内信): one item per person and notification. */
export const inboxItems = pgTable(
  'inbox_items',
  {
    id: serial('id').primaryKey(),
    personId: text('person_id').notNull(),
    notificationKey: text('notification_key').notNull(),
    kind: text('kind').notNull(),
    caseId: text('case_id'),
    severity: text('severity'),
    title: text('title').notNull(),
    body: text('body').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
    readAt: at('read_at'),
  },
  (t) => [
    unique('inbox_items_once_uq').on(t.personId, t.notificationKey),
    index('inbox_items_person_idx').on(t.personId, t.createdAt, t.id),
  ],
);
