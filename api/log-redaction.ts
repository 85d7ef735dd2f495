// What request logs must not show: the stream ticket of GET /api/v1/events/stream?ticket=… is a
// credential in a URL (api/auth/stream-tickets.ts). Request logs print the URL with it blanked out.
import type { FastifyRequest } from 'fastify';

const SECRET_PARAMS = /([?&](?:ticket|access_token|api_key|key)=)[^&#]*/gi;

export const redactUrl = (url: string) => url.replace(SECRET_PARAMS, '$1[redacted]');

/** Fastify's request log fields, with the URL redacted. */
export function requestLogFields(req: FastifyRequest) {
  return {
    method: req.method,
    url: redactUrl(req.url),
    version: String(req.headers['accept-version'] ?? '') || undefined,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}
