#!/usr/bin/env node
// `npm run build`: the production build in dist/ —
//   1. TypeScript compiled to JavaScript (tsconfig.build.json: the processes, not tests or the bench);
//   2. what tsc does not copy: the SQL migrations and the plain-JavaScript helper modules;
//   3. the workflows bundled ahead of time (dist/workflow-bundle.js, and dist/workflow-bundle-otel.js with
//      the OpenTelemetry workflow interceptors), so a worker process starts without running webpack;
//   4. the dashboard web app (Vite) into dashboard/dist, copied to dist/dashboard/dist for the compiled API.
// Run it with `node dist/worker.js`, `node dist/api/server.js`, `node dist/db/migrate.js`,
// `node dist/scripts/setup-temporal.js`.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildDashboard, DASHBOARD_DIST } from './dashboard-build.mjs';
import { REPO_ROOT } from './process-helpers.mjs';

const dist = join(REPO_ROOT, 'dist');
const run = (what, args) => {
  const started = Date.now();
  const res = spawnSync(process.execPath, args, { cwd: REPO_ROOT, stdio: 'inherit' });
  if (res.status !== 0) {
    console.error(`build: ${what} failed`);
    process.exit(res.status ?? 1);
  }
  console.log(`build: ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
};

rmSync(dist, { recursive: true, force: true });
run('tsc', [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
cpSync(join(REPO_ROOT, 'db/migrations'), join(dist, 'db/migrations'), { recursive: true });
for (const file of readdirSync(join(REPO_ROOT, 'scripts'))) {
  if (file.endsWith('.mjs') || file.endsWith('.sh'))
    cpSync(join(REPO_ROOT, 'scripts', file), join(dist, 'scripts', file));
}
// Bundled from the compiled workflows, with the compiled bundler: what runs is what was built.
run('workflow bundle', [join(dist, 'scripts/bundle-workflows.js'), join(dist, 'workflow-bundle.js')]);
run('workflow bundle with tracing', [
  join(dist, 'scripts/bundle-workflows.js'),
  join(dist, 'workflow-bundle-otel.js'),
  '--tracing',
]);
{
  const started = Date.now();
  try {
    buildDashboard();
  } catch (err) {
    console.error(`build: ${err.message}`);
    process.exit(1);
  }
  cpSync(DASHBOARD_DIST, join(dist, 'dashboard/dist'), { recursive: true });
  console.log(`build: dashboard (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
