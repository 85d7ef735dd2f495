// Queries of the case read model, and the shape in which the API shows a case.
import { and, asc, desc, eq, gte, ilike, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { type ClockSummaryColumn, caseEvents, cases, escalations } from '../db/schema.js';
import { type CaseState, type Severity, STAGE_LABELS_ZH, type Stage } from '../domain/case.js';
import { type ClockDisplayState, type ClockView, startCaseClocks, viewClock } from '../domain/sla-clock.js';
import { CLOCKS, type ClockName } from '../domain/sla-policy.js';
import { decodeCursor, encodeCursor } from './cursor.js';

type CaseRow = typeof cases.$inferSelect;

export async function findCase(db: Database, id: string): Promise<CaseRow | undefined> {
  const [row] = await db.select().from(cases).where(eq(cases.id, id));
  return row;
}

/** The case a help desk identity (api/case-access.ts `ticketOwnerOf`) opened for its ticket. */
export async function findCaseByExternalRef(
  db: Database,
  owner: string | null,
  system: string,
  externalId: string,
) {
  const [row] = await db
    .select()
    .from(cases)
    .where(
      and(
        owner === null ? isNull(cases.createdByKey) : eq(cases.createdByKey, owner),
        eq(cases.externalSystem, system),
        eq(cases.externalId, externalId),
      ),
    );
  return row;
}

/** Every case with this ticket reference, from any help desk, among those `visible` selects. */
export async function findCasesByExternalRef(
  db: Database,
  system: string,
  externalId: string,
  visible: SQL | undefined,
) {
  return db
    .select()
    .from(cases)
    .where(and(eq(cases.externalSystem, system), eq(cases.externalId, externalId), visible))
    .orderBy(asc(cases.createdAt), asc(cases.id))
    .limit(100);
}

export async function caseView(db: Database, row: CaseRow) {
  const timeline = await db
    .select()
    .from(caseEvents)
    .where(eq(caseEvents.caseId, row.id))
    .orderBy(asc(caseEvents.seq));
  const state = row.state as CaseState | null;
  const caseEscalations = await db
    .select()
    .from(escalations)
    .where(eq(escalations.caseId, row.id))
    .orderBy(asc(escalations.dueAt), asc(escalations.id));
  const clocks = clocksOf(row, state);
  return {
    ...summary(row),
    // Before the workflow's first projection the row has no state: the clocks it starts with.
    ...(row.clockSummary ? {} : { slaClocks: clocks.map(briefOf) }),
    sla: row.sla
      ? {
          policy: { id: row.sla.policy.id, version: row.sla.policy.version, name: row.sla.policy.name },
          calendar: {
            id: row.sla.calendar.id,
            name: row.sla.calendar.name,
            timeZone: row.sla.calendar.timeZone,
          },
        }
      : null,
    clocks,
    waitingForCustomer: state?.waitingForCustomer ?? null,
    escalations: caseEscalations.map(escalationView),
    stages: state
      ? {
          resolution: state.resolution ?? null,
          assignments: state.assignments,
          diagnoses: state.diagnoses,
          partsReady: state.partsReady ?? null,
          schedule: state.schedule ?? null,
          checkIn: state.checkIn ?? null,
          repairReports: state.repairReports,
          feedback: state.feedback,
          disputes: state.disputes,
          survey: state.survey ?? null,
          cancellation: state.cancellation ?? null,
          contacts: state.contacts ?? [],
        }
      : null,
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

/**
 * The columns a case summary shows: a list reads these, not the state and SLA snapshot documents, which
 * are the largest part of a row (stored out of line) and which a summary does not show.
 */
const summaryColumns = {
  id: cases.id,
  workflowId: cases.workflowId,
  stage: cases.stage,
  outcome: cases.outcome,
  severity: cases.severity,
  complexity: cases.complexity,
  assignee: cases.assignee,
  channel: cases.channel,
  externalSystem: cases.externalSystem,
  externalId: cases.externalId,
  customerName: cases.customerName,
  customerPhone: cases.customerPhone,
  customerEmail: cases.customerEmail,
  customerTier: cases.customerTier,
  customerRegion: cases.customerRegion,
  productModel: cases.productModel,
  serialNumber: cases.serialNumber,
  purchaseDate: cases.purchaseDate,
  productLine: cases.productLine,
  description: cases.description,
  reportedAt: cases.reportedAt,
  createdAt: cases.createdAt,
  updatedAt: cases.updatedAt,
  closedAt: cases.closedAt,
  breached: cases.breached,
  imported: cases.imported,
  repeatOf: cases.repeatOf,
  clockSummary: cases.clockSummary,
};
type SummaryRow = Pick<CaseRow, keyof typeof summaryColumns>;

export function summary(row: SummaryRow, now = Date.now()) {
  const clocks = slaClocks(row.clockSummary, now);
  return {
    id: row.id,
    workflowId: row.workflowId,
    stage: row.stage,
    stageLabel: STAGE_LABELS_ZH[row.stage as Stage] ?? row.stage,
    outcome: row.outcome,
    severity: row.severity,
    complexity: row.complexity,
    assignee: row.assignee,
    channel: row.channel,
    externalRef: row.externalSystem ? { system: row.externalSystem, id: row.externalId } : null,
    customer: {
      name: row.customerName,
      phone: row.customerPhone,
      email: row.customerEmail,
      tier: row.customerTier,
      region: row.customerRegion,
    },
    product: {
      model: row.productModel,
      serialNumber: row.serialNumber,
      purchaseDate: row.purchaseDate,
      line: row.productLine,
    },
    problem: { description: row.description, severity: row.severity },
    reportedAt: row.reportedAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    closedAt: row.closedAt?.toISOString() ?? null,
    breached: row.breached,
    imported: row.imported,
    /** The earlier case whose repair this one repeats within 30 days (返修), if any. */
    repeatOf: row.repeatOf ?? null,
    slaClocks: clocks,
    escalationLevel: topLevel(row.clockSummary),
  };
}

/** A clock as a list shows it: enough to count it down (schema ClockSummary). */
export interface ClockSummary {
  name: ClockName;
  state: ClockDisplayState;
  breached: boolean;
  deadline: string | null;
  remainingMs: number | null;
}

/**
 * The clocks of the summary column (migration 0012) at `now`, in the policy's order: a running clock
 * past its deadline has breached even before the workflow's timer recorded it, as on the case itself.
 */
function slaClocks(column: ClockSummaryColumn[] | null, now: number): ClockSummary[] {
  if (!column) return [];
  const order = (name: string) => CLOCKS.indexOf(name as ClockName);
  return [...column]
    .sort((a, b) => order(a.name) - order(b.name))
    .map((c) => {
      const running = c.status === 'running';
      const overdue = running && c.deadline !== undefined && Date.parse(c.deadline) <= now;
      const breached = c.breached || overdue;
      return {
        name: c.name as ClockName,
        state: c.status === 'stopped' ? 'stopped' : breached ? 'breached' : c.status,
        breached,
        deadline: running ? (c.deadline ?? null) : null,
        remainingMs: running ? null : (c.leftMs ?? null),
      };
    });
}

/** The same for a clock as the case shows it in full. */
const briefOf = (c: ClockView): ClockSummary => {
  const running = c.deadline !== null;
  return {
    name: c.name,
    state: c.state,
    breached: c.breached,
    deadline: c.deadline,
    remainingMs: running ? null : c.remainingMs,
  };
};

function topLevel(column: ClockSummaryColumn[] | null): number | null {
  const levels = (column ?? []).flatMap((c) => (c.level === undefined ? [] : [c.level]));
  return levels.length ? Math.max(...levels) : null;
}

/** Each clock as it stands now; before the workflow's first projection, the clocks it starts with. */
function clocksOf(row: CaseRow, state: CaseState | null): ClockView[] {
  if (!row.sla) return [];
  const clocks = state?.clocks ?? startCaseClocks(row.sla, row.severity as Severity, row.reportedAt);
  const now = new Date();
  return CLOCKS.flatMap((name) => (clocks[name] ? [viewClock(row.sla!.calendar, clocks[name], now)] : []));
}

export function escalationView(e: typeof escalations.$inferSelect) {
  return {
    id: e.id,
    caseId: e.caseId,
    clock: e.clock,
    cycle: e.cycle,
    level: e.level,
    name: e.name,
    dueAt: e.dueAt.toISOString(),
    firedAt: e.firedAt.toISOString(),
    latenessMs: e.firedAt.getTime() - e.dueAt.getTime(),
    recipient: e.recipient,
    assignee: e.assignee,
    severity: e.severity,
    notified: e.notified ?? null,
    imported: e.imported,
  };
}

export interface CaseFilter {
  stage?: string;
  assignee?: string;
  severity?: string;
  breached?: string;
  from?: string;
  to?: string;
  q?: string;
  limit?: string;
  cursor?: string;
}

/** Newest first, keyset-paginated on (created_at, id) so pages stay stable while cases arrive. */
export async function listCases(db: Database, f: CaseFilter, visible: SQL | undefined) {
  const limit = f.limit ? Number(f.limit) : 20;
  const where: SQL[] = [];
  if (visible) where.push(visible);
  if (f.stage) where.push(eq(cases.stage, f.stage));
  if (f.assignee) where.push(eq(cases.assignee, f.assignee));
  if (f.severity) where.push(eq(cases.severity, f.severity));
  if (f.breached) where.push(eq(cases.breached, f.breached === 'true'));
  if (f.from) where.push(gte(cases.createdAt, new Date(f.from)));
  if (f.to) where.push(lt(cases.createdAt, new Date(f.to)));
  if (f.q) {
    const pattern = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(
      or(
        ilike(cases.customerName, pattern),
        ilike(cases.serialNumber, pattern),
        ilike(cases.productModel, pattern),
      )!,
    );
  }
  if (f.cursor) {
    // created_at is stored at millisecond precision, so a cursor made from a JS Date is exact.
    const c = decodeCursor(f.cursor);
    where.push(sql`(${cases.createdAt}, ${cases.id}) < (${c.at}::timestamptz, ${c.id})`);
  }
  const rows = await db
    .select(summaryColumns)
    .from(cases)
    .where(and(...where))
    .orderBy(desc(cases.createdAt), desc(cases.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(summary),
    nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}
