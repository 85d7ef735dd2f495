// The remote payload codec the Temporal UI (and CLI) call to show encrypted workflow payloads: POST
// /codec/decode and /codec/encode, each taking and answering {"payloads": [{metadata, data}]} with every
// value base64, as Temporal's remote-codec protocol has it. Only staff allowed to read customer data in
// histories may call it (permission payloads.codec), with their API key; the Temporal UI's origin may
// call it from the browser (CORS). See docs/payload-encryption.md.
import type { Payload } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { type AesGcmPayloadCodec, PayloadDecryptionError } from '../../codec/payload-codec.js';
import { Problem } from '../problem.js';
import { problemResponses } from '../schema-parts.js';

const isCodecRoute = (url: string) => url === '/codec' || url.startsWith('/codec/');

/** The browser origins (the Temporal UI's) allowed to call the codec; CODEC_CORS_ORIGINS overrides. */
export const DEFAULT_CODEC_ORIGINS = ['http://localhost:8233', 'http://127.0.0.1:8233'];

/**
 * CORS for the codec routes, registered before authentication: a browser's preflight carries no key,
 * and an answer without CORS headers (a 401 too) is unreadable to the page that asked.
 */
export function registerCodecCors(app: FastifyInstance, origins: readonly string[]) {
  app.addHook('onRequest', async (req, reply) => {
    if (!isCodecRoute(req.url.split('?')[0])) return;
    const origin = req.headers.origin;
    if (origin && origins.includes(origin)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-credentials', 'true');
      reply.header('vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      reply.header('access-control-allow-methods', 'POST, OPTIONS');
      reply.header('access-control-allow-headers', 'authorization, content-type, x-namespace, x-api-key');
      reply.header('access-control-max-age', '600');
      return reply.code(204).send();
    }
  });
}

const base64 = { type: 'string', pattern: '^[A-Za-z0-9+/]*={0,2}$', maxLength: 4 * 1024 * 1024 } as const;
const payloadsSchema = {
  type: 'object',
  required: ['payloads'],
  additionalProperties: false,
  properties: {
    payloads: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          metadata: { type: 'object', additionalProperties: base64, maxProperties: 32 },
          data: base64,
        },
      },
    },
  },
} as const;

interface WirePayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromWire = (p: WirePayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]),
  ),
  data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
});

const toWire = (p: Payload): WirePayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

export async function codecRoutes(app: FastifyInstance, deps: { payloadCodec?: AesGcmPayloadCodec }) {
  for (const op of ['encode', 'decode'] as const) {
    app.post<{ Body: { payloads: WirePayload[] } }>(
      `/codec/${op}`,
      {
        schema: {
          tags: ['system'],
          operationId: op === 'encode' ? 'encodePayloads' : 'decodePayloads',
          summary:
            op === 'encode'
              ? 'Encrypt workflow payloads (Temporal remote codec)'
              : 'Decrypt workflow payloads for the Temporal UI or CLI (Temporal remote codec)',
          body: payloadsSchema,
          response: { 200: payloadsSchema, ...problemResponses(400, 401, 403, 422, 503) },
        },
        config: { permission: 'payloads.codec' },
      },
      async (req) => {
        const codec = deps.payloadCodec;
        if (!codec)
          throw new Problem(
            503,
            'unavailable',
            'Service unavailable',
            'payload encryption is not configured',
          );
        const payloads = req.body.payloads.map(fromWire);
        try {
          const out = op === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
          return { payloads: out.map(toWire) };
        } catch (err) {
          if (err instanceof PayloadDecryptionError)
            throw new Problem(422, 'undecryptable-payload', 'Payload cannot be decrypted', err.message);
          throw err;
        }
      },
    );
  }
}
