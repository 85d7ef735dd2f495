// The case workflow run in this process, without a server: the SDK's reusable V8 context (what a worker's
// workflow thread runs) created from a workflow bundle, and cases driven through it by activations made
// here, as Core would send them — intake until the case rests on its first SLA timer, then that timer fired
// and its escalation's local activity answered. Used by the memory (bench/workflow-memory.ts) and sandbox
// entry (bench/sandbox.ts) benchmarks.
import { readFileSync } from 'node:fs';
import proto from '@temporalio/proto';
import type { Workflow } from '@temporalio/worker/lib/workflow/interface.js';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm.js';
import Long from 'long';
import { AesGcmPayloadCodec, parsePayloadKeys } from '../../codec/payload-codec.js';
import { chinaCalendar } from '../../domain/calendar-china.js';
import { trimCalendar } from '../../domain/sla-policy.js';
import { bundleWorkflows } from '../../scripts/bundle-workflows.js';
import { RECORDING_PAYLOAD_KEYS } from '../../test/support/payload-keys.js';

const { coresdk: sdk, temporal } = proto;
type Activation = proto.coresdk.workflow_activation.IWorkflowActivation;
type Job = proto.coresdk.workflow_activation.IWorkflowActivationJob;
type Command = proto.coresdk.workflow_commands.IWorkflowCommand;

const HISTORY = new URL(
  '../../test/replay/histories/service-case-2026-12-01-state-patches.history.bin',
  import.meta.url,
);
const ts = (ms: number) => ({ seconds: Long.fromNumber(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 });
const NULL_RESULT = { completed: { result: { metadata: { encoding: Buffer.from('binary/null') } } } };
const jsonResult = (value: unknown) => ({
  completed: {
    result: { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(value)) },
  },
});

/** The recorded case's start input, decrypted (the workflow sees it decoded), and when it started. */
async function recordedStart(testCalendar: boolean) {
  const h = temporal.api.history.v1.History.decode(readFileSync(HISTORY));
  const first = h.events[0];
  const payloads = first.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
  const [recorded] = await new AesGcmPayloadCodec(parsePayloadKeys(RECORDING_PAYLOAD_KEYS)).decode(payloads);
  // The recording ran under a test calendar; a case opened under the default SLA carries the mainland-China
  // calendar's holidays (as sla-store.ts snapshots it at intake), which is what a worker holds.
  const value = JSON.parse(Buffer.from(recorded.data ?? []).toString());
  if (!testCalendar) value.sla.calendar = trimCalendar(chinaCalendar(), new Date(value.intake.reportedAt));
  const input = [{ metadata: recorded.metadata, data: Buffer.from(JSON.stringify(value)) }];
  const t = first.eventTime;
  return { input, at: Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6) };
}

export interface CaseSandbox {
  creator: ReusableVMWorkflowCreator;
  bundleBytes: number;
  /** Starts case `i` and answers its activities until it rests; returns it with its armed timer. */
  startCase(i: number): Promise<RestingCase>;
  /** Fires the case's timer and answers the escalation it records; returns the re-armed timer. */
  fireTimer(c: RestingCase): Promise<RestingCase>;
}

export interface RestingCase {
  workflow: Workflow;
  runId: string;
  /** The workflow's clock now, and the timer it rests on. */
  now: number;
  timer: { seq: number; ms: number };
  activations: number;
}

export async function loadCaseSandbox(
  opts: { bundle?: string; testCalendar?: boolean; debug?: boolean } = {},
): Promise<CaseSandbox> {
  const code = opts.bundle ? readFileSync(opts.bundle, 'utf8') : await bundleWorkflows();
  const { input, at: startedAt } = await recordedStart(opts.testCalendar === true);
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

  /** Runs activations until the workflow only waits on a timer: answers every activity it schedules. */
  async function drive(c: Omit<RestingCase, 'timer'>, first: Activation): Promise<RestingCase> {
    let activation = first;
    for (let round = 0; round < 5; round++) {
      const completion = await c.workflow.activate(
        sdk.workflow_activation.WorkflowActivation.fromObject(activation),
      );
      c.activations += 1;
      if (completion.failed) throw new Error(`activation failed: ${JSON.stringify(completion.failed)}`);
      const commands: Command[] = completion.successful?.commands ?? [];
      if (opts.debug)
        console.log(
          commands.map((cmd) => Object.keys(cmd).filter((k) => (cmd as Record<string, unknown>)[k] != null)),
        );
      const jobs: Job[] = [];
      let timer: RestingCase['timer'] | undefined;
      for (const cmd of commands) {
        if (cmd.scheduleActivity)
          jobs.push({ resolveActivity: { seq: cmd.scheduleActivity.seq, result: NULL_RESULT } });
        const local = cmd.scheduleLocalActivity;
        if (local)
          jobs.push({
            resolveActivity: {
              seq: local.seq,
              // escalate() answers when its record was done; the others answer nothing.
              result:
                local.activityType === 'escalate'
                  ? jsonResult({ recordedAt: new Date(c.now).toISOString() })
                  : NULL_RESULT,
              isLocal: true,
            },
          });
        const t = cmd.startTimer;
        if (t) {
          const d = t.startToFireTimeout;
          timer = { seq: t.seq ?? 0, ms: Number(d?.seconds ?? 0) * 1000 + Math.round((d?.nanos ?? 0) / 1e6) };
        }
      }
      if (jobs.length === 0) {
        if (!timer) throw new Error('the case came to rest without a timer');
        return { ...c, timer };
      }
      c.now += 20;
      activation = { runId: c.runId, timestamp: ts(c.now), isReplaying: false, historyLength: 9, jobs };
    }
    throw new Error('the case did not come to rest');
  }

  return {
    creator,
    bundleBytes: code.length,
    async startCase(i) {
      const runId = `run-${i}`;
      // The recorded case's own start, so its clocks are where they were then (no step due yet).
      const now = startedAt;
      const workflow = await creator.createWorkflow({
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
      return drive(
        { workflow, runId, now, activations: 0 },
        {
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
        },
      );
    },
    async fireTimer(c) {
      const now = c.now + c.timer.ms;
      return drive(
        { ...c, now },
        {
          runId: c.runId,
          timestamp: ts(now),
          isReplaying: false,
          historyLength: 12,
          jobs: [{ fireTimer: { seq: c.timer.seq } }],
        },
      );
    },
  };
}
