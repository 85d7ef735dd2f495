// The spare-parts API: catalogue, stock, parts requests and purchases (docs/parts.md).
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.js';
import { catalogueRoutes } from './catalogue.js';
import { requestRoutes } from './requests.js';
import { stockRoutes } from './stock.js';

export async function partsRoutes(app: FastifyInstance, deps: AppDeps) {
  await catalogueRoutes(app, deps);
  await stockRoutes(app, deps);
  await requestRoutes(app, deps);
}
