// What one cached case workflow costs in a worker's memory, measured without a server: the SDK's reusable
// V8 context (what a worker's workflow thread runs) is created in this process from a workflow bundle, and
// N case workflows are started in it, each from the recorded input of a real case and driven until it waits
// (its first projection answered, its escalation timer armed), as a worker would hold them in its cache.
//
//   node --expose-gc --import tsx bench/workflow-memory.ts [--bundle <file>] [--cases 500]
//        [--out bench/results/workflow-memory.json] [--snapshot <file.heapsnapshot>]
//
// The heap after a full GC, before and after, divided by N is the cost of one cached workflow. It omits the
// SDK core's (Rust) share per cached run, which the intake benchmark's RSS includes.
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import proto from '@temporalio/proto';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm.js';
import { globalHandlers } from '@temporalio/worker/lib/workflow/vm-shared.js';
import Long from 'long';

const { coresdk: sdk, temporal } = proto;
type Activation = proto.coresdk.workflow_activation.IWorkflowActivation;
type Job = proto.coresdk.workflow_activation.IWorkflowActivationJob;

import { AesGcmPayloadCodec, parsePayloadKeys } from '../codec/payload-codec.js';
import { chinaCalendar } from '../domain/calendar-china.js';
import { trimCalendar } from '../domain/sla-policy.js';
import { bundleWorkflows } from '../scripts/bundle-workflows.js';
import { RECORDING_PAYLOAD_KEYS } from '../test/support/payload-keys.js';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const cases = Number(opt('cases') ?? 500);
const out = opt('out');
const snapshot = opt('snapshot');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const HISTORY = new URL(
  '../test/replay/histories/service-case-2026-12-01-state-patches.history.bin',
  import.meta.url,
);

/** The recorded case's start input, decrypted (the workflow sees it decoded). */
async function recordedStart(): Promise<{ input: proto.temporal.api.common.v1.IPayload[]; at: number }> {
  const h = temporal.api.history.v1.History.decode(readFileSync(HISTORY));
  const first = h.events[0];
  const payloads = first.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
  const [recorded] = await new AesGcmPayloadCodec(parsePayloadKeys(RECORDING_PAYLOAD_KEYS)).decode(payloads);
  // The recording ran under a test calendar; a case opened under the default SLA carries the mainland-China
  // calendar's holidays (as sla-store.ts snapshots it at intake), which is what a worker holds.
  const value = JSON.parse(Buffer.from(recorded.data ?? []).toString());
  if (!args.includes('--test-calendar'))
    value.sla.calendar = trimCalendar(chinaCalendar(), new Date(value.intake.reportedAt));
  const input = [{ metadata: recorded.metadata, data: Buffer.from(JSON.stringify(value)) }];
  const t = first.eventTime;
  return { input, at: Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6) };
}

