// Failure codes on a diagnosis or repair report must come from the active code list: a code nobody
// defined would roll up nowhere. Checked before the step reaches the case workflow.
import { and, eq, inArray } from 'drizzle-orm';
import type { Database } from '../../../db/client.js';
import { failureCodes } from '../../../db/schema.js';
import type { FailureCoding } from '../../../domain/case.js';
import { unprocessable } from '../../problem.js';

const FIELDS = [
  ['symptomCode', 'symptom'],
  ['causeCode', 'cause'],
  ['actionCode', 'action'],
] as const;

export async function assertFailureCoding(db: Database, body: { failure?: FailureCoding }): Promise<void> {
  const f = body.failure;
  if (!f) return;
  const wanted = FIELDS.flatMap(([field, kind]) => (f[field] ? [{ field, kind, code: f[field]! }] : []));
  if (wanted.length === 0) return;
  const rows = await db
    .select({ kind: failureCodes.kind, code: failureCodes.code })
    .from(failureCodes)
    .where(
      and(
        eq(failureCodes.active, true),
        inArray(
          failureCodes.code,
          wanted.map((w) => w.code),
        ),
      ),
    );
  const known = new Set(rows.map((r) => `${r.kind}:${r.code}`));
  const missing = wanted.filter((w) => !known.has(`${w.kind}:${w.code}`));
  if (missing.length > 0)
    throw unprocessable(
      missing.map((m) => `failure.${m.field} "${m.code}" is not an active ${m.kind} code`).join('; '),
    );
}
