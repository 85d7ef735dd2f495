// Opaque keyset cursors: (timestamp, id) of the last row of a page. A cursor the API did not issue is a
// 400 naming it, never a query error.
import { Problem } from './problem.js';

const INT4_MAX = 2_147_483_647;
const invalid = () => new Problem(400, 'invalid-cursor', 'Bad request', 'cursor is not one this API issued');

export function encodeCursor(at: Date, id: string | number): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}

function parse(cursor: string): [unknown, unknown] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2) return value as [unknown, unknown];
  } catch {
    // fall through
  }
  throw invalid();
}

const isInstant = (at: unknown): at is string => typeof at === 'string' && !Number.isNaN(Date.parse(at));

/** A cursor whose id is text (case ids). */
export function decodeCursor(cursor: string): { at: string; id: string } {
  const [at, id] = parse(cursor);
  if (!isInstant(at) || typeof id !== 'string') throw invalid();
  return { at, id };
}

/** A cursor whose id is a serial (escalations, audit records). */
export function decodeIntCursor(cursor: string): { at: string; id: number } {
  const [at, id] = parse(cursor);
  if (!isInstant(at) || !Number.isInteger(id) || (id as number) < 0 || (id as number) > INT4_MAX)
    throw invalid();
  return { at, id: id as number };
}
