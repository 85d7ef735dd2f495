// The state patch of domain/case-projection.ts applied inside the statement that writes the case row:
// keys removed, values replaced, items appended to arrays — so a transition is still one statement (no
// read of the row before the write), whatever the size of the case.
import { type SQL, sql } from 'drizzle-orm';
import type { StatePatch } from '../domain/case-projection.js';

/** The state `current` (a jsonb expression, e.g. the row's column) with `patch` applied. */
export function patchedState(current: SQL, patch: StatePatch): SQL {
  if (patch.replace) return sql`${JSON.stringify(patch.set ?? {})}::jsonb`;
  const unset = JSON.stringify(patch.unset ?? []);
  const set = JSON.stringify(patch.set ?? {});
  const append = JSON.stringify(patch.append ?? {});
  return sql`(
    (coalesce(${current}, '{}'::jsonb) - array(select jsonb_array_elements_text(${unset}::jsonb)))
    || ${set}::jsonb
    || coalesce(
      (select jsonb_object_agg(a.key, coalesce(${current} -> a.key, '[]'::jsonb) || a.value)
       from jsonb_each(${append}::jsonb) a),
      '{}'::jsonb))`;
}
