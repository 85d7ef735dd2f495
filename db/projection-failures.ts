// Transitions the read model could not take as sent (migration 0005); see activities/projection-failure.ts.
import { boolean, integer, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const projectionFailures = pgTable(
  'projection_failures',
  {
    id: serial('id').primaryKey(),
    caseId: text('case_id').notNull(),
    /** The transition's seq in the case workflow. */
    seq: integer('seq').notNull(),
    /** Which write failed: 'projectCase' or 'escalate'. */
    activity: text('activity').notNull(),
    eventType: text('event_type').notNull(),
    /** The failure's type (e.g. UnstorableData) and, from the database, its SQLSTATE. */
    errorType: text('error_type').notNull(),
    errorCode: text('error_code'),
    /** What the database said, without the values (they may hold personal data). */
    message: text('message').notNull(),
    /** Whether the transition was then written with its text made storable. */
    repaired: boolean('repaired').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('projection_failures_once_uq').on(t.caseId, t.seq, t.activity)],
);
