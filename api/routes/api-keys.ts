// API keys: admins create and revoke them. The secret is shown once, at creation; only its hash is kept.
import { desc, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { apiKeys } from '../../db/schema.js';
import type { AppDeps } from '../app.js';
import { hashSecret, newKey } from '../auth/keys.js';
import { ROLES } from '../auth/roles.js';
import { actorOf } from '../plugins/auth.js';
import { conflict, notFound } from '../problem.js';
import { dateTime, nullableDateTime, nullableString, problemResponses } from '../schema-parts.js';

type KeyRow = typeof apiKeys.$inferSelect;

const view = (k: KeyRow) => ({
  id: k.id,
  name: k.name,
  role: k.role,
  personId: k.personId,
  createdBy: k.createdBy,
  createdAt: k.createdAt.toISOString(),
  revokedAt: k.revokedAt?.toISOString() ?? null,
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  source: 'api',
});

const keyViewProps = {
  id: { type: 'string', description: 'the <id> of shk_<id>_<secret>' },
  name: { type: 'string' },
  role: { type: 'string', enum: ROLES },
  personId: { ...nullableString, description: 'the person steps are recorded under' },
  createdBy: nullableString,
  createdAt: dateTime,
  revokedAt: nullableDateTime,
  lastUsedAt: { ...nullableDateTime, description: 'updated at most once a minute' },
  source: {
    type: 'string',
    enum: ['api', 'environment'],
    description: 'api: created here; environment: from API_KEYS (revoked only there)',
  },
} as const;

const keyView = {
  type: 'object',
  additionalProperties: false,
  required: Object.keys(keyViewProps),
  properties: keyViewProps,
} as const;

const keyIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[a-z0-9]{8,32}$' } },
} as const;

export async function apiKeyRoutes(app: FastifyInstance, deps: AppDeps) {
  const bootstrapIds = new Set((deps.bootstrapKeys ?? []).map((k) => k.id));

  app.post<{ Body: { name: string; role: string; personId?: string } }>(
    '/api/v1/api-keys',
    {
      schema: {
        operationId: 'createApiKey',
        tags: ['access'],
        summary: 'Create an API key for a role and a person (the key is shown only in this answer)',
        body: {
          type: 'object',
          required: ['name', 'role'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' },
            role: { type: 'string', enum: ROLES },
            personId: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._@-]+$' },
          },
          examples: [{ name: 'Zendesk integration', role: 'helpdesk', personId: 'zendesk' }],
        },
        response: {
          201: {
            description: 'The key, with its secret (shown only now)',
            type: 'object',
            additionalProperties: false,
            required: [...keyView.required, 'key'],
            properties: {
              ...keyViewProps,
              key: { type: 'string', description: 'shk_<id>_<secret>: send as Authorization: Bearer <key>' },
            },
          },
        },
      },
      config: { permission: 'api-keys.manage' },
    },
    async (req, reply) => {
      const { name, role, personId } = req.body;
      const generated = newKey();
      const [row] = await deps.db
        .insert(apiKeys)
        .values({
          id: generated.id,
          name,
          role,
          personId: personId ?? null,
          secretHash: hashSecret(generated.secret),
          createdBy: actorOf(req.principal!),
        })
        .returning();
      return reply.code(201).send({ ...view(row), key: generated.key });
    },
  );

  app.get(
    '/api/v1/api-keys',
    {
      schema: {
        operationId: 'listApiKeys',
        tags: ['access'],
        summary: 'List API keys (never their secrets)',
        response: {
          200: {
            description: 'Keys from API_KEYS first, then the created ones, newest first',
            type: 'object',
            additionalProperties: false,
            required: ['items'],
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['id', 'name', 'role', 'personId', 'source'],
                  properties: keyViewProps,
                  description: 'environment keys carry no createdBy, createdAt, revokedAt, lastUsedAt',
                },
              },
            },
          },
        },
      },
      config: { permission: 'api-keys.manage' },
    },
    async () => {
      const rows = await deps.db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt));
      const fromEnv = (deps.bootstrapKeys ?? []).map((k) => ({
        id: k.id,
        name: `environment key ${k.id}`,
        role: k.role,
        personId: k.personId,
        source: 'environment',
      }));
      return { items: [...fromEnv, ...rows.map(view)] };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/api-keys/:id',
    {
      schema: {
        operationId: 'revokeApiKey',
        tags: ['access'],
        summary: 'Revoke an API key',
        description:
          'Answers with the revoked key; revoking again changes nothing. Keys from API_KEYS answer 409.',
        params: keyIdParams,
        response: { 200: { description: 'The revoked key', ...keyView }, ...problemResponses(404, 409) },
      },
      config: { permission: 'api-keys.manage' },
    },
    async (req) => {
      if (bootstrapIds.has(req.params.id)) {
        throw conflict(`key ${req.params.id} comes from API_KEYS; remove it there and restart`);
      }
      const [row] = await deps.db.select().from(apiKeys).where(eq(apiKeys.id, req.params.id));
      if (!row) throw notFound('API key', req.params.id);
      if (row.revokedAt) return view(row);
      const [revoked] = await deps.db
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(eq(apiKeys.id, req.params.id))
        .returning();
      return view(revoked);
    },
  );
}
