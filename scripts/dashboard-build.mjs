// Builds the dashboard web app (dashboard/, Vite) into dashboard/dist, where the API serves it from
// (api/dashboard.ts). Used by `npm run build` (always), `npm start` and the end-to-end test (only when a
// source file is newer than the last build). Plain JavaScript: npm start runs it before anything else.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './process-helpers.mjs';

export const DASHBOARD_SOURCE = join(REPO_ROOT, 'dashboard');
export const DASHBOARD_DIST = join(DASHBOARD_SOURCE, 'dist');

/** The newest modification time among the files a build reads. */
function newestSource() {
  let newest = 0;
  const visit = (path) => {
    const st = statSync(path);
    if (st.isDirectory()) {
      for (const entry of readdirSync(path)) visit(join(path, entry));
    } else newest = Math.max(newest, st.mtimeMs);
  };
  for (const path of ['src', 'index.html', 'vite.config.ts']) visit(join(DASHBOARD_SOURCE, path));
  visit(join(REPO_ROOT, 'package-lock.json'));
  return newest;
}

/** Whether dashboard/dist is older than its sources (or missing). */
export function dashboardStale() {
  const built = join(DASHBOARD_DIST, 'index.html');
  return !existsSync(built) || statSync(built).mtimeMs < newestSource();
}

/**
 * Builds the dashboard (when `onlyIfStale`, only if its sources changed since the last build). Returns
 * whether it built; throws with Vite's output when the build fails.
 */
export function buildDashboard({ onlyIfStale = false, quiet = false } = {}) {
  if (onlyIfStale && !dashboardStale()) return false;
  const vite = join(REPO_ROOT, 'node_modules/vite/bin/vite.js');
  const res = spawnSync(
    process.execPath,
    [vite, 'build', '--config', join(DASHBOARD_SOURCE, 'vite.config.ts')],
    {
      cwd: REPO_ROOT,
      // Always the production build: vitest sets NODE_ENV=test, and Vite with a NODE_ENV other than
      // production bundles React's development build (the app's chunk 465 KB instead of 250 KB), which
      // the end-to-end test then left in dashboard/dist for the benchmark to measure.
      env: { ...process.env, NODE_ENV: 'production' },
      encoding: 'utf8',
      stdio: quiet ? 'pipe' : 'inherit',
    },
  );
  if (res.status !== 0)
    throw new Error(
      `dashboard build failed (exit ${res.status ?? res.signal}):\n${res.stdout ?? ''}${res.stderr ?? ''}`,
    );
  return true;
}

if (process.argv[1]?.endsWith('dashboard-build.mjs')) {
  const built = buildDashboard({ onlyIfStale: process.argv.includes('--if-stale') });
  console.log(built ? `dashboard built into ${DASHBOARD_DIST}` : 'dashboard up to date');
}
