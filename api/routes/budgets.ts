// Yearly service budgets (费用预算, docs/kpis.md "Budgets"): finance enters them per category and
// month, the manager approves; changing an approved budget makes it a draft again (a new revision).
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { budgetLines, budgets } from '../../db/schema.js';
import { MONTHS } from '../../domain/insight/budget.js';
import type { CostCategory } from '../../domain/insight/kpis.js';
import type { AppDeps } from '../app.js';
import { budgetView, findBudget } from '../insight/budget-report.js';
import { budgetBody, yearParams } from '../insight/schemas.js';
import { actorOf } from '../plugins/auth.js';
import { notFound, Problem } from '../problem.js';
import { problemResponses } from '../schema-parts.js';

type YearParams = { year: string };

export async function budgetRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db } = deps;

  app.get<{ Params: YearParams }>(
    '/api/v1/budgets/:year',
    {
      schema: {
        operationId: 'getBudget',
        tags: ['budgets'],
        summary: "A year's budget: twelve monthly amounts per category, its status and revision",
        params: yearParams,
        response: { 200: { description: 'The budget', $ref: 'Budget#' }, ...problemResponses(404) },
      },
      config: { permission: 'budgets.read' },
    },
    async (req) => {
      const found = await findBudget(db, Number(req.params.year));
      if (!found) throw notFound('budget', req.params.year);
      return budgetView(found.row, found.lines);
    },
  );

  app.put<{ Params: YearParams; Body: { categories: Partial<Record<CostCategory, number[]>> } }>(
    '/api/v1/budgets/:year',
    {
      schema: {
        operationId: 'putBudget',
        tags: ['budgets'],
        summary:
          "Enter a year's budget (all of it: a category left out is 0); it awaits the manager's approval",
        description:
          'Replaces the budget of the year. A budget that was approved becomes a draft again with the next revision number, and needs approving anew.',
        params: yearParams,
        body: budgetBody,
        response: {
          200: { description: 'The budget was replaced', $ref: 'Budget#' },
          201: { description: 'The budget was created', $ref: 'Budget#' },
          ...problemResponses(),
        },
      },
      config: { permission: 'budgets.write' },
    },
    async (req, reply) => {
      const year = Number(req.params.year);
      const by = actorOf(req.principal!);
      const lines = Object.entries(req.body.categories).flatMap(([category, months]) =>
        (months ?? []).map((amount, i) => ({ year, category, month: MONTHS[i]!, amount })),
      );
      const created = await db.transaction(async (tx) => {
        // The row lock orders concurrent entries of the same year; the revision counts them.
        const [existing] = await tx.execute<{ year: number }>(
          sql`SELECT year FROM budgets WHERE year = ${year} FOR UPDATE`,
        );
        if (existing) {
          await tx
            .update(budgets)
            .set({
              status: 'draft',
              revision: sql`${budgets.revision} + 1`,
              enteredBy: by,
              enteredAt: new Date(),
              approvedBy: null,
              approvedAt: null,
            })
            .where(sql`${budgets.year} = ${year}`);
          await tx.delete(budgetLines).where(sql`${budgetLines.year} = ${year}`);
        } else {
          await tx.insert(budgets).values({ year, status: 'draft', revision: 1, enteredBy: by });
        }
        if (lines.length > 0) await tx.insert(budgetLines).values(lines);
        return !existing;
      });
      const found = (await findBudget(db, year))!;
      return reply.code(created ? 201 : 200).send(budgetView(found.row, found.lines));
    },
  );

  app.post<{ Params: YearParams }>(
    '/api/v1/budgets/:year/approve',
    {
      schema: {
        operationId: 'approveBudget',
        tags: ['budgets'],
        summary: "Approve a year's budget (the manager)",
        params: yearParams,
        response: {
          200: { description: 'The budget is approved', $ref: 'Budget#' },
          ...problemResponses(404, 409),
        },
      },
      config: { permission: 'budgets.approve' },
    },
    async (req) => {
      const year = Number(req.params.year);
      const by = actorOf(req.principal!);
      const updated = await db.execute<{ year: number }>(sql`
        UPDATE budgets SET status = 'approved', approved_by = ${by}, approved_at = now()
        WHERE year = ${year} AND status = 'draft' RETURNING year`);
      const found = await findBudget(db, year);
      if (!found) throw notFound('budget', String(year));
      if (updated.length === 0)
        throw new Problem(
          409,
          'already-approved',
          'Already approved',
          `the budget ${year} (revision ${found.row.revision}) was approved by ${found.row.approvedBy} at ${found.row.approvedAt?.toISOString()}; enter it again to change it`,
        );
      return budgetView(found.row, found.lines);
    },
  );
}
