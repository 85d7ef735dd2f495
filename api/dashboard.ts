// The dashboard web app (dashboard/, docs/dashboard.md): the built files served under /dashboard/.
// Built by `npm run build` (and `npm start`) into dashboard/dist, copied to dist/dashboard/dist for the
// compiled API; both sit at ../dashboard/dist from this module.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { Problem } from './problem.js';

export interface DashboardSettings {
  /** The directory of the built app (index.html and assets/). */
  root: string;
}

export const DEFAULT_DASHBOARD_ROOT = fileURLToPath(new URL('../dashboard/dist', import.meta.url));

export async function registerDashboard(app: FastifyInstance, settings: DashboardSettings) {
  app.get('/', { schema: { hide: true } }, (_req, reply) => reply.redirect('/dashboard/'));
  if (!existsSync(join(settings.root, 'index.html'))) {
    app.log.warn(
      { root: settings.root },
      'the dashboard is not built (npm run build); /dashboard/ answers 503',
    );
    const notBuilt = () => {
      throw new Problem(
        503,
        'dashboard-not-built',
        'Service unavailable',
        'the dashboard has not been built on this server: run npm run build',
      );
    };
    app.get('/dashboard', { schema: { hide: true } }, notBuilt);
    app.get('/dashboard/*', { schema: { hide: true } }, notBuilt);
    return;
  }
  await app.register(fastifyStatic, {
    root: settings.root,
    prefix: '/dashboard/',
    index: false,
    // The build leaves a brotli and a gzip copy beside each file (dashboard/vite.config.ts): sent as
    // the browser accepts them, with Vary: Accept-Encoding; the plain file otherwise.
    preCompressed: true,
    cacheControl: false,
    setHeaders(reply, path) {
      // Asset names carry a hash of their content; index.html names the current ones.
      reply.header(
        'cache-control',
        /[\\/]assets[\\/][^\\/]+$/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  // The app itself. The router ignores trailing slashes, so this is /dashboard/ too: the files' own
  // route (/dashboard/*) never sees an empty path.
  app.get('/dashboard', { schema: { hide: true } }, (_req, reply) => reply.sendFile('index.html'));
}
