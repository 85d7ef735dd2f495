// Parts requests of cases (备件申请) and the purchases behind them (采购): requests for quotes, quotes,
// the comparison and order, the manager's approval, receipts and receiving inspection. Each step is a
// transaction on the parts tables; the request's workflow is then signalled to look again.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import {
  addRfq,
  awardPurchase,
  decideApproval,
  inspectReceipt,
  receiveDelivery,
  recordQuote,
  unknownParts,
} from '../../../activities/parts/procurement.js';
import { caseWorkflowId } from '../../../domain/case.js';
import { parseDuration } from '../../../domain/duration.js';
import {
  DEFAULT_PARTS_SETTINGS,
  type OrderChoice,
  partsRequestWorkflowId,
} from '../../../domain/parts/request.js';
import { cancelPartsRequestUpdate, changePartsRequestUpdate } from '../../../workflows/parts-signals.js';
import type { AppDeps } from '../../app.js';
import { assertMayAct } from '../../case-access.js';
import { findCase } from '../../case-read-model.js';
import { actorOf } from '../../plugins/auth.js';
import { conflict, notFound, Problem, unavailable, unprocessable } from '../../problem.js';
import { decodeText, encodeText } from './catalogue.js';
import {
  approvalBody,
  cancellationView,
  cancelRequestBody,
  changeRequestBody,
  changeView,
  idParams,
  inspectionBody,
  listQuery,
  orderView,
  page,
  problems,
  purchaseView,
  quoteBody,
  receiptBody,
  requestView,
  rfqBody,
} from './schemas.js';
import { answer, iso, limitOf, nudgeRequestOf } from './support.js';

const REQUEST_ID = '^PR-[A-Za-z0-9-]{1,80}$';
const PURCHASE_ID = '^PU[0-9]{7,12}$';
const ORDER_ID = '^PO[0-9]{7,12}$';
const RECEIPT_ID = '^[1-9][0-9]{0,14}$';

