// Payload encryption: everything a case workflow sends through Temporal (its input, step arguments, the
// state it returns, activity inputs) holds customer names and phones. This codec encrypts each payload
// with AES-256-GCM before it leaves the process, so the Temporal server, its database, its UI and CLI
// hold only ciphertext; the API's client, the worker and the tests all use it. See docs/payload-encryption.md.
//
// Keys come from PAYLOAD_KEYS, "id:base64key,id:base64key,…": the first encrypts, every one decrypts
// (rotation: put a new key first, keep the old ones until no open case needs them). Each encrypted
// payload names its key id in its metadata. Payloads without this codec's encoding (histories recorded
// before encryption, or by a process without keys) pass through unchanged.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface PayloadKey {
  id: string;
  key: Buffer;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? new TextDecoder().decode(b) : undefined);

/** Parses PAYLOAD_KEYS; throws naming the entry at fault. */
export function parsePayloadKeys(raw: string): PayloadKey[] {
  const keys = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry, i) => {
      const m = /^([A-Za-z0-9._-]{1,64}):([A-Za-z0-9+/=_-]+)$/.exec(entry);
      if (!m) throw new Error(`PAYLOAD_KEYS entry ${i + 1} is not "id:base64key"`);
      const key = Buffer.from(m[2], 'base64');
      if (key.length !== 32) throw new Error(`PAYLOAD_KEYS key "${m[1]}" is ${key.length} bytes, not 32`);
      return { id: m[1], key };
    });
  const ids = new Set(keys.map((k) => k.id));
  if (ids.size !== keys.length) throw new Error('PAYLOAD_KEYS names a key id twice');
  return keys;
}

/** A new random key in PAYLOAD_KEYS form. */
export function newPayloadKey(id = `k${Date.now().toString(36)}`): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

/** The payload as bytes: JSON of its metadata and data, base64 each (metadata values are bytes too). */
function serialise(p: Payload): Buffer {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) metadata[k] = Buffer.from(v).toString('base64');
  return Buffer.from(
    JSON.stringify({ m: metadata, d: Buffer.from(p.data ?? new Uint8Array()).toString('base64') }),
  );
}

function deserialise(b: Buffer): Payload {
  const { m, d } = JSON.parse(b.toString('utf8')) as { m: Record<string, string>; d: string };
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(m)) metadata[k] = new Uint8Array(Buffer.from(v, 'base64'));
  return { metadata, data: new Uint8Array(Buffer.from(d, 'base64')) };
}

export class PayloadDecryptionError extends Error {}

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly current: PayloadKey;
  private readonly byId: Map<string, PayloadKey>;

  constructor(keys: PayloadKey[]) {
    if (keys.length === 0) throw new Error('the payload codec needs at least one key');
    this.current = keys[0];
    this.byId = new Map(keys.map((k) => [k.id, k]));
  }

  get keyId(): string {
    return this.current.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.encrypt(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.decrypt(p));
  }

  encrypt(p: Payload): Payload {
    const { id, key } = this.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, key, iv);
    // The key id is authenticated with the data: a payload cannot be moved under another key's name.
    cipher.setAAD(utf8(id));
    const body = Buffer.concat([cipher.update(serialise(p)), cipher.final()]);
    return {
      metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(id) },
      data: new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()])),
    };
  }

  decrypt(p: Payload): Payload {
    if (text(p.metadata?.encoding) !== ENCRYPTED_ENCODING) return p;
    const id = text(p.metadata?.[KEY_ID_METADATA]) ?? '';
    const k = this.byId.get(id);
    if (!k) throw new PayloadDecryptionError(`no payload key "${id}" is configured (PAYLOAD_KEYS)`);
    const data = Buffer.from(p.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES)
      throw new PayloadDecryptionError('encrypted payload is truncated');
    const decipher = createDecipheriv(CIPHER, k.key, data.subarray(0, IV_BYTES));
    decipher.setAAD(utf8(id));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    try {
      const plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return deserialise(plain);
    } catch {
      throw new PayloadDecryptionError(
        `payload under key "${id}" does not decrypt (altered, or another key)`,
      );
    }
  }
}

/** The codec of PAYLOAD_KEYS, or undefined when it is unset (payloads then travel in plain text). */
export function payloadCodecFromEnv(env: NodeJS.ProcessEnv = process.env): AesGcmPayloadCodec | undefined {
  const raw = env.PAYLOAD_KEYS?.trim();
  return raw ? new AesGcmPayloadCodec(parsePayloadKeys(raw)) : undefined;
}

/** The data converter option of a Temporal client or worker for `codec` (none: the SDK's default). */
export const dataConverterFor = (codec: PayloadCodec | undefined) =>
  codec ? { payloadCodecs: [codec] } : undefined;
