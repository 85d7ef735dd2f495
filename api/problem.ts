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

/**
 * RFC 9457 problem details, the body of every 4xx/5xx answer (application/problem+json). Extension
 * members are allowed, as the RFC says; the ones this API uses are listed.
 */
export const PROBLEM_SCHEMA = {
  $id: 'Problem',
  type: 'object',
  description: 'Problem details (RFC 9457): what went wrong, in words a person can act on',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: {
      type: 'string',
      description: 'urn:shouhou:problem:<code>, e.g. urn:shouhou:problem:step-rejected; stable, for programs',
    },
    title: { type: 'string', description: 'short summary of the kind of problem' },
    status: { type: 'integer', description: 'the HTTP status' },
    detail: { type: 'string', description: 'this occurrence, in words' },
    instance: { type: 'string', description: 'the request path' },
    problems: {
      type: 'array',
      items: { type: 'string' },
      description: 'every problem found, when a body was checked as a whole (calendars, SLA policies)',
    },
    stage: { type: 'string', description: 'the stage of a case that takes no further steps (409)' },
  },
  additionalProperties: true,
  examples: [
    {
      type: 'urn:shouhou:problem:step-rejected',
      title: 'Step does not fit the case',
      status: 409,
      detail: 'step "diagnose" does not fit stage "intake" of case C0000042 (allowed in: assigned)',
      instance: '/api/v1/cases/C0000042/diagnose',
    },
  ],
} as const;