const ts = (ms: number) => ({ seconds: Long.fromNumber(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 });
const heap = () => {
  for (let i = 0; i < 3; i++) gc?.();
  const s = v8.getHeapStatistics();
  return { used: s.used_heap_size, total: s.total_heap_size, rss: process.memoryUsage().rss };
};
const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;

const bundlePath = opt('bundle');
const code = bundlePath ? readFileSync(bundlePath, 'utf8') : await bundleWorkflows();
const { input, at: startedAt } = await recordedStart();

const before0 = heap();
// As the worker loads a bundle (worker.js parseWorkflowCode): the inline source map parsed beside the code.
const mapAt = code.lastIndexOf('//# sourceMappingURL=data:');
const sourceMap = JSON.parse(
  Buffer.from(code.slice(code.indexOf('base64,', mapAt) + 7).trimEnd(), 'base64').toString(),
);
const creator = await ReusableVMWorkflowCreator.create(
  { code, sourceMap, filename: '/probe/workflow-bundle.js' },
  5_000,
  new Set(['projectCase', 'notify', 'escalate', 'cancelPartsRequest', 'recordProjectionFailure']),
  undefined,
);
// --no-promise-hook: what the SDK's promise hook (a stack trace kept per pending promise) costs.
if (args.includes('--no-promise-hook'))
  (globalHandlers as unknown as { stopPromiseHook(): void }).stopPromiseHook();
const afterContext = heap();

const completed = { completed: { result: { metadata: { encoding: Buffer.from('binary/null') } } } };
let cpuMs = 0;
const workflows = [];
for (let i = 0; i < cases; i++) {
  const runId = `run-${i}`;
  // The recorded case's own start, so its clocks are where they were then (no step due yet).
  const now = startedAt;
  const t0 = performance.now();
  const wf = await creator.createWorkflow({
    info: {
      workflowId: `case-${i}`,
      runId,
      workflowType: 'serviceCase',
      searchAttributes: {},
      // biome-ignore lint/suspicious/noExplicitAny: the SDK's internal WorkflowInfo, filled as worker.js does
      typedSearchAttributes: undefined as any,
      taskQueue: 'probe',
      namespace: 'default',
      firstExecutionRunId: runId,
      originalExecutionRunId: runId,
      startTime: new Date(now),
      runStartTime: new Date(now),
      taskTimeoutMs: 10_000,
      attempt: 1,
      historyLength: 3,
      historySize: 0,
      continueAsNewSuggested: false,
      targetWorkerDeploymentVersionChanged: false,
      suggestedContinueAsNewReasons: undefined,
      currentBuildId: '',
      unsafe: {
        now: () => Date.now(),
        isReplaying: false,
        isReplayingHistoryEvents: false,
        random: Math.random,
      },
      priority: {},
    } as never,
    randomnessSeed: Long.fromNumber(i + 1).toBytes(),
    now,
    showStackTraceSources: false,
    failureExceptionTypeNames: [],
  } as never);
  let activation: Activation = {
    runId,
    timestamp: ts(now),
    isReplaying: false,
    historyLength: 3,
    historySizeBytes: Long.fromNumber(2000),
    jobs: [
      {
        initializeWorkflow: {
          workflowId: `case-${i}`,
          workflowType: 'serviceCase',
          arguments: input,
          randomnessSeed: Long.fromNumber(i + 1),
          firstExecutionRunId: runId,
          attempt: 1,
          startTime: ts(now),
          workflowTaskTimeout: { seconds: Long.fromNumber(10) },
        },
      },
    ],
  };
  // Answer every activity the workflow schedules until it only waits on timers and humans.
  for (let round = 0; round < 5; round++) {
    const completion = await wf.activate(sdk.workflow_activation.WorkflowActivation.fromObject(activation));
    const commands = completion.successful?.commands ?? [];
    if (i === 0 && process.env.PROBE_DEBUG)
      console.log(
        round,
        commands.map((c) => Object.keys(c).filter((k) => (c as Record<string, unknown>)[k] != null)),
      );
    if (completion.failed) throw new Error(`activation failed: ${JSON.stringify(completion.failed)}`);
    const jobs: Job[] = [];
    for (const c of commands) {
      if (c.scheduleActivity)
        jobs.push({ resolveActivity: { seq: c.scheduleActivity.seq, result: completed } });
      if (c.scheduleLocalActivity)
        jobs.push({
          resolveActivity: { seq: c.scheduleLocalActivity.seq, result: completed, isLocal: true },
        });
    }
    if (jobs.length === 0) break;
    activation = {
      runId,
      timestamp: ts(now + 100 * (round + 1)),
      isReplaying: false,
      historyLength: 9,
      jobs,
    };
  }
  cpuMs += performance.now() - t0;
  workflows.push(wf);
}
const afterCases = heap();
if (process.env.PROBE_DEBUG) {
  const cache = (workflows[0] as unknown as { activator: { moduleCache: Map<string, unknown> } }).activator
    .moduleCache;
  console.log('per-workflow modules', cache.size, [...cache.keys()]);
}
if (snapshot) v8.writeHeapSnapshot(snapshot);
const perWorkflow = (afterCases.used - afterContext.used) / cases;
const result = {
  cases,
  bundleBytes: code.length,
  contextMiB: mib(afterContext.used - before0.used),
  heapUsedMiB: mib(afterCases.used),
  rssMiB: mib(afterCases.rss),
  perWorkflowKiB: Math.round(perWorkflow / 102.4) / 10,
  perWorkflowRssKiB: Math.round((afterCases.rss - afterContext.rss) / cases / 102.4) / 10,
  activationMsPerCase: Math.round((cpuMs / cases) * 100) / 100,
  promiseHook: !args.includes('--no-promise-hook'),
  calendar: args.includes('--test-calendar') ? 'test' : 'cn',
};
console.log(JSON.stringify(result));
if (out) writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
for (const wf of workflows) await wf.dispose();
process.exit(0);
