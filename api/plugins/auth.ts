// Authentication by API key and authorisation by role. Every /api route names a permission in
// `config.permission`; a route that names none is refused (fail closed). Health and docs are public.
import { eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database } from '../../db/client.js';
import { apiKeys } from '../../db/schema.js';
import { FailureThrottle, type FailureThrottleSettings } from '../auth/failure-throttle.js';
import { type BootstrapKey, type Principal, parseKey, secretMatches } from '../auth/keys.js';
import { allows, isRole, type Permission, type Role } from '../auth/roles.js';
import type { StreamTickets } from '../auth/stream-tickets.js';
import { type CaseAccessSettings, caseReachOf, teamMatesOf } from '../case-access.js';
import { Problem } from '../problem.js';

export interface RouteEntry {
  method: string;
  url: string;
  permission?: Permission;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with the permission it declares — for the authorisation matrix and its tests. */
    routeTable: RouteEntry[];
  }
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    permission?: Permission;
    /** The route also takes a one-use stream ticket in ?ticket= (api/auth/stream-tickets.ts). */
    acceptsStreamTicket?: boolean;
  }
}

// RFC 6750: a 401 names the scheme it wants.
const unauthorized = (detail: string, error?: 'invalid_token') =>
  new Problem(
    401,
    'unauthorized',
    'Unauthorized',
    detail,
    {},
    { 'www-authenticate': `Bearer realm="shouhou"${error ? `, error="${error}"` : ''}` },
  );
export const forbidden = (detail: string) => new Problem(403, 'forbidden', 'Forbidden', detail);

const isApiRoute = (url: string) =>
  url === '/api' || url.startsWith('/api/') || url === '/codec' || url.startsWith('/codec/');

function presentedKey(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    return m ? m[1] : header.trim();
  }
  const apiKey = req.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey.trim() : undefined;
}

/** A stream ticket in the query string, on the routes that take one instead of a key. */
function streamTicketOf(req: FastifyRequest): string | undefined {
  if (!req.routeOptions.config?.acceptsStreamTicket) return undefined;
  const ticket = (req.query as Record<string, unknown> | undefined)?.ticket;
  return typeof ticket === 'string' ? ticket : undefined;
}

export interface AuthDeps {
  db: Database;
  bootstrapKeys: BootstrapKey[];
  /** Failed authentications per client address before it is refused for the rest of the window. */
  authFailures: FailureThrottleSettings;
  caseAccess: CaseAccessSettings;
  /** Tickets that stand in for a key on routes that accept them (the event stream). */
  streamTickets?: StreamTickets;
}

export function registerAuth(app: FastifyInstance, deps: AuthDeps) {
  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      routeTable.push({ method, url: route.url, permission: route.config?.permission });
    }
  });

  const bootstrap = new Map(deps.bootstrapKeys.map((k) => [k.id, k]));
  // last_used_at is bookkeeping: write it at most once a minute per key.
  const lastTouched = new Map<string, number>();

  const throttle = new FailureThrottle(deps.authFailures);
  async function principal(
    keyId: string,
    role: Role,
    personId: string | null,
    name: string,
  ): Promise<Principal> {
    const reach = caseReachOf(role, deps.caseAccess);
    const teamMates = reach === 'team' && personId ? await teamMatesOf(deps.db, personId) : undefined;
    return { keyId, role, personId, name, reach, ...(teamMates ? { teamMates } : {}) };
  }

  async function authenticate(key: string): Promise<Principal | undefined> {
    const parsed = parseKey(key);
    if (!parsed) return undefined;
    const boot = bootstrap.get(parsed.id);
    if (boot) {
      return secretMatches(parsed.secret, boot.secretHash)
        ? principal(boot.id, boot.role, boot.personId, `environment key ${boot.id}`)
        : undefined;
    }
    const [row] = await deps.db.select().from(apiKeys).where(eq(apiKeys.id, parsed.id));
    if (!row || row.revokedAt || !isRole(row.role) || !secretMatches(parsed.secret, row.secretHash))
      return undefined;
    const now = Date.now();
    if ((lastTouched.get(row.id) ?? 0) < now - 60_000) {
      lastTouched.set(row.id, now);
      await deps.db
        .update(apiKeys)
        .set({ lastUsedAt: new Date(now) })
        .where(eq(apiKeys.id, row.id));
    }
    return principal(row.id, row.role, row.personId, row.name);
  }

  app.addHook('onRequest', async (req) => {
    if (!isApiRoute(req.url.split('?')[0])) return;
    // Before the key is looked at: an address that failed too often waits, whatever it sends now.
    const waitMs = throttle.retryAfterMs(req.ip);
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      throw new Problem(
        429,
        'too-many-failed-authentications',
        'Too many requests',
        `more than ${deps.authFailures.limit} failed authentications from this address; retry in ${seconds} s`,
        {},
        { 'retry-after': String(seconds) },
      );
    }
    const key = presentedKey(req);
    const ticket = key ? undefined : streamTicketOf(req);
    if (!key && ticket === undefined) {
      throttle.recordFailure(req.ip);
      throw unauthorized('an API key is required: send "Authorization: Bearer <key>" or "X-API-Key: <key>"');
    }
    const found = key ? await authenticate(key) : await deps.streamTickets!.consume(ticket!);
    if (!found) {
      throttle.recordFailure(req.ip);
      throw unauthorized(
        key
          ? 'the API key is unknown, malformed or revoked'
          : 'the stream ticket is unknown, expired or used already; ask for a new one',
        'invalid_token',
      );
    }
    req.principal = found;

    const permission = req.routeOptions.config?.permission;
    if (!req.routeOptions.url) return; // unknown route: the not-found handler answers 404
    if (!permission) {
      req.log.error({ route: req.routeOptions.url }, 'route declares no permission; refusing');
      throw forbidden('this route is not open to any role');
    }
    if (!allows(permission, found.role)) {
      throw forbidden(`role "${found.role}" may not ${permission.replace('.', ': ')}`);
    }
  });
}

/** The person a step is recorded under: the key's person, else the key itself. */
export const actorOf = (p: Principal) => p.personId ?? `key:${p.keyId}`;
