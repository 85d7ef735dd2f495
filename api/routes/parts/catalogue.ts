// The parts catalogue (备件目录), warehouses (central stores and engineers' van stock) and suppliers
// (qualified or suspended, with the parts they supply), plus each supplier's evaluation per period.
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { balancesOf } from '../../../activities/parts/ledger.js';
import { evaluationOf } from '../../../activities/parts/procurement.js';
import type { AppDeps } from '../../app.js';
import { notFound, Problem, unprocessable } from '../../problem.js';
import {
  evaluationQuery,
  evaluationView,
  idParams,
  listQuery,
  PART_NUMBER,
  page,
  partBody,
  partView,
  problems,
  supplierBody,
  supplierView,
  warehouseBody,
  warehouseView,
} from './schemas.js';
import { asProblem, limitOf } from './support.js';

type PartRow = {
  part_number: string;
  name: string;
  unit: string;
  standard_cost: string;
  compatible_models: string[];
  serial_tracked: boolean;
  reorder_point: number;
  reorder_quantity: number;
};
const partOf = (r: PartRow) => ({
  partNumber: r.part_number,
  name: r.name,
  unit: r.unit,
  standardCost: Number(r.standard_cost),
  compatibleModels: r.compatible_models,
  serialTracked: r.serial_tracked,
  reorderPoint: r.reorder_point,
  reorderQuantity: r.reorder_quantity,
});

