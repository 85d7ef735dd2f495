// Who counts as an engineer a case may be assigned to. Until there is a people directory, a person is
// whoever holds an API key: an engineer is a person id carried by an unrevoked key of role `engineer`
// (in the api_keys table or among the bootstrap keys of API_KEYS). This is the one function assignment
// asks, so a directory can take its place here without touching the routes.
import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { apiKeys } from '../db/schema.js';
import type { BootstrapKey } from './auth/keys.js';

export interface EngineerDirectory {
  db: Database;
  bootstrapKeys?: BootstrapKey[];
}

/** The engineer with exactly this person id (case-sensitive), if one is active; else undefined. */
export async function findActiveEngineer(
  directory: EngineerDirectory,
  id: string,
): Promise<{ id: string } | undefined> {
  if ((directory.bootstrapKeys ?? []).some((k) => k.role === 'engineer' && k.personId === id)) return { id };
  const [row] = await directory.db
    .select({ id: apiKeys.personId })
    .from(apiKeys)
    .where(and(eq(apiKeys.personId, id), eq(apiKeys.role, 'engineer'), isNull(apiKeys.revokedAt)))
    .limit(1);
  return row?.id ? { id: row.id } : undefined;
}
