// Stock (库存): balances per part and warehouse, the movement ledger, and the movements people make by
// hand — an opening or loose receipt, a stock-take adjustment with its reason, a return to a supplier.
// Reservations and issues are made by the parts request workflow, never here.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { applyMovement } from '../../../activities/parts/ledger.js';
import type { AppDeps } from '../../app.js';
import { decodeIntCursor, encodeCursor } from '../../cursor.js';
import { actorOf } from '../../plugins/auth.js';
import { unprocessable } from '../../problem.js';
import { listQuery, movementBody, movementView, PART_NUMBER, page, problems, stockView } from './schemas.js';
import { answer, iso, limitOf } from './support.js';

const seesCosts = (role?: string) =>
  role !== undefined && ['finance', 'manager', 'procurement', 'admin'].includes(role);

type MovementRow = {
  id: string | number;
  kind: string;
  part_number: string;
  warehouse_id: string;
  quantity: number;
  on_hand_delta: number;
  reserved_delta: number;
  unit_cost: string | null;
  case_id: string | null;
  request_id: string | null;
  purchase_order_id: string | null;
  serial: string | null;
  faulty_serial: string | null;
  reason: string | null;
  actor: string;
  at: Date | string;
};
const movementOf = (r: MovementRow, costs: boolean) => ({
  id: Number(r.id),
  kind: r.kind,
  partNumber: r.part_number,
  warehouseId: r.warehouse_id,
  quantity: r.quantity,
  onHandDelta: r.on_hand_delta,
  reservedDelta: r.reserved_delta,
  unitCost: costs && r.unit_cost != null ? Number(r.unit_cost) : null,
  caseId: r.case_id,
  requestId: r.request_id,
  purchaseOrderId: r.purchase_order_id,
  serial: r.serial,
  faultySerial: r.faulty_serial,
  reason: r.reason,
  actor: r.actor,
  at: iso(r.at)!,
});

