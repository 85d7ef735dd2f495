// The worker's log: a deliveries-only Worker has no workflows by design, so the SDK's warning about it
// must not reach operators as a warning; the same warning for any other task queue still does.
import { afterEach, expect, it, vi } from 'vitest';
import { workerLogger } from '../../observability/logging.js';

afterEach(() => vi.restoreAllMocks());

const NO_WORKFLOWS = 'No workflows registered, not polling for workflow tasks';

it("keeps the SDK's no-workflows warning out of the log for the deliveries' queue only", () => {
  const lines: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((line: string) => void lines.push(line));
  vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  const logger = workerLogger('json', 'INFO');
  logger.warn(NO_WORKFLOWS, { taskQueue: 'shouhou-deliveries' });
  logger.warn(NO_WORKFLOWS, { taskQueue: 'shouhou' });
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', msg: NO_WORKFLOWS, taskQueue: 'shouhou' });
});

it('shows it at debug level when the log asks for debug', () => {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  vi.spyOn(console, 'error').mockImplementation((line: string) => void lines.push(line));
  workerLogger('json', 'DEBUG').warn(NO_WORKFLOWS, { taskQueue: 'shouhou-deliveries' });
  expect(lines.map((l) => JSON.parse(l).level)).toEqual(['debug']);
});
