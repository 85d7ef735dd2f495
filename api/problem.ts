// Errors leave the API as RFC 9457 problem details (application/problem+json). Nothing else does.
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
    /** Response headers the answer carries (WWW-Authenticate, Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export const notFound = (what: string, id: string) =>
  new Problem(404, 'not-found', 'Not found', `${what} "${id}" does not exist`);
export const conflict = (detail: string, extra?: Record<string, unknown>) =>
  new Problem(409, 'step-rejected', 'Step does not fit the case', detail, extra);
export const unprocessable = (detail: string) =>
  new Problem(422, 'invalid-content', 'Invalid content', detail);
export const unavailable = (detail: string) => new Problem(503, 'unavailable', 'Service unavailable', detail);
export const timedOut = (detail: string, extra?: Record<string, unknown>) =>
  new Problem(504, 'timeout', 'Gateway timeout', detail, extra);

export const PROBLEM_SCHEMA = {
  $id: 'Problem',
  type: 'object',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
  },
  additionalProperties: true,
} as const;
