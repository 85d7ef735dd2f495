// The API as the dashboard calls it: the key from sessionStorage as a bearer token, answers typed by the
// OpenAPI document (generated/openapi.ts) where the document has them, and by the shapes the report
// endpoints are to answer with (docs/dashboard.md) until it does.
import type { components } from '../../generated/openapi';

export type Case = components['schemas']['Case'];
export type CaseSummary = components['schemas']['CaseSummary'];
export type CaseList = components['schemas']['CaseList'];
export type Clock = components['schemas']['Clock'];
export type Escalation = components['schemas']['Escalation'];
export type TimelineEvent = components['schemas']['TimelineEvent'];
export type CaseStreamEvent = components['schemas']['CaseStreamEvent'];
export type ComplaintSummary = components['schemas']['ComplaintSummary'];
export type ComplaintList = components['schemas']['ComplaintList'];
export type Stage = Case['stage'];

export const OPEN_STAGES: Stage[] = [
  'intake',
  'assigned',
  'awaiting_parts',
  'diagnosed',
  'scheduled',
  'in_repair',
  'repaired',
  'survey',
];

/** A rate from 0 to 1, or null when there is nothing to count. */
export type Rate = number | null;

export interface Kpis {
  cases: number;
  responseMinutes: { median: number | null; p90: number | null };
  onTimeResponseRate: Rate;
  onTimeArrivalRate: Rate;
  onTimeRepairRate: Rate;
  firstTimeFixRate: Rate;
  repeatFailureRate: Rate;
  satisfaction: { responseRate: Rate; [question: string]: unknown };
  /** The cases' escalations by level, and the complaints' and quality issues' (docs/kpis.md). */
  escalations: {
    byLevel: Record<string, number>;
    complaints?: { byLevel: Record<string, number> };
    quality?: { byLevel: Record<string, number> };
  };
  backlog: { byStage: Record<string, number> };
  costs: { total: number; byCategory: Record<string, number> };
}

export interface KpiReport {
  period: { from: string; to: string };
  groupBy: string | null;
  totals: Kpis;
  groups: Array<Kpis & { key: string | null; label: string }>;
}

export interface BudgetMonth {
  month: number | string;
  budget: number;
  actual: number;
  variance: number;
}

export interface BudgetReport {
  year: number;
  status: string;
  categories: Array<{
    category: string;
    budget: number;
    actual: number;
    variance: number;
    share: number | null;
    warning: boolean;
    months: BudgetMonth[];
  }>;
}

const KEY_STORAGE = 'shouhou.apiKey';

export const storedKey = () => sessionStorage.getItem(KEY_STORAGE);
export const storeKey = (key: string) => sessionStorage.setItem(KEY_STORAGE, key);
export const forgetKey = () => sessionStorage.removeItem(KEY_STORAGE);

/** An answer other than 2xx, with the problem the API sent. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: { title?: string; detail?: string } | null,
  ) {
    super(problem?.detail ?? `HTTP ${status}`);
  }
}

export async function api<T>(path: string, init: RequestInit = {}, key = storedKey()): Promise<T> {
  const res = await fetch(path, {
    ...init,
    headers: {
      accept: 'application/json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...init.headers,
    },
  });
  if (!res.ok) {
    const problem = await res.json().catch(() => null);
    throw new ApiError(res.status, problem);
  }
  return (await res.json()) as T;
}

/** Runs `fn` over `items`, at most `width` at a time (the API rate-limits each key). */
export async function inBatches<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}