export async function stockRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db } = deps;

  app.get<{ Querystring: { limit?: string; cursor?: string; partNumber?: string; warehouseId?: string } }>(
    '/api/v1/stock',
    {
      schema: {
        operationId: 'listStock',
        tags: ['parts'],
        summary: 'On hand, reserved and available per part and warehouse',
        querystring: listQuery({
          partNumber: { type: 'string', pattern: PART_NUMBER },
          warehouseId: { type: 'string', maxLength: 64 },
        }),
        response: { 200: page(stockView), ...problems(400) },
      },
      config: { permission: 'parts.read' },
    },
    async (req) => {
      const limit = limitOf(req.query.limit);
      const after = req.query.cursor
        ? (JSON.parse(Buffer.from(req.query.cursor, 'base64url').toString()) as unknown)
        : null;
      if (
        after !== null &&
        !(Array.isArray(after) && after.length === 2 && after.every((x) => typeof x === 'string'))
      )
        throw unprocessable('cursor is not one this API issued');
      const a = after as [string, string] | null;
      const rows = await db.execute<{
        part_number: string;
        warehouse_id: string;
        on_hand: number;
        reserved: number;
        average_cost: string;
      }>(sql`
        select part_number, warehouse_id, on_hand, reserved, average_cost from stock_balances where true
          ${req.query.partNumber ? sql`and part_number = ${req.query.partNumber}` : sql``}
          ${req.query.warehouseId ? sql`and warehouse_id = ${req.query.warehouseId}` : sql``}
          ${a ? sql`and (part_number, warehouse_id) > (${a[0]}, ${a[1]})` : sql``}
        order by part_number, warehouse_id limit ${limit + 1}`);
      const costs = seesCosts(req.principal?.role);
      const items = rows.slice(0, limit).map((r) => ({
        partNumber: r.part_number,
        warehouseId: r.warehouse_id,
        onHand: r.on_hand,
        reserved: r.reserved,
        available: r.on_hand - r.reserved,
        ...(costs ? { averageCost: Number(r.average_cost) } : {}),
      }));
      const last = items.at(-1);
      return {
        items,
        nextCursor:
          rows.length > limit && last
            ? Buffer.from(JSON.stringify([last.partNumber, last.warehouseId])).toString('base64url')
            : null,
      };
    },
  );

  app.get<{
    Querystring: {
      limit?: string;
      cursor?: string;
      partNumber?: string;
      caseId?: string;
      warehouseId?: string;
    };
  }>(
    '/api/v1/stock/movements',
    {
      schema: {
        operationId: 'listStockMovements',
        tags: ['parts'],
        summary: 'The stock ledger, newest first; unit costs only for finance, procurement and managers',
        querystring: listQuery({
          partNumber: { type: 'string', pattern: PART_NUMBER },
          warehouseId: { type: 'string', maxLength: 64 },
          caseId: { type: 'string', maxLength: 64 },
        }),
        response: { 200: page(movementView), ...problems(400) },
      },
      config: { permission: 'parts.read' },
    },
    async (req) => {
      const limit = limitOf(req.query.limit);
      const c = req.query.cursor ? decodeIntCursor(req.query.cursor) : null;
      const rows = await db.execute<MovementRow>(sql`
        select * from stock_movements where true
          ${req.query.partNumber ? sql`and part_number = ${req.query.partNumber}` : sql``}
          ${req.query.warehouseId ? sql`and warehouse_id = ${req.query.warehouseId}` : sql``}
          ${req.query.caseId ? sql`and case_id = ${req.query.caseId}` : sql``}
          ${c ? sql`and id < ${c.id}` : sql``}
        order by id desc limit ${limit + 1}`);
      const costs = seesCosts(req.principal?.role);
      const items = rows.slice(0, limit).map((r) => movementOf(r, costs));
      const last = items.at(-1);
      return {
        items,
        nextCursor: rows.length > limit && last ? encodeCursor(new Date(last.at), last.id) : null,
      };
    },
  );

  app.post<{
    Body: {
      kind: 'receive' | 'adjust' | 'return_to_supplier';
      partNumber: string;
      warehouseId: string;
      quantity: number;
      direction?: 'in' | 'out';
      unitCost?: number;
      reason?: string;
      serial?: string;
    };
    Headers: { 'idempotency-key'?: string };
  }>(
    '/api/v1/stock/movements',
    {
      schema: {
        operationId: 'createStockMovement',
        tags: ['parts'],
        summary: 'Receive loose stock, adjust after a stock-take (with a reason), or return to a supplier',
        description:
          'A receipt needs its unit cost; an adjustment its direction and reason. Taking out more than is available (on hand less reserved) answers 409: reserved units stay with their case.',
        body: movementBody,
        response: { 201: movementView, ...problems(400, 404, 409, 422) },
      },
      config: { permission: 'parts.stock.move' },
    },
    async (req, reply) => {
      const b = req.body;
      if (b.kind === 'receive' && b.unitCost === undefined)
        throw unprocessable('a receipt needs its unitCost');
      if (b.kind === 'adjust' && (!b.direction || !b.reason))
        throw unprocessable("an adjustment needs a direction ('in' or 'out') and a reason");
      if (b.kind !== 'adjust' && b.direction) throw unprocessable('only an adjustment has a direction');
      // The Idempotency-Key (per key and body, see the plugin) makes the movement's key: applied once.
      const key = `api:${req.principal!.keyId}:${req.headers['idempotency-key'] ?? randomUUID()}`;
      const row = await answer(deps, async () => {
        const value = await db.transaction(async (tx) => {
          await applyMovement(tx, {
            key,
            partNumber: b.partNumber,
            warehouseId: b.warehouseId,
            kind: b.kind,
            quantity: b.quantity,
            delta: b.kind === 'adjust' ? (b.direction === 'out' ? -b.quantity : b.quantity) : undefined,
            unitCost: b.unitCost,
            reason: b.reason ?? null,
            serial: b.serial ?? null,
            actor: actorOf(req.principal!),
          });
          const [m] = await tx.execute<MovementRow>(sql`select * from stock_movements where key = ${key}`);
          return m!;
        });
        return { value, wake: [] };
      });
      reply.code(201);
      return movementOf(row, seesCosts(req.principal?.role));
    },
  );
}
