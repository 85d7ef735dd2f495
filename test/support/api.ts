// A client typed by the OpenAPI document (generated/openapi.ts, from `npm run openapi`): path, method,
// path parameters, query and body are checked against the document at compile time, and the answer is a
// union over the statuses the document declares, so `expectStatus(r, 201)` narrows the body to the
// declared schema. Tests written with it fail to compile when the contract changes under them.
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import type { components, paths } from '../../generated/openapi.js';

export type Schemas = components['schemas'];
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type PathsWith<M extends Method> = {
  [P in keyof paths]: paths[P][M] extends object ? P : never;
}[keyof paths];
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

type BodyOf<O> = O extends { requestBody: { content: { 'application/json': infer B } } }
  ? B
  : O extends { requestBody?: { content: { 'application/json': infer B } } }
    ? B
    : never;
type Params<O, K extends 'path' | 'query'> = O extends { parameters: { [k in K]: infer X } }
  ? X
  : O extends { parameters: { [k in K]?: infer X } }
    ? X
    : never;
type Content<R> = R extends { content: { 'application/json': infer B } }
  ? B
  : R extends { content: { 'application/problem+json': infer B } }
    ? B
    : null;
type Responses<O> = O extends { responses: infer R } ? R : never;

/** The JSON body an operation takes. */
export type RequestBody<P extends keyof paths, M extends Method> = BodyOf<Operation<P, M>>;

/** The answer: one member per declared status, its body typed by that status' schema. */
export type Answer<O> = {
  [S in keyof Responses<O>]: { status: S; body: Content<Responses<O>[S]>; headers: Record<string, unknown> };
}[keyof Responses<O>];

export interface RequestOptions<O> {
  params?: Params<O, 'path'>;
  query?: Params<O, 'query'>;
  body?: BodyOf<O>;
  /** An API key; default the one given to `client` (null: none). */
  key?: string | null;
  headers?: Record<string, string>;
}

function url(template: string, params: object | undefined, query: object | undefined): string {
  const path = template.replace(/\{(\w+)\}/g, (_m, name: string) =>
    encodeURIComponent(String((params as Record<string, unknown>)[name])),
  );
  const q = Object.entries(query ?? {}).filter(([, v]) => v !== undefined);
  return q.length === 0 ? path : `${path}?${new URLSearchParams(q.map(([k, v]) => [k, String(v)]))}`;
}

/** A typed client of `app`, sending `defaultKey` unless a request says otherwise. */
export function client(app: FastifyInstance, defaultKey: string) {
  async function request<M extends Method, P extends PathsWith<M>>(
    method: M,
    path: P,
    opts: RequestOptions<Operation<P, M>> = {},
  ): Promise<Answer<Operation<P, M>>> {
    const key = opts.key === undefined ? defaultKey : opts.key;
    const res = await app.inject({
      method: method.toUpperCase() as Uppercase<M>,
      url: url(path, opts.params as object, opts.query as object),
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...opts.headers },
      ...(opts.body !== undefined ? { payload: opts.body as object } : {}),
    });
    const body = res.body ? JSON.parse(res.body) : null;
    return { status: res.statusCode, body, headers: res.headers } as Answer<Operation<P, M>>;
  }
  return {
    request,
    get: <P extends PathsWith<'get'>>(path: P, opts?: RequestOptions<Operation<P, 'get'>>) =>
      request('get', path, opts),
    post: <P extends PathsWith<'post'>>(path: P, opts?: RequestOptions<Operation<P, 'post'>>) =>
      request('post', path, opts),
    put: <P extends PathsWith<'put'>>(path: P, opts?: RequestOptions<Operation<P, 'put'>>) =>
      request('put', path, opts),
    patch: <P extends PathsWith<'patch'>>(path: P, opts?: RequestOptions<Operation<P, 'patch'>>) =>
      request('patch', path, opts),
    delete: <P extends PathsWith<'delete'>>(path: P, opts?: RequestOptions<Operation<P, 'delete'>>) =>
      request('delete', path, opts),
  };
}

/** Asserts the status and narrows the answer to it (so the body has that status' type). */
export function expectStatus<A extends { status: unknown; body: unknown }, const S extends A['status']>(
  answer: A,
  status: S,
): asserts answer is Extract<A, { status: S }> {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
}
