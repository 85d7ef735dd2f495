// Who counts as an engineer a case may be assigned to. The staff directory decides for everyone it
// lists: a person there is an engineer while active and holding the role `engineer`. A person the
// directory does not list yet counts as an engineer while an unrevoked key of role `engineer` (in the
// api_keys table or among the bootstrap keys of API_KEYS) carries their id — keys belong to people.
import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { apiKeys, people } from '../db/schema.js';
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
  const [person] = await directory.db
    .select({ id: people.id, active: people.active, roles: people.roles })
    .from(people)
    .where(eq(people.id, id));
  if (person) return person.active && person.roles.includes('engineer') ? { id: person.id } : undefined;
  if ((directory.bootstrapKeys ?? []).some((k) => k.role === 'engineer' && k.personId === id)) return { id };
  const [row] = await directory.db
    .select({ id: apiKeys.personId })
    .from(apiKeys)
    .where(and(eq(apiKeys.personId, id), eq(apiKeys.role, 'engineer'), isNull(apiKeys.revokedAt)))
    .limit(1);
  return row?.id ? { id: row.id } : undefined;
}
