// API keys: "shk_<id>_<secret>". The id finds the key; only a SHA-256 of the secret is stored, compared
// in constant time. Bootstrap keys come from API_KEYS="key=role[:personId],…" and live in memory.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CaseReach } from '../case-access.js';
import { isRole, type Role } from './roles.js';

export interface Principal {
  keyId: string;
  role: Role;
  personId: string | null;
  name: string;
  /** Which cases it reads (api/case-access.ts). */
  reach: CaseReach;
  /** With reach `team`: the other members of its person's team. */
  teamMates?: string[];
}

const KEY_RE = /^shk_([a-z0-9]{8,32})_([A-Za-z0-9_-]{20,100})$/;

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

export function parseKey(key: string): { id: string; secret: string } | undefined {
  const m = KEY_RE.exec(key);
  return m ? { id: m[1], secret: m[2] } : undefined;
}

export function newKey(): { id: string; secret: string; key: string } {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(24).toString('base64url');
  return { id, secret, key: `shk_${id}_${secret}` };
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface BootstrapKey {
  id: string;
  secretHash: string;
  role: Role;
  personId: string | null;
}

/** Parses API_KEYS; throws naming the bad entry, so a misconfigured server does not start. */
export function parseBootstrapKeys(spec: string | undefined): BootstrapKey[] {
  if (!spec?.trim()) return [];
  return spec.split(',').map((entry, i) => {
    const eq = entry.lastIndexOf('=');
    if (eq < 0) throw new Error(`API_KEYS entry ${i + 1} must look like key=role[:personId]`);
    const key = entry.slice(0, eq).trim();
    const [role, personId] = entry
      .slice(eq + 1)
      .trim()
      .split(':');
    const parsed = parseKey(key);
    if (!parsed) throw new Error(`API_KEYS entry ${i + 1}: the key must look like shk_<id>_<secret>`);
    if (!isRole(role)) throw new Error(`API_KEYS entry ${i + 1}: unknown role "${role}"`);
    return { id: parsed.id, secretHash: hashSecret(parsed.secret), role, personId: personId || null };
  });
}
