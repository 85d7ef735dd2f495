// Turns every error — validation, malformed JSON, oversized body, unknown route, domain rejections —
// into a problem+json response. Unexpected errors are logged and answered without internals.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifyServerOptions,
} from 'fastify';
import { isDatabaseUnreachable } from '../../db/unreachable.js';
import { Problem } from '../problem.js';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  409: 'Conflict',
  413: 'Payload too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  422: 'Invalid content',
  429: 'Too many requests',
  431: 'Request header fields too large',
  503: 'Service unavailable',
};

function send(reply: FastifyReply, req: FastifyRequest, p: Problem) {
  for (const [name, value] of Object.entries(p.headers)) reply.header(name, value);
  return reply
    .code(p.status)
    .type('application/problem+json')
    .send({
      type: `urn:shouhou:problem:${p.code}`,
      title: p.title,
      status: p.status,
      detail: p.detail,
      instance: req.url,
      ...p.extra,
    });
}

export function registerProblems(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, req, reply) => {
    if (error instanceof Problem) return send(reply, req, error);
    if (error.validation) {
      return send(reply, req, new Problem(400, 'invalid-request', 'Bad request', error.message));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = (error.code ?? 'bad-request')
        .toLowerCase()
        .replace(/^fst_err_/, '')
        .replace(/_/g, '-');
      return send(reply, req, new Problem(status, code, TITLES[status] ?? 'Bad request', error.message));
    }
    if (isDatabaseUnreachable(error)) {
      req.log.warn({ err: error }, 'database unreachable');
      return send(
        reply,
        req,
        new Problem(
          503,
          'database-unavailable',
          'Service unavailable',
          'the database cannot be reached; retry shortly',
          {},
          {
            'retry-after': '5',
          },
        ),
      );
    }
    req.log.error({ err: error }, 'unhandled error');
    return send(
      reply,
      req,
      new Problem(500, 'internal', 'Internal error', 'an unexpected error occurred; it has been logged'),
    );
  });

  app.setNotFoundHandler((req, reply) =>
    send(
      reply,
      req,
      new Problem(404, 'no-route', 'Not found', `no route ${req.method} ${req.url.split('?')[0]}`),
    ),
  );
}

/**
 * Errors Fastify meets while routing, before any hook runs: a path that does not percent-decode to
 * UTF-8 (400) and a path parameter longer than the router takes (414). Answered as problems too.
 */
export const frameworkErrors: NonNullable<FastifyServerOptions['frameworkErrors']> = (error, req, reply) => {
  const status = error.statusCode === 414 ? 414 : 400;
  const p =
    status === 414
      ? new Problem(
          414,
          'uri-too-long',
          TITLES[414],
          'a path segment of the URL is longer than the API accepts',
        )
      : new Problem(
          400,
          'invalid-text',
          TITLES[400],
          'the URL path is not valid UTF-8 once percent-decoded',
          {
            in: 'path',
          },
        );
  reply.header('cache-control', 'no-store');
  return send(reply, req, p);
};

/**
 * Errors Node's HTTP parser meets before Fastify sees a request — headers (or a request line) larger
 * than the server takes (431), a malformed request (400), a client that sent too slowly (408) — are
 * written straight to the socket, as problem details like every other answer.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const status =
    err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const detail =
    status === 431
      ? 'the request line and headers are larger than the server accepts'
      : status === 408
        ? 'the request was not received in time'
        : 'the request is not valid HTTP';
  const code = status === 431 ? 'headers-too-large' : status === 408 ? 'request-timeout' : 'bad-http';
  const body = JSON.stringify({
    type: `urn:shouhou:problem:${code}`,
    title: TITLES[status] ?? STATUS_CODES[status],
    status,
    detail,
  });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
