// Whether an error means the database could not be reached (or is shutting down / starting up), as opposed
// to a statement it refused. The API answers the first with 503 and Retry-After — the request may succeed
// in a moment and nothing was written — and keeps 500 for real faults.

/** Socket errors of the connection itself. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);
/** postgres.js's own codes for a connection it lost or could not open. */
const DRIVER_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);
/** SQLSTATE class 08 (connection exception) and 57P01–57P03 (admin shutdown, crash shutdown, cannot connect now). */
const isUnavailableSqlState = (code: string) => code.startsWith('08') || /^57P0[1-3]$/.test(code);

export function isDatabaseUnreachable(err: unknown): boolean {
  // Drizzle wraps the driver's error as `cause`; follow the chain a few links.
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (NETWORK_CODES.has(code) || DRIVER_CODES.has(code)) return true;
      if (/^[0-9A-Z]{5}$/.test(code) && isUnavailableSqlState(code)) return true;
    }
    const errno = (e as { errno?: unknown }).errno;
    if (typeof errno === 'string' && NETWORK_CODES.has(errno)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
