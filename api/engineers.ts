// Who counts as an engineer a case may be assigned to. The staff directory decides for everyone it
// lists: a person there is an engineer while active and holding the role `engineer`. A person the
// directory does not list yet counts as an engineer while an unrevoked key of role `engineer` (in the
// api_keys table or among the bootstrap keys of API_KEYS) carries their id — keys belong to people.
import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { apiKeys, people } from '../db/schema.js';
import type { BootstrapKey } from './auth/keys.js';
import { Problem } from './problem.js';

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

/**
 * Whether a person may own a complaint, be responsible for a corrective action or own a quality-issue
 * stage: the directory decides for everyone it lists (active, any role); a person it does not list yet
 * counts while an unrevoked key of any role carries their id. Undefined when it does not know them.
 */
export async function findActivePerson(
  directory: EngineerDirectory,
  id: string,
): Promise<{ id: string } | undefined> {
  const [person] = await directory.db
    .select({ id: people.id, active: people.active })
    .from(people)
    .where(eq(people.id, id));
  if (person) return person.active ? { id: person.id } : undefined;
  if ((directory.bootstrapKeys ?? []).some((k) => k.personId === id)) return { id };
  const [row] = await directory.db
    .select({ id: apiKeys.personId })
    .from(apiKeys)
    .where(and(eq(apiKeys.personId, id), isNull(apiKeys.revokedAt)))
    .limit(1);
  return row?.id ? { id: row.id } : undefined;
}

/** 422 naming the field when `id` is not a person the directory (or a key) knows as active. */
export async function assertActivePerson(
  directory: EngineerDirectory,
  field: string,
  id: string,
): Promise<void> {
  if (await findActivePerson(directory, id)) return;
  throw new Problem(
    422,
    'unknown-person',
    'Unknown person',
    `${field} "${id}" is not an active person in the staff directory (PUT /api/v1/people/${id})`,
    { field, person: id },
  );
}
