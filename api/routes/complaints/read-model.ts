// Queries of the complaint read model and the shapes in which the API shows complaints.
import { and, asc, desc, eq, gte, ilike, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../../db/client.js';
import {
  complaintEscalations,
  complaintEvents,
  type complaintEvidence,
  complaints,
} from '../../../db/schema.js';
import {
  COMPLAINT_STAGE_LABELS_ZH,
  type ComplaintStage,
  type ComplaintState,
} from '../../../domain/complaints/complaint.js';
import { viewClock } from '../../../domain/sla-clock.js';
import type { Principal } from '../../auth/keys.js';
import { decodeCursor, encodeCursor } from '../../cursor.js';

export type ComplaintRow = typeof complaints.$inferSelect;

export async function findComplaint(db: Database, id: string): Promise<ComplaintRow | undefined> {
  const [row] = await db.select().from(complaints).where(eq(complaints.id, id));
  return row;
}

export async function findComplaintByExternalRef(db: Database, system: string, externalId: string) {
  const [row] = await db
    .select()
    .from(complaints)
    .where(and(eq(complaints.externalSystem, system), eq(complaints.externalId, externalId)));
  return row;
}

/** A help desk key sees only the complaints it opened. */
export const canSeeComplaint = (p: Principal, row: ComplaintRow) =>
  p.role !== 'helpdesk' || row.createdByKey === p.keyId;

/** The clocks of a complaint as they stand at `now`, from its projected state. */
function clocksOf(row: ComplaintRow, now: Date) {
  const state = row.state as ComplaintState | null;
  return state ? Object.values(state.clocks).map((c) => viewClock(row.policy.calendar, c, now)) : [];
}

export function complaintSummary(row: ComplaintRow, now = new Date()) {
  return {
    id: row.id,
    workflowId: row.workflowId,
    stage: row.stage,
    stageLabel: COMPLAINT_STAGE_LABELS_ZH[row.stage as ComplaintStage] ?? row.stage,
    priority: row.priority,
    urgency: row.urgency,
    importance: row.importance,
    category: row.category,
    department: row.department,
    owner: row.owner,
    channel: row.channel,
    externalRef: row.externalSystem ? { system: row.externalSystem, id: row.externalId } : null,
    customer: {
      name: row.customerName,
      phone: row.customerPhone,
      email: row.customerEmail,
      region: row.region,
    },
    product: {
      model: row.productModel,
      line: row.productLine,
      serialNumber: row.serialNumber,
      purchaseDate: row.purchaseDate,
    },
    description: row.description,
    rejections: row.rejections,
    breached: row.breached,
    reportedAt: row.reportedAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    closedAt: row.closedAt?.toISOString() ?? null,
    clocks: clocksOf(row, now),
  };
}

export async function complaintView(db: Database, row: ComplaintRow) {
  const [timeline, escalations] = await Promise.all([
    db
      .select()
      .from(complaintEvents)
      .where(eq(complaintEvents.complaintId, row.id))
      .orderBy(asc(complaintEvents.seq)),
    db
      .select()
      .from(complaintEscalations)
      .where(eq(complaintEscalations.complaintId, row.id))
      .orderBy(asc(complaintEscalations.dueAt), asc(complaintEscalations.id)),
  ]);
  const state = row.state as ComplaintState | null;
  const now = new Date();
  const cal = row.policy.calendar;
  return {
    ...complaintSummary(row, now),
    policy: {
      id: row.policy.policy.id,
      version: row.policy.policy.version,
      calendar: { id: cal.id, timeZone: cal.timeZone },
    },
    classification: state?.classification ?? {
      urgency: row.urgency,
      importance: row.importance,
      priority: row.priority,
    },
    linkedCases: state?.linkedCases ?? [],
    reclassifications: state?.reclassifications ?? [],
    routing: state?.routing ?? [],
    findings: state?.findings ?? [],
    evidence: state?.evidence ?? [],
    actions: state?.actions ?? [],
    waiver: state?.waiver ?? null,
    answers: state?.answers ?? [],
    responses: state?.responses ?? [],
    updates: state?.updates ?? [],
    effectiveness: state?.effectiveness ?? [],
    withdrawal: state?.withdrawal ?? null,
    qualityIssues: state?.qualityIssues ?? [],
    escalations: escalations.map((e) => ({
      id: e.id,
      clock: e.clock,
      cycle: e.cycle,
      level: e.level,
      name: e.name,
      dueAt: e.dueAt.toISOString(),
      firedAt: e.firedAt.toISOString(),
      recipient: e.recipient,
      owner: e.owner,
      notified: e.notified ?? null,
    })),
    timeline: timeline.map((e) => ({
      seq: e.seq,
      type: e.type,
      fromStage: e.fromStage,
      toStage: e.toStage,
      actor: e.actor,
      at: e.at.toISOString(),
      data: e.data,
    })),
  };
}

export interface ComplaintFilter {
  stage?: string;
  priority?: string;
  department?: string;
  owner?: string;
  breached?: string;
  caseId?: string;
  from?: string;
  to?: string;
  q?: string;
  limit?: string;
  cursor?: string;
  createdByKey?: string;
}

export async function listComplaints(db: Database, f: ComplaintFilter) {
  const limit = f.limit ? Number(f.limit) : 20;
  const where: SQL[] = [];
  if (f.createdByKey) where.push(eq(complaints.createdByKey, f.createdByKey));
  if (f.stage) where.push(eq(complaints.stage, f.stage));
  if (f.priority) where.push(eq(complaints.priority, f.priority));
  if (f.department) where.push(eq(complaints.department, f.department));
  if (f.owner) where.push(eq(complaints.owner, f.owner));
  if (f.breached) where.push(eq(complaints.breached, f.breached === 'true'));
  if (f.caseId)
    where.push(
      sql`exists (select 1 from complaint_cases cc where cc.complaint_id = ${complaints.id} and cc.case_id = ${f.caseId})`,
    );
  if (f.from) where.push(gte(complaints.createdAt, new Date(f.from)));
  if (f.to) where.push(lt(complaints.createdAt, new Date(f.to)));
  if (f.q) {
    const pattern = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(
      or(
        ilike(complaints.customerName, pattern),
        ilike(complaints.productModel, pattern),
        ilike(complaints.serialNumber, pattern),
      )!,
    );
  }
  if (f.cursor) {
    const c = decodeCursor(f.cursor);
    where.push(sql`(${complaints.createdAt}, ${complaints.id}) < (${c.at}::timestamptz, ${c.id})`);
  }
  const rows = await db
    .select()
    .from(complaints)
    .where(and(...where))
    .orderBy(desc(complaints.createdAt), desc(complaints.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((row) => complaintSummary(row)),
    nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}

export function evidenceView(e: Omit<typeof complaintEvidence.$inferSelect, 'content'>) {
  return {
    id: e.id,
    complaintId: e.complaintId,
    fileName: e.fileName,
    contentType: e.contentType,
    size: e.size,
    sha256: e.sha256,
    note: e.note,
    uploadedBy: e.uploadedBy,
    uploadedAt: e.uploadedAt.toISOString(),
  };
}

/** Progress-update compliance per owner: updates on time, late, and deadlines missed (escalated). */
export async function progressCompliance(db: Database, range: { from?: string; to?: string }) {
  const from = range.from ? new Date(range.from) : new Date(0);
  const to = range.to ? new Date(range.to) : new Date('9999-01-01T00:00:00Z');
  const rows = await db.execute<{
    owner: string | null;
    updates: number;
    on_time: number;
    missed: number;
  }>(sql`
    select owner, sum(updates)::int as updates, sum(on_time)::int as on_time, sum(missed)::int as missed
    from (
      select owner, 1 as updates, case when on_time then 1 else 0 end as on_time, 0 as missed
      from complaint_updates
      where at >= ${from.toISOString()}::timestamptz and at < ${to.toISOString()}::timestamptz
      union all
      select owner, 0, 0, 1 from complaint_escalations
      where clock = 'progress' and name = 'missed'
        and due_at >= ${from.toISOString()}::timestamptz and due_at < ${to.toISOString()}::timestamptz
    ) x
    group by owner
    order by owner nulls first`);
  return {
    items: rows.map((r) => {
      const denominator = r.updates + r.missed;
      return {
        owner: r.owner,
        updates: r.updates,
        onTime: r.on_time,
        late: r.updates - r.on_time,
        missed: r.missed,
        complianceRate: denominator === 0 ? null : r.on_time / denominator,
      };
    }),
  };
}
