// Opaque keyset cursors: (timestamp, id) of the last row of a page.
import { Problem } from './problem.js';

export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}

export function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof at !== 'string' || typeof id !== 'string' || Number.isNaN(Date.parse(at))) throw new Error();
    return { at, id };
  } catch {
    throw new Problem(400, 'invalid-cursor', 'Bad request', 'cursor is not one this API issued');
  }
}
