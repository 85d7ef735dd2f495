// Product models (产品型号): the product line a model belongs to and its warranty in months, which
// decides whether a case's costs are warranty (docs/kpis.md, "Costs"). A model not listed has the
// default warranty of the report settings.
import { asc, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { productModels } from '../../db/schema.js';
import type { AppDeps } from '../app.js';
import { modelParams, productModelBody } from '../insight/schemas.js';
import { actorOf } from '../plugins/auth.js';
import { problemResponses } from '../schema-parts.js';

const view = (m: typeof productModels.$inferSelect) => ({ ...m, updatedAt: m.updatedAt.toISOString() });

export async function productModelRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db } = deps;

  app.get(
    '/api/v1/product-models',
    {
      schema: {
        operationId: 'listProductModels',
        tags: ['costs'],
        summary: 'Product models with their line and warranty months',
        response: {
          200: {
            description: 'Every model listed',
            type: 'object',
            additionalProperties: false,
            required: ['items'],
            properties: { items: { type: 'array', items: { $ref: 'ProductModel#' } } },
          },
        },
      },
      config: { permission: 'product-models.read' },
    },
    async () => ({
      items: (await db.select().from(productModels).orderBy(asc(productModels.model))).map(view),
    }),
  );

  app.put<{ Params: { model: string }; Body: { productLine?: string | null; warrantyMonths: number } }>(
    '/api/v1/product-models/:model',
    {
      schema: {
        operationId: 'putProductModel',
        tags: ['costs'],
        summary: "Set a model's product line and warranty months",
        params: modelParams,
        body: productModelBody,
        response: {
          200: { description: 'The model was updated', $ref: 'ProductModel#' },
          201: { description: 'The model was added', $ref: 'ProductModel#' },
          ...problemResponses(),
        },
      },
      config: { permission: 'product-models.write' },
    },
    async (req, reply) => {
      const model = req.params.model;
      const values = {
        productLine: req.body.productLine ?? null,
        warrantyMonths: req.body.warrantyMonths,
        updatedBy: actorOf(req.principal!),
        updatedAt: new Date(),
      };
      const [existing] = await db
        .select({ model: productModels.model })
        .from(productModels)
        .where(eq(productModels.model, model));
      const [row] = await db
        .insert(productModels)
        .values({ model, ...values })
        .onConflictDoUpdate({ target: productModels.model, set: values })
        .returning();
      return reply.code(existing ? 200 : 201).send(view(row!));
    },
  );
}
