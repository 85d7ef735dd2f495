// People and notifications: the directory, the inbox and preferences, the delivery log, assignment
// suggestions.
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.js';
import { directoryRoutes } from './directory.js';
import { inboxRoutes } from './inbox.js';
import { suggestionRoutes } from './suggestions.js';

export async function peopleRoutes(app: FastifyInstance, deps: AppDeps) {
  await directoryRoutes(app, deps);
  await inboxRoutes(app, deps);
  await suggestionRoutes(app, deps);
}
