// Tickets that open the live event stream from a browser. EventSource cannot send an Authorization
// header, and an API key in a URL ends up in browser history, proxy logs and Referer headers; so an
// authenticated client asks for a ticket (POST /api/v1/events/tickets) and opens the stream with
// ?ticket=… instead. A ticket is random (192 bits), stored only as a SHA-256, valid for a short time
// (a minute by default) and for one stream: opening the stream consumes it, so a ticket that leaks
// after use opens nothing. It carries the principal of the key that asked for it.
import { randomBytes } from 'node:crypto';
import { and, eq, gt, lt } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { apiKeys, eventStreamTickets } from '../../db/schema.js';
import { type CaseReach, teamMatesOf } from '../case-access.js';
import { hashSecret, type Principal } from './keys.js';
import { isRole } from './roles.js';

export const DEFAULT_TICKET_TTL_MS = 60_000;

const TICKET_RE = /^est_[A-Za-z0-9_-]{32}$/;
const REACHES: readonly CaseReach[] = ['all', 'team', 'assigned', 'opened'];

export class StreamTickets {
  constructor(
    private readonly db: Database,
    private readonly ttlMs: number,
    /** Ids of the keys from API_KEYS (they live in memory and cannot be revoked). */
    private readonly bootstrapKeyIds: ReadonlySet<string>,
  ) {}

  async issue(p: Principal, now = Date.now()): Promise<{ ticket: string; expiresAt: Date }> {
    const ticket = `est_${randomBytes(24).toString('base64url')}`;
    const expiresAt = new Date(now + this.ttlMs);
    // Tickets nobody used are cleared as new ones are issued.
    await this.db.delete(eventStreamTickets).where(lt(eventStreamTickets.expiresAt, new Date(now)));
    await this.db.insert(eventStreamTickets).values({
      ticketHash: hashSecret(ticket),
      keyId: p.keyId,
      role: p.role,
      personId: p.personId,
      name: p.name,
      reach: p.reach,
      expiresAt,
    });
    return { ticket, expiresAt };
  }

  /** The principal of a valid, unused ticket, which is used up by this; undefined otherwise. */
  async consume(ticket: string): Promise<Principal | undefined> {
    if (!TICKET_RE.test(ticket)) return undefined;
    const [row] = await this.db
      .delete(eventStreamTickets)
      .where(
        and(
          eq(eventStreamTickets.ticketHash, hashSecret(ticket)),
          gt(eventStreamTickets.expiresAt, new Date()),
        ),
      )
      .returning();
    if (!row || !isRole(row.role) || !REACHES.includes(row.reach as CaseReach)) return undefined;
    // The key may have been revoked since the ticket was issued.
    if (!(await this.keyIsValid(row.keyId))) return undefined;
    const reach = row.reach as CaseReach;
    const teamMates = reach === 'team' && row.personId ? await teamMatesOf(this.db, row.personId) : undefined;
    return {
      keyId: row.keyId,
      role: row.role,
      personId: row.personId,
      name: row.name,
      reach,
      ...(teamMates ? { teamMates } : {}),
    };
  }

  /** Whether a key still authenticates: a key from API_KEYS always does, a stored one until revoked. */
  async keyIsValid(keyId: string): Promise<boolean> {
    if (this.bootstrapKeyIds.has(keyId)) return true;
    const [row] = await this.db
      .select({ revokedAt: apiKeys.revokedAt })
      .from(apiKeys)
      .where(eq(apiKeys.id, keyId));
    return row !== undefined && row.revokedAt === null;
  }
}
