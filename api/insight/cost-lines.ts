// Every cost line, in one query that the case's cost sheet, the KPI report and the budget report all
// read (docs/kpis.md, "Costs"): what people entered (cost_entries) and what the stock ledger issued to
// a case (stock_movements of kind `issue`, quantity × the unit cost the ledger charged, rounded to the
// fen). One definition, so a case's lines add up to its total and the cases of a period to the
// period's, to the fen.
import { type SQL, sql } from 'drizzle-orm';
import { zonedTime } from '../../domain/calendar.js';
import type { InsightSettings } from '../../domain/insight/settings.js';

/**
 * The coverage of a case's stock parts, the SQL twin of domain/insight/warranty.ts: warranty when the
 * day the customer reported (reporting time zone) lies before the purchase date plus the model's
 * warranty months (PostgreSQL clamps the 31st to the end of a shorter month, as addMonths does).
 */
export function warrantyCoverageSql(s: InsightSettings, c = sql.raw('c'), pm = sql.raw('pm')): SQL {
  return sql`CASE WHEN ${c}.purchase_date IS NOT NULL
      AND (${c}.reported_at AT TIME ZONE ${s.timeZone})::date
        < (${c}.purchase_date::date + make_interval(months => coalesce(${pm}.warranty_months, ${s.defaultWarrantyMonths}::int)))::date
    THEN 'warranty' ELSE 'chargeable' END`;
}

/** The cost of a stock issue m: quantity × the unit cost the ledger charged, rounded to the fen. */
export const stockIssueAmountSql = (m = sql.raw('m')) =>
  sql`round(${m}.quantity * coalesce(${m}.unit_cost, 0) * 100)::bigint`;

export interface CostLineScope {
  caseId?: string;
  /** A subquery of case ids (a report's cohort): only their lines. */
  caseIds?: SQL;
  /** Local dates of the reporting time zone: lines incurred on or after `fromDate` and before `toDate`. */
  fromDate?: string;
  toDate?: string;
}

/** The cost lines as a subquery (columns in snake_case), restricted in each branch so indexes serve it. */
export function costLinesSql(s: InsightSettings, scope: CostLineScope = {}): SQL {
  const entryWhere: SQL[] = [sql`true`];
  const stockWhere: SQL[] = [sql`m.kind = 'issue'`, sql`m.case_id IS NOT NULL`];
  if (scope.caseId) {
    entryWhere.push(sql`e.case_id = ${scope.caseId}`);
    stockWhere.push(sql`m.case_id = ${scope.caseId}`);
  }
  if (scope.caseIds) {
    entryWhere.push(sql`e.case_id IN (${scope.caseIds})`);
    stockWhere.push(sql`m.case_id IN (${scope.caseIds})`);
  }
  if (scope.fromDate) {
    entryWhere.push(sql`e.incurred_on >= ${scope.fromDate}::date`);
    stockWhere.push(
      sql`m.at >= ${zonedTime(s.timeZone, scope.fromDate, '00:00').toISOString()}::timestamptz`,
    );
  }
  if (scope.toDate) {
    entryWhere.push(sql`e.incurred_on < ${scope.toDate}::date`);
    stockWhere.push(sql`m.at < ${zonedTime(s.timeZone, scope.toDate, '00:00').toISOString()}::timestamptz`);
  }
  return sql`(
    SELECT 'entry-' || e.id AS id, e.case_id, 'entry' AS source, e.category, e.coverage, e.amount,
      e.hours::float8 AS hours, e.role, e.rate, e.part_number, e.quantity, e.description,
      e.incurred_on, e.entered_by, e.created_at AS recorded_at
    FROM cost_entries e
    WHERE ${sql.join(entryWhere, sql` AND `)}
    UNION ALL
    SELECT 'stock-' || m.id, m.case_id, 'stock_issue', 'parts',
      -- Per line, through the case's primary key: a report's few lines never scan every case.
      (SELECT ${warrantyCoverageSql(s)} FROM cases c LEFT JOIN product_models pm ON pm.model = c.product_model
        WHERE c.id = m.case_id),
      ${stockIssueAmountSql()},
      NULL::float8, NULL, NULL::bigint, m.part_number, m.quantity,
      (SELECT p.name FROM parts p WHERE p.part_number = m.part_number),
      (m.at AT TIME ZONE ${s.timeZone})::date, m.actor, m.at
    FROM stock_movements m
    WHERE ${sql.join(stockWhere, sql` AND `)}
  )`;
}

export type CostLineRow = {
  id: string;
  case_id: string | null;
  source: 'entry' | 'stock_issue';
  category: string;
  coverage: string | null;
  amount: string | number;
  hours: number | null;
  role: string | null;
  rate: string | number | null;
  part_number: string | null;
  quantity: number | null;
  description: string | null;
  incurred_on: string | Date;
  entered_by: string;
  recorded_at: string | Date;
};

const dateOnly = (d: string | Date) =>
  typeof d === 'string' ? d.slice(0, 10) : d.toISOString().slice(0, 10);

export function costLineView(r: CostLineRow) {
  return {
    id: r.id,
    caseId: r.case_id,
    source: r.source,
    category: r.category,
    coverage: r.coverage,
    amount: Number(r.amount),
    hours: r.hours === null ? null : Number(r.hours),
    role: r.role,
    rate: r.rate === null ? null : Number(r.rate),
    partNumber: r.part_number,
    quantity: r.quantity,
    description: r.description,
    incurredOn: dateOnly(r.incurred_on),
    enteredBy: r.entered_by,
    recordedAt: new Date(r.recorded_at).toISOString(),
  };
}
