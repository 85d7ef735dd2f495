// Small JSON-schema pieces shared by the route schemas, and the problem answers routes declare.

/** A required text: at least one non-blank character, at most `max`. */
export const text = (max: number, description?: string) =>
  ({
    type: 'string',
    minLength: 1,
    maxLength: max,
    pattern: '\\S',
    ...(description ? { description } : {}),
  }) as const;

export const optionalText = (max: number) => ({ type: 'string', maxLength: max }) as const;

export const dateTime = { type: 'string', format: 'date-time' } as const;
export const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const;
export const nullableString = { type: ['string', 'null'] } as const;

/** The shared `Problem` component (registered by buildApp); every 4xx/5xx answer is one. */
export const problemRef = { $ref: 'Problem#' } as const;

/** What each problem status means in this API, as the OpenAPI document says it. */
const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The request does not match its schema (path, query, headers, body, Idempotency-Key or cursor)',
  401: 'No API key, or one that is unknown, malformed or revoked',
  403: "The key's role may not do this (or an engineer acts on a case not assigned to them)",
  404: 'The resource does not exist, or the key may not see it',
  409: 'Conflicts with the current state of the resource, or the same Idempotency-Key is still in progress',
  413: 'The body is larger than the API accepts (API_BODY_LIMIT)',
  415: 'The body is not application/json',
  422: 'Well-formed but not acceptable: the detail (and `problems`, where given) says why; also an Idempotency-Key reused with another body',
  429: 'Rate limit of the API key exceeded; retry after the time the detail names',
  503: 'A dependency (the workflow engine or the database) did not answer; retry',
  504: 'The case workflow did not answer within STEP_TIMEOUT; the step may still be applied — repeat it with the same Idempotency-Key to learn the outcome',
};

/** One problem answer: application/problem+json with the shared Problem schema. */
export const problemResponse = (status: number, description?: string) => ({
  description: description ?? PROBLEM_DESCRIPTIONS[status] ?? 'Problem details (RFC 9457)',
  content: { 'application/problem+json': { schema: problemRef } },
});

/**
 * The problem answers a route declares beyond the ones every route gets (see api/plugins/openapi.ts:
 * 401/403/429/503 under /api, 400 with any input, 413/415 with a body, 409/422 for Idempotency-Key on POST).
 * Use it in a route's `response`: `{ 200: schema, ...problemResponses(404, 409) }`.
 */
export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, problemResponse(s)])) as Record<
    number,
    ReturnType<typeof problemResponse>
  >;

/** The problem statuses a route answers without declaring them: added to its schema when it is registered. */
export function implicitProblemStatuses(route: {
  method: string;
  url: string;
  schema?: Record<string, unknown>;
}): number[] {
  const s = route.schema ?? {};
  const statuses = new Set<number>([429]);
  if (route.url.startsWith('/api/')) {
    statuses.add(401);
    statuses.add(403);
    // Every API route reads the database (at least its audit log): unreachable, it answers 503.
    statuses.add(503);
  }
  if (s.params || s.querystring || s.headers || s.body || route.method === 'POST') statuses.add(400);
  if (s.body) {
    statuses.add(413);
    statuses.add(415);
  }
  if (route.method === 'POST' && route.url.startsWith('/api/')) {
    // Idempotency-Key: still in progress (409), reused with another body (422).
    statuses.add(409);
    statuses.add(422);
  }
  return [...statuses].sort();
}
