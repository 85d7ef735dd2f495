// Every request gets an id the API generates (a UUID), answered as X-Request-Id and written to the
// logs and the audit trail. A client's own X-Request-Id never replaces it: it is kept beside ours as the
// client request id — after a check, because it reaches logs and the audit trail — and echoed as
// X-Client-Request-Id so both sides can find one request in their logs.
import type { FastifyInstance } from 'fastify';
import { Problem } from '../problem.js';

/** Letters, digits and the punctuation of common id formats (UUID, ULID, trace ids, base64). */
export const CLIENT_REQUEST_ID_RE = /^[A-Za-z0-9._~:/+=@-]{1,128}$/;

declare module 'fastify' {
  interface FastifyRequest {
    /** The client's X-Request-Id, when it sent a valid one. */
    clientRequestId?: string;
  }
}

export function registerRequestId(app: FastifyInstance) {
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    const sent = req.headers['x-request-id'];
    if (sent === undefined) return;
    if (typeof sent !== 'string' || !CLIENT_REQUEST_ID_RE.test(sent)) {
      throw new Problem(
        400,
        'invalid-request-id',
        'Bad request',
        'X-Request-Id must be sent once, 1–128 characters of letters, digits and . _ ~ : / + = @ -',
        { in: 'header', field: 'x-request-id' },
      );
    }
    req.clientRequestId = sent;
    req.log = req.log.child({ clientRequestId: sent });
    reply.header('x-client-request-id', sent);
  });
}
