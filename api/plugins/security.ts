// Security headers on every response, and rate limits per API key (per address before a key is known).
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { Problem } from '../problem.js';

export interface SecurityOptions {
  /** Requests per key per minute. */
  rateLimitPerMinute: number;
}

export async function registerSecurity(app: FastifyInstance, opts: SecurityOptions) {
  // Answers under /api carry customers' names, phones and addresses: no cache along the way keeps them.
  app.addHook('onSend', async (req, reply, payload) => {
    const path = req.url.split('?')[0];
    if (path === '/api' || path.startsWith('/api/')) reply.header('cache-control', 'no-store');
    return payload;
  });
  await app.register(helmet, {
    // The docs UI needs its own inline styles and data: images; the API itself serves only JSON.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: opts.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: (req) => (req.principal ? `key:${req.principal.keyId}` : `ip:${req.ip}`),
    errorResponseBuilder: (_req, ctx) =>
      new Problem(
        429,
        'rate-limited',
        'Too many requests',
        `rate limit of ${ctx.max} requests per minute exceeded; retry in ${Math.ceil(ctx.ttl / 1000)} s`,
      ),
  });
}