export async function catalogueRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db } = deps;

  app.put<{ Params: { partNumber: string }; Body: Record<string, unknown> }>(
    '/api/v1/parts/:partNumber',
    {
      schema: {
        operationId: 'putPart',
        tags: ['parts'],
        summary: 'Create or replace a catalogue part (备件)',
        params: idParams('partNumber', PART_NUMBER),
        body: partBody,
        response: { 200: partView, ...problems(400, 422) },
      },
      config: { permission: 'parts.catalogue.write' },
    },
    async (req) => {
      const b = req.body as {
        name: string;
        unit?: string;
        standardCost: number;
        compatibleModels?: string[];
        serialTracked?: boolean;
        reorderPoint?: number;
        reorderQuantity?: number;
      };
      const [row] = await db.execute<PartRow>(sql`
        insert into parts (part_number, name, unit, standard_cost, compatible_models, serial_tracked, reorder_point, reorder_quantity)
        values (${req.params.partNumber}, ${b.name}, ${b.unit ?? 'pcs'}, ${b.standardCost},
          array(select jsonb_array_elements_text(${JSON.stringify(b.compatibleModels ?? [])}::jsonb)),
          ${b.serialTracked ?? false}, ${b.reorderPoint ?? 0}, ${b.reorderQuantity ?? 0})
        on conflict (part_number) do update set name = excluded.name, unit = excluded.unit,
          standard_cost = excluded.standard_cost, compatible_models = excluded.compatible_models,
          serial_tracked = excluded.serial_tracked, reorder_point = excluded.reorder_point,
          reorder_quantity = excluded.reorder_quantity
        returning *`);
      return partOf(row!);
    },
  );

  app.get<{ Params: { partNumber: string } }>(
    '/api/v1/parts/:partNumber',
    {
      schema: {
        operationId: 'getPart',
        tags: ['parts'],
        summary: 'A catalogue part with its stock per warehouse (on hand, reserved, available)',
        params: idParams('partNumber', PART_NUMBER),
        response: { 200: partView, ...problems(400, 404) },
      },
      config: { permission: 'parts.read' },
    },
    async (req) => {
      const [row] = await db.execute<PartRow>(
        sql`select * from parts where part_number = ${req.params.partNumber}`,
      );
      if (!row) throw notFound('part', req.params.partNumber);
      const costs =
        req.principal && ['finance', 'manager', 'procurement', 'admin'].includes(req.principal.role);
      const stock = (await balancesOf(db, row.part_number)).map((b) =>
        costs ? b : { ...b, averageCost: 0 },
      );
      return { ...partOf(row), stock };
    },
  );

  app.get<{ Querystring: { limit?: string; cursor?: string; model?: string; q?: string } }>(
    '/api/v1/parts',
    {
      schema: {
        operationId: 'listParts',
        tags: ['parts'],
        summary: 'The catalogue, by part number; `model` filters to parts compatible with a product model',
        querystring: listQuery({
          model: { type: 'string', maxLength: 200 },
          q: { type: 'string', maxLength: 200 },
        }),
        response: { 200: page(partView), ...problems(400) },
      },
      config: { permission: 'parts.read' },
    },
    async (req) => {
      const limit = limitOf(req.query.limit);
      const after = req.query.cursor ? decodeText(req.query.cursor) : null;
      const rows = await db.execute<PartRow>(sql`
        select * from parts where true
          ${after ? sql`and part_number > ${after}` : sql``}
          ${req.query.model ? sql`and ${req.query.model} = any(compatible_models)` : sql``}
          ${req.query.q ? sql`and (part_number ilike ${`%${req.query.q}%`} or name ilike ${`%${req.query.q}%`})` : sql``}
        order by part_number limit ${limit + 1}`);
      const items = rows.slice(0, limit).map(partOf);
      return { items, nextCursor: rows.length > limit ? encodeText(items.at(-1)!.partNumber) : null };
    },
  );

  app.put<{
    Params: { id: string };
    Body: { name: string; kind: string; engineer?: string; priority?: number };
  }>(
    '/api/v1/warehouses/:id',
    {
      schema: {
        operationId: 'putWarehouse',
        tags: ['parts'],
        summary: 'Create or replace a warehouse: a central store or an engineer’s van stock',
        params: idParams(),
        body: warehouseBody,
        response: { 200: warehouseView, ...problems(400, 422) },
      },
      config: { permission: 'parts.catalogue.write' },
    },
    async (req) => {
      const b = req.body;
      if (b.kind === 'van' && !b.engineer)
        throw unprocessable('a van stock names the engineer who carries it');
      const [row] = await db.execute<{
        id: string;
        name: string;
        kind: string;
        engineer: string | null;
        priority: number;
      }>(sql`
        insert into warehouses (id, name, kind, engineer, priority)
        values (${req.params.id}, ${b.name}, ${b.kind}, ${b.engineer ?? null}, ${b.priority ?? 100})
        on conflict (id) do update set name = excluded.name, kind = excluded.kind, engineer = excluded.engineer,
          priority = excluded.priority
        returning id, name, kind, engineer, priority`);
      return row;
    },
  );

  app.get(
    '/api/v1/warehouses',
    {
      schema: {
        operationId: 'listWarehouses',
        tags: ['parts'],
        summary: 'Warehouses, nearest (lowest priority) first',
        response: {
          200: {
            type: 'object',
            required: ['items'],
            properties: { items: { type: 'array', items: warehouseView } },
          },
          ...problems(),
        },
      },
      config: { permission: 'parts.read' },
    },
    async () => ({
      items: await db.execute(
        sql`select id, name, kind, engineer, priority from warehouses order by priority, id`,
      ),
    }),
  );

  app.put<{
    Params: { id: string };
    Body: {
      name: string;
      contact?: Record<string, string>;
      status?: string;
      parts?: Array<{ partNumber: string; price: number; leadTimeDays: number }>;
    };
  }>(
    '/api/v1/suppliers/:id',
    {
      schema: {
        operationId: 'putSupplier',
        tags: ['parts'],
        summary: 'Create or replace a supplier with the parts it supplies (price, lead time) and its status',
        description: 'A suspended supplier gets no requests for quotes.',
        params: idParams(),
        body: supplierBody,
        response: { 200: supplierView, ...problems(400, 422) },
      },
      config: { permission: 'parts.suppliers.write' },
    },
    async (req) => {
      const b = req.body;
      const seen = new Set<string>();
      for (const p of b.parts ?? []) {
        if (seen.has(p.partNumber)) throw unprocessable(`part ${p.partNumber} is listed twice`);
        seen.add(p.partNumber);
      }
      try {
        await db.transaction(async (tx) => {
          await tx.execute(sql`
            insert into suppliers (id, name, contact, status)
            values (${req.params.id}, ${b.name}, ${JSON.stringify(b.contact ?? {})}::jsonb, ${b.status ?? 'qualified'})
            on conflict (id) do update set name = excluded.name, contact = excluded.contact, status = excluded.status`);
          if (b.parts) {
            await tx.execute(sql`delete from supplier_parts where supplier_id = ${req.params.id}`);
            for (const p of b.parts)
              await tx.execute(sql`
                insert into supplier_parts (supplier_id, part_number, price, lead_time_days)
                values (${req.params.id}, ${p.partNumber}, ${p.price}, ${p.leadTimeDays})`);
          }
        });
      } catch (err) {
        const p = asProblem(err);
        if (p instanceof Problem && p.code === 'unknown-reference')
          throw unprocessable('a listed part is not in the catalogue');
        throw p;
      }
      return supplierOf(req.params.id);
    },
  );

  async function supplierOf(id: string) {
    const [s] = await db.execute<{
      id: string;
      name: string;
      contact: Record<string, string>;
      status: string;
    }>(sql`select id, name, contact, status from suppliers where id = ${id}`);
    if (!s) throw notFound('supplier', id);
    const parts = await db.execute<{ part_number: string; price: string; lead_time_days: string }>(
      sql`select part_number, price, lead_time_days from supplier_parts where supplier_id = ${id} order by part_number`,
    );
    return {
      ...s,
      parts: parts.map((p) => ({
        partNumber: p.part_number,
        price: Number(p.price),
        leadTimeDays: Number(p.lead_time_days),
      })),
    };
  }

  app.get<{ Params: { id: string } }>(
    '/api/v1/suppliers/:id',
    {
      schema: {
        operationId: 'getSupplier',
        tags: ['parts'],
        summary: 'A supplier with the parts it supplies',
        params: idParams(),
        response: { 200: supplierView, ...problems(400, 404) },
      },
      config: { permission: 'parts.suppliers.read' },
    },
    async (req) => supplierOf(req.params.id),
  );

  app.get(
    '/api/v1/suppliers',
    {
      schema: {
        operationId: 'listSuppliers',
        tags: ['parts'],
        summary: 'Suppliers with the parts they supply',
        response: {
          200: {
            type: 'object',
            required: ['items'],
            properties: { items: { type: 'array', items: supplierView } },
          },
          ...problems(),
        },
      },
      config: { permission: 'parts.suppliers.read' },
    },
    async () => {
      const ids = await db.execute<{ id: string }>(sql`select id from suppliers order by id limit 1000`);
      return { items: await Promise.all(ids.map((r) => supplierOf(r.id))) };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { from?: string; to?: string } }>(
    '/api/v1/suppliers/:id/evaluation',
    {
      schema: {
        operationId: 'getSupplierEvaluation',
        tags: ['parts'],
        summary:
          'Supplier evaluation over a period: on-time-in-full, inspection pass rate, price against catalogue',
        description:
          'On-time-in-full is quantity-weighted: units that passed inspection and were received by the promised date, over the units promised in the period. A ratio with nothing to measure is "n/a". Default period: the last 90 days.',
        params: idParams(),
        querystring: evaluationQuery,
        response: { 200: evaluationView, ...problems(400, 404, 422) },
      },
      config: { permission: 'parts.suppliers.read' },
    },
    async (req) => {
      const to = req.query.to ? new Date(req.query.to) : new Date();
      const from = req.query.from ? new Date(req.query.from) : new Date(to.getTime() - 90 * 86_400_000);
      if (from >= to) throw unprocessable('"from" must be before "to"');
      await supplierOf(req.params.id);
      const e = await evaluationOf(db, req.params.id, from, to);
      return { supplierId: req.params.id, from: from.toISOString(), to: to.toISOString(), ...e };
    },
  );
}

export const encodeText = (s: string) => Buffer.from(JSON.stringify([s])).toString('base64url');
export function decodeText(cursor: string): string {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'string') return v[0];
  } catch {
    // fall through
  }
  throw new Problem(400, 'invalid-cursor', 'Bad request', 'cursor is not one this API issued');
}
