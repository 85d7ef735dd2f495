// The versioned complaint and quality policies: seeded with the defaults, read at every intake to
// snapshot the version (and its calendar) a complaint or quality issue runs under.
import { and, asc, eq, isNull } from 'drizzle-orm';
import { chinaCalendar } from '../domain/calendar-china.js';
import {
  type ComplaintPolicy,
  type ComplaintPolicySnapshot,
  DEFAULT_COMPLAINT_POLICY,
  resolveComplaintPolicy,
} from '../domain/complaints/policy.js';
import {
  DEFAULT_QUALITY_POLICY,
  type QualityPolicy,
  type QualityPolicySnapshot,
} from '../domain/quality/issue.js';
import { trimCalendar } from '../domain/sla-policy.js';
import type { Database } from './client.js';
import { complaintPolicies } from './complaints.js';
import { qualityPolicies } from './quality.js';
import { loadStoredCalendar, lockKey, type Tx } from './sla-store.js';

type Db = Database | Tx;

export const complaintPolicyLock = (id: string) => `complaint-policy:${id}`;
export const qualityPolicyLock = (id: string) => `quality-policy:${id}`;

/** Idempotent: version 1 of the default complaint and quality policies when there is none. */
export async function seedComplaintDefaults(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    await lockKey(tx, complaintPolicyLock(DEFAULT_COMPLAINT_POLICY.id));
    await tx
      .insert(complaintPolicies)
      .values({
        id: DEFAULT_COMPLAINT_POLICY.id,
        version: 1,
        name: DEFAULT_COMPLAINT_POLICY.name,
        definition: DEFAULT_COMPLAINT_POLICY,
      })
      .onConflictDoNothing();
  });
  await db.transaction(async (tx) => {
    await lockKey(tx, qualityPolicyLock(DEFAULT_QUALITY_POLICY.id));
    await tx
      .insert(qualityPolicies)
      .values({
        id: DEFAULT_QUALITY_POLICY.id,
        version: 1,
        name: DEFAULT_QUALITY_POLICY.name,
        definition: DEFAULT_QUALITY_POLICY,
      })
      .onConflictDoNothing();
  });
}

export function complaintPolicyOf(row: typeof complaintPolicies.$inferSelect): ComplaintPolicy {
  return { ...row.definition, id: row.id, version: row.version, name: row.name };
}

export async function currentComplaintPolicies(db: Db): Promise<ComplaintPolicy[]> {
  const rows = await db
    .select()
    .from(complaintPolicies)
    .where(isNull(complaintPolicies.retiredAt))
    .orderBy(asc(complaintPolicies.createdAt), asc(complaintPolicies.id));
  return rows.map(complaintPolicyOf);
}

async function calendarFor(db: Db, id: string, at: Date) {
  const year = at.getUTCFullYear();
  const stored = await loadStoredCalendar(db, id, { fromYear: year - 1, toYear: year + 2 });
  return trimCalendar(stored?.calendar ?? chinaCalendar(), at);
}

/** The complaint policy (and calendar) for a product line at `at`; the built-in default if none. */
export async function loadComplaintSnapshot(
  db: Db,
  productLine: string | undefined,
  at: Date,
): Promise<ComplaintPolicySnapshot> {
  const policy =
    resolveComplaintPolicy(await currentComplaintPolicies(db), productLine) ?? DEFAULT_COMPLAINT_POLICY;
  return { policy, calendar: await calendarFor(db, policy.calendarId, at) };
}

export function qualityPolicyOf(row: typeof qualityPolicies.$inferSelect): QualityPolicy {
  return { ...row.definition, id: row.id, version: row.version, name: row.name };
}

export async function currentQualityPolicy(db: Db): Promise<QualityPolicy> {
  const [row] = await db
    .select()
    .from(qualityPolicies)
    .where(and(eq(qualityPolicies.id, 'default'), isNull(qualityPolicies.retiredAt)));
  return row ? qualityPolicyOf(row) : DEFAULT_QUALITY_POLICY;
}

export async function loadQualitySnapshot(db: Db, at: Date): Promise<QualityPolicySnapshot> {
  const policy = await currentQualityPolicy(db);
  return { policy, calendar: await calendarFor(db, policy.calendarId, at) };
}
