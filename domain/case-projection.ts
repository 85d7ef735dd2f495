// What the case workflow sends the read model with each transition: a small summary of the case (what
// the row's columns and the webhook payloads need) and a patch of its state since the previous write —
// not the whole state. Every activity input is kept in the workflow's history, so sending the whole
// state with each of a long case's transitions made its history grow with the square of its length;
// a patch keeps it proportional to what happened (docs/case-history.md). Pure: used by the workflow
// and the projection activities.
import type { CaseState, Stage } from './case.js';

/** The case as the row's columns and the webhook payloads need it. */
export interface CaseSummary {
  caseId: string;
  stage: Stage;
  outcome: string | null;
  severity: string;
  complexity: string | null;
  assignee: string | null;
  createdAt: string;
  closedAt: string | null;
  seq: number;
  breached: boolean;
  externalRef: { system: string; id: string } | null;
  waitingForCustomer: boolean;
}

export function caseSummary(state: CaseState): CaseSummary {
  const ext = state.intake.externalRef;
  return {
    caseId: state.caseId,
    stage: state.stage,
    outcome: state.outcome ?? null,
    severity: state.severity,
    complexity: state.complexity ?? null,
    assignee: state.assignee ?? null,
    createdAt: state.createdAt,
    closedAt: state.closedAt ?? null,
    seq: state.seq,
    breached: state.breached,
    externalRef: ext ? { system: ext.system, id: ext.id } : null,
    waitingForCustomer: state.waitingForCustomer !== undefined,
  };
}

/**
 * A change of the state's top-level keys: values replaced, items appended to arrays that only grew,
 * keys removed. Applied in the order unset, set, append (applyStatePatch; in SQL, activities/case-state-sql.ts).
 */
export interface StatePatch {
  /** The whole state: `set` replaces what the read model holds (the first write, and after a failure). */
  replace?: boolean;
  set?: Record<string, unknown>;
  append?: Record<string, unknown[]>;
  unset?: string[];
}

/**
 * What the read model holds, as the workflow last sent it: each key's JSON, or its items' JSON;
 * undefined before the first write and after a write failed (the read model may lack it).
 */
export type Projected = Record<string, string | string[]> | undefined;

/**
 * The patch that brings the read model from `projected` to `state`, and what it then holds. Without a
 * known `projected` the patch replaces the whole state.
 */
export function statePatch(
  projected: Projected,
  state: Record<string, unknown>,
): { patch: StatePatch; projected: Projected } {
  if (projected === undefined) {
    const whole = JSON.parse(JSON.stringify(state)) as Record<string, unknown>;
    return { patch: { replace: true, set: whole }, projected: statePatch({}, whole).projected };
  }
  const set: Record<string, unknown> = {};
  const append: Record<string, unknown[]> = {};
  const unset: string[] = [];
  const next: Record<string, string | string[]> = {};
  const plain = JSON.parse(JSON.stringify(state)) as Record<string, unknown>;
  for (const [key, value] of Object.entries(plain)) {
    const before = projected[key];
    if (Array.isArray(value)) {
      const items = value.map((v) => JSON.stringify(v));
      next[key] = items;
      const grew =
        Array.isArray(before) && before.length <= items.length && before.every((s, i) => s === items[i]);
      if (!grew) set[key] = value;
      else if (items.length > before.length) append[key] = value.slice(before.length);
      continue;
    }
    const json = JSON.stringify(value);
    next[key] = json;
    if (before !== json) set[key] = value;
  }
  for (const key of Object.keys(projected)) if (!(key in plain)) unset.push(key);
  const patch: StatePatch = {};
  if (Object.keys(set).length > 0) patch.set = set;
  if (Object.keys(append).length > 0) patch.append = append;
  if (unset.length > 0) patch.unset = unset;
  return { patch, projected: next };
}

/** Applies a patch to a state (what the SQL of activities/case-state-sql.ts does in the database). */
export function applyStatePatch(
  state: Record<string, unknown> | null,
  patch: StatePatch,
): Record<string, unknown> {
  const out: Record<string, unknown> = patch.replace ? {} : { ...(state ?? {}) };
  for (const key of patch.unset ?? []) delete out[key];
  Object.assign(out, patch.set ?? {});
  for (const [key, items] of Object.entries(patch.append ?? {}))
    out[key] = [...((out[key] as unknown[] | undefined) ?? []), ...items];
  return out;
}
