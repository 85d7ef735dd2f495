// Bundles the workflow code (webpack, through the SDK) ahead of time, so worker processes load a finished
// bundle (`workflowBundle: { codePath }`) instead of each running webpack at start.
//
//   node --import tsx scripts/bundle-workflows.ts <out.js> [--tracing]
//
// `npm run build` writes dist/workflow-bundle.js and, with the OpenTelemetry workflow interceptors compiled
// in, dist/workflow-bundle-otel.js (the worker loads that one when tracing is switched on); `npm start`
// and the tests bundle once per run the same way.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { OTEL_WORKFLOW_INTERCEPTORS } from '../observability/tracing.js';
import { WORKFLOW_PRELOAD_MODULES, WORKFLOWS_PATH } from '../worker-factory.js';

const noop = () => {};
/** Webpack's module listing and progress are noise; only errors are shown. */
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };

export async function bundleWorkflows({ tracing = false }: { tracing?: boolean } = {}): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: tracing ? [OTEL_WORKFLOW_INTERCEPTORS] : [],
    // Shared by every workflow of a worker thread instead of evaluated per workflow (worker-factory.ts).
    preloadModules: WORKFLOW_PRELOAD_MODULES,
    logger: quietLogger,
  });
  return code;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: bundle-workflows <out.js> [--tracing]');
    process.exit(2);
  }
  const tracing = process.argv.includes('--tracing');
  writeFileSync(out, await bundleWorkflows({ tracing }));
  console.log(`workflow bundle written to ${out}${tracing ? ' (with OpenTelemetry interceptors)' : ''}`);
}
