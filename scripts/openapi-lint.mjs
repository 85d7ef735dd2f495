// Lints generated/openapi.json with Redocly CLI's recommended rules (redocly.yaml) and fails on any
// problem, warnings included: Redocly itself fails only on errors. Offline: no telemetry, no update check.
//   npm run openapi:lint   (generates the document first)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const run = spawnSync(
  'node_modules/.bin/redocly',
  ['lint', 'generated/openapi.json', '--config', 'redocly.yaml', '--format=json'],
  {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    maxBuffer: 64 * 1024 * 1024,
  },
);
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  console.error(run.stdout, run.stderr);
  console.error(`redocly lint did not report (exit ${run.status})`);
  process.exit(1);
}
for (const p of report.problems) {
  const where = p.location?.map((l) => l.pointer).join(', ');
  console.log(`${p.severity.padEnd(5)} ${p.ruleId}: ${p.message} (${where})`);
}
const { errors, warnings } = report.totals;
console.log(
  `redocly ${report.version} lint of generated/openapi.json: ${errors} errors, ${warnings} warnings`,
);
if (errors + warnings > 0) process.exit(1);
