// The workflow bundle is built in CI: the real workflows bundle cleanly, and workflow code that imports
// a Node built-in is refused at bundle time rather than in production. The modules every workflow of a
// worker thread shares (worker-factory.ts, WORKFLOW_PRELOAD_MODULES) keep no state of their own.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import ts from 'typescript';
import { afterAll, expect, it } from 'vitest';
import { bundleWorkflows } from '../../scripts/bundle-workflows.js';
import { WORKFLOWS_PATH } from '../../worker-factory.js';

const noop = () => {};
const logger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
const scratch = mkdtempSync(join(new URL('../../workflows/', import.meta.url).pathname, '.bundle-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it('bundles the real workflows', async () => {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger });
  expect(code).toContain('serviceCase');
});

for (const specifier of ['node:fs', 'fs']) {
  it(`rejects workflow code that imports the Node built-in "${specifier}"`, async () => {
    const bad = join(scratch, `bad-${specifier.replace(':', '-')}.ts`);
    writeFileSync(
      bad,
      `import { readFileSync } from '${specifier}';\nexport async function bad(): Promise<string> { return readFileSync('/etc/hostname', 'utf8'); }\n`,
    );
    const errors: string[] = [];
    const capture = {
      ...logger,
      error: (message: string, meta?: unknown) =>
        void errors.push(`${message} ${JSON.stringify(meta ?? '')}`),
    };
    const failure = await bundleWorkflowCode({ workflowsPath: bad, logger: capture }).then(
      () => 'bundled without error',
      (err: Error) => err.message,
    );
    // Bare specifiers are named by Temporal's own check; node: URLs are refused by webpack itself.
    expect(`${failure}\n${errors.join('\n')}`).toMatch(/ERROR in node:fs|disallowed modules[\s\S]*\bfs\b/);
  });
}

// Module-level collections allowed in shared modules, each a cache of a pure function: sharing one between
// cases changes what is computed again, never what is computed.
const PURE_CACHES = new Set([
  'domain/calendar.ts:formatters',
  'domain/calendar.ts:dayOffsets',
  'domain/calendar.ts:indexes',
]);

it('shares the workflow modules, and none of them keeps module-level state a case could leak into', async () => {
  const code = await bundleWorkflows();
  // The entry point requires workflows/index once per worker thread, before any workflow exists.
  expect(code).toMatch(
    /exports\.preloadModules = function preloadModules\(\) \{\s*__webpack_require__\([^)]*"\.\/workflows\/index\.ts"\)/,
  );
  const ours = [
    ...new Set([...code.matchAll(/^\/\*\*\*\/ "\.\/((?:workflows|domain)\/[^"]+\.ts)"$/gm)].map((m) => m[1])),
  ];
  expect(ours).toContain('workflows/service-case.ts');
  expect(ours).toContain('domain/calendar.ts');
  const root = new URL('../../', import.meta.url).pathname;
  const found: string[] = [];
  for (const file of ours) {
    const source = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest);
    for (const statement of source.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      const list = statement.declarationList;
      const mutable = !(list.flags & ts.NodeFlags.Const);
      for (const d of list.declarations) {
        const name = `${file}:${d.name.getText(source)}`;
        const collection =
          d.initializer !== undefined &&
          ts.isNewExpression(d.initializer) &&
          /^(Map|Set|WeakMap|WeakSet|Array)$/.test(d.initializer.expression.getText(source));
        if (mutable || (collection && !PURE_CACHES.has(name))) found.push(name);
      }
    }
  }
  expect(found).toEqual([]);
});
