// The workflow bundle is built in CI: the real workflows bundle cleanly, and workflow code that imports
// a Node built-in is refused at bundle time rather than in production.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { afterAll, expect, it } from 'vitest';
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
