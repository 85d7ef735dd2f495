// Turns every error — validation, malformed JSON, oversized body, unknown route, domain rejections —
// into a problem+json response. Unexpected errors are logged and answered without internals.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Problem } from '../problem.js';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Invalid content',
  429: 'Too many requests',
  503: 'Service unavailable',
};

function send(reply: FastifyReply, req: FastifyRequest, p: Problem) {
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