export async function requestRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db } = deps;
  const threshold = () => deps.parts?.approvalThreshold ?? DEFAULT_PARTS_SETTINGS.approvalThreshold;

  async function requestOf(id: string) {
    const [r] = await db.execute<{
      id: string;
      case_id: string;
      status: string;
      requested_by: string;
      cancellation: unknown;
      created_at: Date;
    }>(sql`select * from parts_requests where id = ${id}`);
    if (!r) throw notFound('parts request', id);
    const lines = await db.execute<{
      line_no: number;
      part_number: string;
      quantity: number;
      reserved: number;
      issued: number;
    }>(sql`select * from parts_request_lines where request_id = ${id} order by line_no`);
    const reservations = await db.execute<{
      line_no: number;
      part_number: string;
      warehouse_id: string;
      quantity: number;
      status: string;
    }>(sql`select * from stock_reservations where request_id = ${id} order by id`);
    const purchases = await db.execute<{ id: string; status: string }>(
      sql`select id from purchases where request_id = ${id} order by id`,
    );
    return {
      id: r.id,
      caseId: r.case_id,
      status: r.status,
      requestedBy: r.requested_by,
      cancellation: r.cancellation ?? null,
      lines: lines.map((l) => ({
        lineNo: l.line_no,
        partNumber: l.part_number,
        quantity: l.quantity,
        reserved: l.reserved,
        issued: l.issued,
      })),
      reservations: reservations.map((s) => ({
        lineNo: s.line_no,
        partNumber: s.part_number,
        warehouseId: s.warehouse_id,
        quantity: s.quantity,
        status: s.status,
      })),
      purchases: await Promise.all(purchases.map((p) => purchaseOf(p.id))),
      createdAt: iso(r.created_at)!,
    };
  }

  async function purchaseOf(id: string) {
    const [p] = await db.execute<{
      id: string;
      origin: string;
      request_id: string | null;
      case_id: string | null;
      part_number: string;
      quantity: number;
      warehouse_id: string;
      status: string;
      created_at: Date;
    }>(
      sql`select p.*, r.case_id from purchases p left join parts_requests r on r.id = p.request_id where p.id = ${id}`,
    );
    if (!p) throw notFound('purchase', id);
    const rfqs = await db.execute<{ supplier_id: string }>(
      sql`select supplier_id from purchase_rfqs where purchase_id = ${id} order by supplier_id`,
    );
    const quotes = await db.execute<{
      supplier_id: string;
      unit_price: string;
      lead_time_ms: string;
      valid_until: Date;
      entered_by: string;
    }>(sql`select * from purchase_quotes where purchase_id = ${id} order by supplier_id`);
    const orders = await db.execute<{ id: string }>(
      sql`select id from purchase_orders where purchase_id = ${id} order by id`,
    );
    return {
      id: p.id,
      origin: p.origin,
      requestId: p.request_id,
      caseId: p.case_id,
      partNumber: p.part_number,
      quantity: p.quantity,
      warehouseId: p.warehouse_id,
      status: p.status,
      rfqs: rfqs.map((r) => r.supplier_id),
      quotes: quotes.map((q) => ({
        supplierId: q.supplier_id,
        unitPrice: Number(q.unit_price),
        leadTimeMs: Number(q.lead_time_ms),
        validUntil: iso(q.valid_until)!,
        enteredBy: q.entered_by,
      })),
      orders: await Promise.all(orders.map((o) => orderOf(o.id))),
      createdAt: iso(p.created_at)!,
    };
  }

  async function orderOf(id: string) {
    const [o] = await db.execute<{
      id: string;
      purchase_id: string;
      supplier_id: string;
      quantity: number;
      unit_price: string;
      status: string;
      comparison: Record<string, unknown>;
      approved_by: string | null;
      placed_at: Date | null;
      expected_at: Date | null;
      received_quantity: number;
      passed_quantity: number;
      failed_quantity: number;
      cancellation: unknown;
    }>(sql`select * from purchase_orders where id = ${id}`);
    if (!o) throw notFound('purchase order', id);
    const escalations = await db.execute<{ level: number; due_at: Date; fired_at: Date; recipient: string }>(
      sql`select * from purchase_order_escalations where purchase_order_id = ${id} order by level`,
    );
    const receipts = await db.execute<{
      id: string;
      quantity: number;
      serials: string[];
      received_at: Date;
      inspection: string | null;
      inspection_note: string | null;
    }>(sql`select * from purchase_receipts where purchase_order_id = ${id} order by id`);
    return {
      id: o.id,
      purchaseId: o.purchase_id,
      supplierId: o.supplier_id,
      quantity: o.quantity,
      unitPrice: Number(o.unit_price),
      amount: Math.round(Number(o.unit_price) * o.quantity * 100) / 100,
      status: o.status,
      comparison: o.comparison,
      approvedBy: o.approved_by,
      placedAt: iso(o.placed_at),
      expectedAt: iso(o.expected_at),
      receivedQuantity: o.received_quantity,
      passedQuantity: o.passed_quantity,
      failedQuantity: o.failed_quantity,
      cancellation: o.cancellation ?? null,
      escalations: escalations.map((e) => ({
        level: e.level,
        dueAt: iso(e.due_at)!,
        firedAt: iso(e.fired_at)!,
        recipient: e.recipient,
      })),
      receipts: receipts.map((r) => ({
        id: Number(r.id),
        quantity: r.quantity,
        serials: r.serials,
        receivedAt: iso(r.received_at)!,
        inspection: r.inspection,
        inspectionNote: r.inspection_note,
      })),
    };
  }

  app.get<{ Params: { id: string } }>(
    '/api/v1/parts-requests/:id',
    {
      schema: {
        operationId: 'getPartsRequest',
        tags: ['parts'],
        summary: 'A case’s parts request: lines, reservations and purchases',
        params: idParams('id', REQUEST_ID),
        response: { 200: requestView, ...problems(400, 404) },
      },
      config: { permission: 'parts.requests.read' },
    },
    async (req) => requestOf(req.params.id),
  );

  app.get<{ Querystring: { caseId?: string; status?: string; limit?: string; cursor?: string } }>(
    '/api/v1/parts-requests',
    {
      schema: {
        operationId: 'listPartsRequests',
        tags: ['parts'],
        summary: 'Parts requests, by id; filter by case or status',
        querystring: listQuery({
          caseId: { type: 'string', maxLength: 64 },
          status: { type: 'string', enum: ['open', 'reserved', 'issued', 'cancelled'] },
        }),
        response: { 200: page(requestView), ...problems(400) },
      },
      config: { permission: 'parts.requests.read' },
    },
    async (req) => {
      const limit = limitOf(req.query.limit);
      const after = req.query.cursor ? decodeText(req.query.cursor) : null;
      const rows = await db.execute<{ id: string }>(sql`
        select id from parts_requests where true
          ${req.query.caseId ? sql`and case_id = ${req.query.caseId}` : sql``}
          ${req.query.status ? sql`and status = ${req.query.status}` : sql``}
          ${after ? sql`and id > ${after}` : sql``}
        order by id limit ${limit + 1}`);
      const items = await Promise.all(rows.slice(0, limit).map((r) => requestOf(r.id)));
      return { items, nextCursor: rows.length > limit ? encodeText(items.at(-1)!.id) : null };
    },
  );

  app.post<{ Params: { id: string }; Body: { reason: string; purchaseOrders: OrderChoice } }>(
    '/api/v1/parts-requests/:id/cancel',
    {
      schema: {
        operationId: 'cancelPartsRequest',
        tags: ['parts'],
        summary:
          'Cancel a parts request: reservations are released; a placed order is kept as stock or cancelled',
        params: idParams('id', REQUEST_ID),
        body: cancelRequestBody,
        response: { 200: cancellationView, ...problems(400, 404, 409) },
      },
      config: { permission: 'parts.requests.cancel' },
    },
    async (req) => {
      const request = await requestOf(req.params.id);
      const row = await findCase(db, request.caseId);
      if (!row) throw notFound('case', request.caseId);
      assertMayAct(req.principal!, row);
      const handle = deps.temporal.workflow.getHandle(partsRequestWorkflowId(req.params.id));
      try {
        return await handle.executeUpdate(cancelPartsRequestUpdate, {
          args: [
            { actor: actorOf(req.principal!), reason: req.body.reason, orders: req.body.purchaseOrders },
          ],
        });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
          if (err.cause.type?.startsWith('PartsRejected.not-found'))
            throw notFound('parts request', req.params.id);
          throw conflict(err.cause.message);
        }
        if (err instanceof WorkflowNotFoundError)
          throw conflict(`parts request ${req.params.id} has ended; nothing is left to cancel`);
        throw unavailable(`the workflow engine could not take the step: ${(err as Error).message}`);
      }
    },
  );

  app.post<{
    Params: { id: string };
    Body: {
      lines: Array<{ partNumber: string; quantity: number }>;
      reason: string;
      purchaseOrders: OrderChoice;
    };
  }>(
    '/api/v1/parts-requests/:id/change',
    {
      schema: {
        operationId: 'changePartsRequest',
        tags: ['parts'],
        summary: 'Change the parts of a case: the request is cancelled (as for cancel) and a new one started',
        description:
          'Possible while the case waits for parts, is diagnosed or scheduled; a case that had its parts waits for the new ones (the repair clock pauses again).',
        params: idParams('id', REQUEST_ID),
        body: changeRequestBody,
        response: { 200: changeView, ...problems(400, 404, 409, 422) },
      },
      config: { permission: 'parts.requests.change' },
    },
    async (req) => {
      const request = await requestOf(req.params.id);
      const row = await findCase(db, request.caseId);
      if (!row) throw notFound('case', request.caseId);
      assertMayAct(req.principal!, row);
      const unknown = await unknownParts(
        db,
        req.body.lines.map((l) => l.partNumber),
      );
      if (unknown.length > 0) throw unprocessable(`not in the parts catalogue: ${unknown.join(', ')}`);
      const handle = deps.temporal.workflow.getHandle(caseWorkflowId(request.caseId));
      try {
        const { requestId } = await handle.executeUpdate(changePartsRequestUpdate, {
          args: [
            {
              actor: actorOf(req.principal!),
              requestId: req.params.id,
              lines: req.body.lines,
              reason: req.body.reason,
              orders: req.body.purchaseOrders,
            },
          ],
        });
        return { caseId: request.caseId, replaced: req.params.id, requestId };
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure)
          throw conflict(err.cause.message);
        if (err instanceof WorkflowNotFoundError) throw conflict(`case ${request.caseId} has ended`);
        throw unavailable(`the workflow engine could not take the step: ${(err as Error).message}`);
      }
    },
  );

  app.get<{ Querystring: { status?: string; limit?: string; cursor?: string } }>(
    '/api/v1/purchases',
    {
      schema: {
        operationId: 'listPurchases',
        tags: ['parts'],
        summary: 'Purchases (for a case’s request or a reorder), by id; filter by status',
        querystring: listQuery({
          status: {
            type: 'string',
            enum: ['quoting', 'ordering', 'completed', 'cancelled', 'kept_as_stock'],
          },
        }),
        response: { 200: page(purchaseView), ...problems(400) },
      },
      config: { permission: 'parts.purchases.read' },
    },
    async (req) => {
      const limit = limitOf(req.query.limit);
      const after = req.query.cursor ? decodeText(req.query.cursor) : null;
      const rows = await db.execute<{ id: string }>(sql`
        select id from purchases where true
          ${req.query.status ? sql`and status = ${req.query.status}` : sql``}
          ${after ? sql`and id > ${after}` : sql``}
        order by id limit ${limit + 1}`);
      const items = await Promise.all(rows.slice(0, limit).map((r) => purchaseOf(r.id)));
      return { items, nextCursor: rows.length > limit ? encodeText(items.at(-1)!.id) : null };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/purchases/:id',
    {
      schema: {
        operationId: 'getPurchase',
        tags: ['parts'],
        summary: 'A purchase: suppliers asked, quotes, orders with comparison, receipts and escalations',
        params: idParams('id', PURCHASE_ID),
        response: { 200: purchaseView, ...problems(400, 404) },
      },
      config: { permission: 'parts.purchases.read' },
    },
    async (req) => purchaseOf(req.params.id),
  );

  app.post<{ Params: { id: string }; Body: { supplierId: string } }>(
    '/api/v1/purchases/:id/rfqs',
    {
      schema: {
        operationId: 'sendRequestForQuote',
        tags: ['parts'],
        summary: 'Ask one more supplier for a quote (a suspended supplier is refused)',
        params: idParams('id', PURCHASE_ID),
        body: rfqBody,
        response: { 200: purchaseView, ...problems(400, 404, 409) },
      },
      config: { permission: 'parts.purchases.write' },
    },
    async (req) => {
      await answer(deps, () => addRfq(db, { purchaseId: req.params.id, supplierId: req.body.supplierId }));
      return purchaseOf(req.params.id);
    },
  );

  app.post<{
    Params: { id: string };
    Body: { supplierId: string; unitPrice: number; leadTime: string; validUntil: string };
  }>(
    '/api/v1/purchases/:id/quotes',
    {
      schema: {
        operationId: 'enterQuote',
        tags: ['parts'],
        summary: 'Enter a supplier’s quote: unit price, lead time, validity (replaces its earlier quote)',
        params: idParams('id', PURCHASE_ID),
        body: quoteBody,
        response: { 200: purchaseView, ...problems(400, 404, 409, 422) },
      },
      config: { permission: 'parts.purchases.write' },
    },
    async (req) => {
      const b = req.body;
      await answer(deps, () =>
        recordQuote(db, {
          purchaseId: req.params.id,
          supplierId: b.supplierId,
          unitPrice: b.unitPrice,
          leadTimeMs: parseDuration(b.leadTime),
          validUntil: b.validUntil,
          actor: actorOf(req.principal!),
        }),
      );
      await nudgeRequestOf(deps, req.params.id);
      return purchaseOf(req.params.id);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/purchases/:id/award',
    {
      schema: {
        operationId: 'awardPurchase',
        tags: ['parts'],
        summary: 'Compare the valid quotes (price, lead time, supplier record) and order from the best',
        description:
          'The order is placed at once, with its promised date, unless its amount is above the approval threshold: then it waits for the service manager.',
        params: idParams('id', PURCHASE_ID),
        response: { 200: orderView, ...problems(400, 404, 409) },
      },
      config: { permission: 'parts.purchases.write' },
    },
    async (req) => {
      const o = await answer(deps, () =>
        awardPurchase(db, {
          purchaseId: req.params.id,
          actor: actorOf(req.principal!),
          approvalThreshold: threshold(),
        }),
      );
      await nudgeRequestOf(deps, req.params.id);
      return orderOf(o.purchaseOrderId);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/purchase-orders/:id',
    {
      schema: {
        operationId: 'getPurchaseOrder',
        tags: ['parts'],
        summary: 'A purchase order with its comparison, receipts and late escalations',
        params: idParams('id', ORDER_ID),
        response: { 200: orderView, ...problems(400, 404) },
      },
      config: { permission: 'parts.purchases.read' },
    },
    async (req) => orderOf(req.params.id),
  );

  app.post<{ Params: { id: string }; Body: { approve: boolean; note?: string } }>(
    '/api/v1/purchase-orders/:id/approval',
    {
      schema: {
        operationId: 'decidePurchaseOrderApproval',
        tags: ['parts'],
        summary: 'The service manager approves (the order is placed) or rejects an order above the threshold',
        params: idParams('id', ORDER_ID),
        body: approvalBody,
        response: { 200: orderView, ...problems(400, 404, 409) },
      },
      config: { permission: 'parts.purchases.approve' },
    },
    async (req) => {
      await answer(deps, () =>
        decideApproval(db, {
          purchaseOrderId: req.params.id,
          approve: req.body.approve,
          note: req.body.note,
          actor: actorOf(req.principal!),
        }),
      );
      await nudgeRequestOf(deps, req.params.id);
      return orderOf(req.params.id);
    },
  );

  app.post<{ Params: { id: string }; Body: { quantity: number; serials?: string[] } }>(
    '/api/v1/purchase-orders/:id/receipts',
    {
      schema: {
        operationId: 'receivePurchaseOrder',
        tags: ['parts'],
        summary: 'Record a delivery against a placed order (waits for receiving inspection)',
        params: idParams('id', ORDER_ID),
        body: receiptBody,
        response: { 200: orderView, ...problems(400, 404, 409, 422) },
      },
      config: { permission: 'parts.purchases.write' },
    },
    async (req) => {
      await answer(deps, () =>
        receiveDelivery(db, {
          purchaseOrderId: req.params.id,
          quantity: req.body.quantity,
          serials: req.body.serials,
          actor: actorOf(req.principal!),
        }),
      );
      await nudgeRequestOf(deps, req.params.id);
      return orderOf(req.params.id);
    },
  );

  app.post<{ Params: { id: string }; Body: { passed: boolean; note?: string } }>(
    '/api/v1/receipts/:id/inspection',
    {
      schema: {
        operationId: 'inspectReceipt',
        tags: ['parts'],
        summary:
          'Receiving inspection of a delivery: passed → stock (reserved for the case); failed → returned and re-ordered',
        params: idParams('id', RECEIPT_ID),
        body: inspectionBody,
        response: { 200: orderView, ...problems(400, 404, 409) },
      },
      config: { permission: 'parts.purchases.write' },
    },
    async (req) => {
      const receiptId = Number(req.params.id);
      await answer(deps, () =>
        inspectReceipt(db, {
          receiptId,
          passed: req.body.passed,
          note: req.body.note,
          actor: actorOf(req.principal!),
          approvalThreshold: threshold(),
        }),
      );
      const [r] = await db.execute<{ purchase_order_id: string }>(
        sql`select purchase_order_id from purchase_receipts where id = ${receiptId}`,
      );
      if (!r) throw new Problem(404, 'not-found', 'Not found', `receipt "${receiptId}" does not exist`);
      await nudgeRequestOf(deps, r.purchase_order_id);
      return orderOf(r.purchase_order_id);
    },
  );
}
