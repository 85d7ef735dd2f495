// Costs (费用, docs/kpis.md "Costs"): the cost sheet of a case — parts issued from stock, as the ledger
// costed them, and what people entered: labour (hours × the rate of the role), travel, other, parts
// bought outside the stock — each warranty, goodwill or chargeable; and the service's own costs with no
// case (training …), which count against the budget. Amounts are integer fen.
import { eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/client.js';
import { costEntries, productModels } from '../../db/schema.js';
import { labourAmount } from '../../domain/insight/costs.js';
import { COST_CATEGORIES, COVERAGES, type CostCategory, type Coverage } from '../../domain/insight/kpis.js';
import { localDate } from '../../domain/insight/period.js';
import type { InsightSettings } from '../../domain/insight/settings.js';
import { defaultCoverage, warrantyOf } from '../../domain/insight/warranty.js';
import type { AppDeps } from '../app.js';
import { assertMayAct, canSee } from '../case-access.js';
import { findCase } from '../case-read-model.js';
import { type CostLineRow, costLinesSql, costLineView } from '../insight/cost-lines.js';
import { caseCostBody, serviceCostBody } from '../insight/schemas.js';
import { loadSettings } from '../insight/settings-store.js';
import { actorOf } from '../plugins/auth.js';
import { notFound, unprocessable } from '../problem.js';
import { problemResponses } from '../schema-parts.js';
import { caseIdParams } from '../schemas.js';

interface CostBody {
  category: CostCategory;
  amount?: number;
  hours?: number;
  role?: string;
  partNumber?: string;
  quantity?: number;
  description?: string;
  incurredOn?: string;
  coverage?: Coverage;
}

type CaseRow = NonNullable<Awaited<ReturnType<typeof findCase>>>;

async function warrantyOfCase(db: Database, row: CaseRow, settings: InsightSettings) {
  const [model] = await db
    .select({ months: productModels.warrantyMonths })
    .from(productModels)
    .where(eq(productModels.model, row.productModel));
  const months = model?.months ?? settings.defaultWarrantyMonths;
  const reportedOn = localDate(settings.timeZone, row.reportedAt);
  return { ...warrantyOf(row.purchaseDate, months, reportedOn), purchaseDate: row.purchaseDate, reportedOn };
}

async function costSheet(db: Database, row: CaseRow, settings: InsightSettings) {
  const warranty = await warrantyOfCase(db, row, settings);
  const lines = (
    await db.execute<CostLineRow>(
      sql`SELECT * FROM ${costLinesSql(settings, { caseId: row.id })} l ORDER BY l.recorded_at, l.id`,
    )
  ).map(costLineView);
  const sum = <K extends string>(keys: readonly K[], of: (l: (typeof lines)[number]) => string | null) =>
    Object.fromEntries(
      keys.map((k) => [k, lines.filter((l) => of(l) === k).reduce((s, l) => s + l.amount, 0)]),
    ) as Record<K, number>;
  return {
    caseId: row.id,
    currency: 'CNY' as const,
    warranty: {
      inWarranty: warranty.inWarranty,
      purchaseDate: warranty.purchaseDate,
      months: warranty.months,
      endsOn: warranty.endsOn,
      reportedOn: warranty.reportedOn,
    },
    lines,
    total: lines.reduce((s, l) => s + l.amount, 0),
    byCategory: sum(COST_CATEGORIES, (l) => l.category),
    byCoverage: sum(COVERAGES, (l) => l.coverage),
  };
}

/** The amount and labour columns of an entry, or the reason it cannot be one. */
function priced(body: CostBody, settings: InsightSettings) {
  if (body.category === 'labour') {
    if (body.amount !== undefined)
      throw unprocessable(
        'labour is priced from hours × the rate of the role: give hours and role, not amount',
      );
    if (body.hours === undefined || body.role === undefined)
      throw unprocessable('labour needs hours and role (whose hourly rate applies)');
    const rate = settings.labourRates[body.role];
    if (rate === undefined)
      throw unprocessable(
        `no labour rate for role "${body.role}" (rates exist for: ${Object.keys(settings.labourRates).join(', ') || 'none'})`,
      );
    return { amount: labourAmount(body.hours, rate), hours: body.hours.toFixed(2), role: body.role, rate };
  }
  if (body.hours !== undefined || body.role !== undefined)
    throw unprocessable(`hours and role are for labour; a ${body.category} cost has an amount`);
  if (body.amount === undefined) throw unprocessable(`a ${body.category} cost needs amount (integer fen)`);
  return { amount: body.amount, hours: null, role: null, rate: null };
}

function incurredOnOf(body: CostBody, settings: InsightSettings, earliest?: string): string {
  const today = localDate(settings.timeZone, new Date());
  const on = body.incurredOn ?? today;
  if (on > today) throw unprocessable(`incurredOn ${on} lies in the future (today is ${today})`);
  if (earliest && on < earliest)
    throw unprocessable(`incurredOn ${on} lies before the case was reported (${earliest})`);
  return on;
}

/** An entered line as the cost lines show it. */
async function lineOf(db: Database, settings: InsightSettings, entryId: number) {
  const [line] = await db.execute<CostLineRow>(
    sql`SELECT * FROM ${costLinesSql(settings)} l WHERE l.id = ${`entry-${entryId}`}`,
  );
  return costLineView(line!);
}

export async function costRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db } = deps;

  /** Writes one entered cost line, of a case or of the service (caseId null); answers its id. */
  async function enterCost(
    body: CostBody,
    enteredBy: string,
    line: {
      caseId: string | null;
      coverage: Coverage | null;
      price: ReturnType<typeof priced>;
      incurredOn: string;
    },
  ): Promise<number> {
    const [entry] = await db
      .insert(costEntries)
      .values({
        caseId: line.caseId,
        category: body.category,
        coverage: line.coverage,
        ...line.price,
        partNumber: body.partNumber ?? null,
        quantity: body.quantity ?? null,
        description: body.description ?? null,
        incurredOn: line.incurredOn,
        enteredBy,
      })
      .returning({ id: costEntries.id });
    return entry!.id;
  }

  app.get<{ Params: { id: string } }>(
    '/api/v1/cases/:id/costs',
    {
      schema: {
        operationId: 'getCaseCosts',
        tags: ['costs'],
        summary: 'The cost sheet of a case: every line, its warranty and its totals (integer fen)',
        params: caseIdParams,
        response: { 200: { description: 'The cost sheet', $ref: 'CaseCosts#' }, ...problemResponses(404) },
      },
      config: { permission: 'costs.read' },
    },
    async (req) => {
      const row = await findCase(db, req.params.id);
      if (!row || !canSee(req.principal!, row)) throw notFound('case', req.params.id);
      return costSheet(db, row, await loadSettings(db));
    },
  );

  app.post<{ Params: { id: string }; Body: CostBody }>(
    '/api/v1/cases/:id/costs',
    {
      schema: {
        operationId: 'addCaseCost',
        tags: ['costs'],
        summary:
          'Enter a cost of a case: labour (hours × rate of the role), travel, other or parts not from stock',
        description:
          "Labour takes hours and role and is priced at the rate the settings give the role; every other category takes amount in integer fen. coverage defaults to warranty when the case is in warranty (purchase date + the model's warranty months), else chargeable. incurredOn (default today) may not lie in the future or before the case was reported. Answers the line entered (the sheet is for those who read costs: GET).",
        params: caseIdParams,
        body: caseCostBody,
        response: {
          201: { description: 'The cost was entered', $ref: 'CostLine#' },
          ...problemResponses(404),
        },
      },
      config: { permission: 'costs.write' },
    },
    async (req, reply) => {
      const row = await findCase(db, req.params.id);
      if (!row) throw notFound('case', req.params.id);
      assertMayAct(req.principal!, row);
      const settings = await loadSettings(db);
      const warranty = await warrantyOfCase(db, row, settings);
      const price = priced(req.body, settings);
      const incurredOn = incurredOnOf(req.body, settings, warranty.reportedOn);
      const id = await enterCost(req.body, actorOf(req.principal!), {
        caseId: row.id,
        coverage: req.body.coverage ?? defaultCoverage(warranty),
        price,
        incurredOn,
      });
      return reply.code(201).send(await lineOf(db, settings, id));
    },
  );

  app.post<{ Body: Omit<CostBody, 'coverage'> }>(
    '/api/v1/costs',
    {
      schema: {
        operationId: 'addServiceCost',
        tags: ['costs'],
        summary:
          'Enter a cost of the service that belongs to no case (training, …); it counts against the budget',
        body: serviceCostBody,
        response: { 201: { description: 'The cost line', $ref: 'CostLine#' }, ...problemResponses() },
      },
      config: { permission: 'costs.service.write' },
    },
    async (req, reply) => {
      const settings = await loadSettings(db);
      const price = priced(req.body, settings);
      const incurredOn = incurredOnOf(req.body, settings);
      const id = await enterCost(req.body, actorOf(req.principal!), {
        caseId: null,
        coverage: null,
        price,
        incurredOn,
      });
      return reply.code(201).send(await lineOf(db, settings, id));
    },
  );
}
