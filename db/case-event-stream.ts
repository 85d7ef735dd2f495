// Reading the case timeline as a stream in commit order (migration 0011). A position is the pair
// (transaction id, stream id) of the last row a reader has; rows are delivered only below the horizon —
// the oldest transaction still running — so no row can later appear behind a position already passed.
import { and, type SQL, sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { caseEvents, cases } from './schema.js';

export interface StreamPosition {
  /** Transaction id (xid8), decimal. */
  tx: string;
  /** Stream id within the order; 0 stands before every row of `tx`. */
  id: number;
}

export interface StreamedCaseEvent {
  position: StreamPosition;
  caseId: string;
  seq: number;
  type: string;
  fromStage: string | null;
  toStage: string;
  actor: string;
  at: Date;
  data: Record<string, unknown>;
}

const POSITION_RE = /^(\d{1,20})\.(\d{1,16})$/;

export const formatPosition = (p: StreamPosition) => `${p.tx}.${p.id}`;

/** A position from its text (a client's Last-Event-ID); undefined when it is not one. */
export function parsePosition(text: string): StreamPosition | undefined {
  const m = POSITION_RE.exec(text);
  if (!m) return undefined;
  const id = Number(m[2]);
  if (!Number.isSafeInteger(id) || BigInt(m[1]) >= 2n ** 64n) return undefined;
  return { tx: BigInt(m[1]).toString(), id };
}

export function comparePositions(a: StreamPosition, b: StreamPosition): number {
  const ta = BigInt(a.tx);
  const tb = BigInt(b.tx);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.id - b.id;
}

/**
 * The horizon: every transaction below it has ended, so the rows it wrote are all there to read.
 * Transactions that write nothing have no id and never hold it back.
 */
export async function streamHorizon(db: Database): Promise<string> {
  const [row] = await db.execute<{ xmin: string }>(
    sql`select pg_snapshot_xmin(pg_current_snapshot())::text as xmin`,
  );
  return row!.xmin;
}

/**
 * Timeline rows after `after` and below `horizon`, of the cases `visible` selects, in stream order.
 * Read after the horizon was taken, so every row below it is committed (or never will be).
 */
export async function caseEventsAfter(
  db: Database,
  after: StreamPosition,
  horizon: string,
  visible: SQL | undefined,
  limit: number,
): Promise<StreamedCaseEvent[]> {
  const rows = await db
    .select({
      tx: sql<string>`${caseEvents.streamTx}::text`,
      id: caseEvents.streamId,
      caseId: caseEvents.caseId,
      seq: caseEvents.seq,
      type: caseEvents.type,
      fromStage: caseEvents.fromStage,
      toStage: caseEvents.toStage,
      actor: caseEvents.actor,
      at: caseEvents.at,
      data: caseEvents.data,
    })
    .from(caseEvents)
    .innerJoin(cases, sql`${cases.id} = ${caseEvents.caseId}`)
    .where(
      and(
        sql`(${caseEvents.streamTx}, ${caseEvents.streamId}) > (${after.tx}::xid8, ${after.id}::bigint)`,
        sql`${caseEvents.streamTx} < ${horizon}::xid8`,
        visible,
      ),
    )
    .orderBy(caseEvents.streamTx, caseEvents.streamId)
    .limit(limit);
  return rows.map((r) => ({
    position: { tx: r.tx, id: Number(r.id) },
    caseId: r.caseId,
    seq: r.seq,
    type: r.type,
    fromStage: r.fromStage,
    toStage: r.toStage,
    actor: r.actor,
    at: r.at,
    data: (r.data ?? {}) as Record<string, unknown>,
  }));
}
