// The escalation activity runs at least once (a local activity is retried whenever its workflow task
// is): a retry must not record twice, and it only queues the notification — its dispatcher plans and
// sends it, also at least once, and must not hand it on again after one send succeeded.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { recordNotification } from '../../activities/notification-record.js';
import { dispatchNotifications } from '../../activities/notifications/dispatch.js';
import type { Notification } from '../../activities/notifier.js';
import type { CaseState } from '../../domain/case.js';
import { fastPolicy, openSlaCase } from '../support/sla.js';
import { eventually, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.close());

/** The level-2 breach of a case's response clock, as the case workflow hands it to `escalate`. */
function breachOf(state: CaseState, dueAt: string, firedAt: string) {
  const escalation = {
    caseId: state.caseId,
    clock: 'response' as const,
    cycle: 0,
    level: 2,
    name: 'breach',
    dueAt,
    firedAt,
    recipient: 'service-manager',
    assignee: null,
    severity: state.severity,
  };
  return {
    state: { ...state, seq: state.seq + 1, breached: true },
    event: {
      seq: state.seq + 1,
      type: 'sla_breached',
      fromStage: state.stage,
      toStage: state.stage,
      actor: 'system',
      at: firedAt,
      data: { clock: 'response', level: 2, dueAt, recipient: 'service-manager' },
    },
    escalation,
  };
}

it('a retried escalation records one row, one timeline event and queues its notification once', async () => {
  const created = await openSlaCase(stack, await fastPolicy(stack));
  const state = await stack.client.workflow.getHandle(`case-${created.id}`).query<CaseState>('state');

  const sent: Notification[] = [];
  let failNextSend = true;
  const activities = createActivities({
    db: stack.db.db,
    notifier: {
      async send(n) {
        if (failNextSend) {
          failNextSend = false;
          throw new Error('SMS gateway down');
        }
        sent.push(n);
      },
    },
  });
  const dueAt = new Date(Date.now() - 1000).toISOString();
  const input = breachOf(state, dueAt, new Date().toISOString());

  // Recording sends nothing: the notification is queued, and delivered by its dispatcher.
  await activities.escalate(input);
  await activities.escalate(input);
  const count = async (query: ReturnType<typeof sql>) =>
    Number((await stack.db.db.execute<{ n: string }>(query))[0]!.n);
  const key = `${created.id}:sla:response:0:2`;
  expect(sent).toEqual([]);
  expect(
    await count(sql`select count(*) as n from notifications where key = ${key} and sent_at is null`),
  ).toBe(1);

  // Planning it hands it to the notifier: the first send fails, the retry sends, a further retry
  // (the activity's completion was lost) sends nothing.
  await expect(activities.planNotification({ key })).rejects.toThrow('SMS gateway down');
  await activities.planNotification({ key });
  await activities.planNotification({ key });
  expect(sent.map((n) => [n.key, n.kind, n.recipient])).toEqual([[key, 'sla.breached', 'service-manager']]);
  expect(
    await count(sql`select count(*) as n from notifications where key = ${key} and sent_at is not null`),
  ).toBe(1);
  expect(
    await count(sql`select count(*) as n from escalations where case_id = ${created.id} and level = 2`),
  ).toBe(1);
  expect(
    await count(
      sql`select count(*) as n from case_events where case_id = ${created.id} and type = 'sla_breached'`,
    ),
  ).toBe(1);
  expect(await count(sql`select count(*) as n from cases where id = ${created.id} and breached`)).toBe(1);
});

it('a notification queued by a process without Temporal is given a dispatcher by the sweeper and delivered', async () => {
  const created = await openSlaCase(stack, await fastPolicy(stack));
  const state = await stack.client.workflow.getHandle(`case-${created.id}`).query<CaseState>('state');
  // A process without a Temporal client queues the notification with no dispatcher to wake.
  const offline = createActivities({ db: stack.db.db, notifier: { send: async () => {} } });
  const firedAt = new Date().toISOString();
  await offline.escalate(breachOf(state, firedAt, firedAt));
  const key = `${created.id}:sla:response:0:2`;
  const [queuedRow] = await stack.db.db.execute<{ dispatcher: string | null }>(
    sql`select dispatcher from notifications where key = ${key}`,
  );
  expect(queuedRow).toEqual({ dispatcher: null });
  // The sweeper's turn, in a process of the stack's task queue: it adopts the row and wakes its
  // dispatcher, and the stack's worker plans it — the stack's notifier hears of it.
  const online = createActivities({
    db: stack.db.db,
    notifier: { send: async () => {} },
    temporal: stack.client,
    taskQueue: stack.taskQueue,
  });
  expect(await online.dispatchQueuedNotifications({ graceMs: 0, batch: 100 })).toBeGreaterThan(0);
  const [adopted] = await stack.db.db.execute<{ dispatcher: string | null }>(
    sql`select dispatcher from notifications where key = ${key}`,
  );
  expect(adopted?.dispatcher).toMatch(new RegExp(`^${stack.taskQueue}:[01]$`));
  const sent = await eventually(async () => stack.notifications.find((n) => n.key === key));
  expect(sent).toMatchObject({ kind: 'sla.breached', recipient: 'service-manager', caseId: created.id });
});

it('a dispatcher turn plans the rest when the notifier refuses one, and plans that one on its next turn', async () => {
  const created = await openSlaCase(stack, await fastPolicy(stack));
  const dispatcher = `turn-test-${process.pid}`;
  const keys = [`turn:${created.id}:a`, `turn:${created.id}:b`];
  for (const key of keys)
    await recordNotification(stack.db.db, {
      key,
      caseId: created.id,
      kind: 'case.assigned',
      recipient: 'nobody-in-particular',
      payload: {},
      dispatcher,
    });
  const heard: string[] = [];
  let refuse = true;
  const notifier = {
    async send(n: Notification) {
      if (n.key === keys[0] && refuse) throw new Error('notifier down');
      heard.push(n.key);
    },
  };
  const settings = { maxAttempts: 2, retryMaxIntervalMs: 1_000 };
  const turn = () =>
    dispatchNotifications({ db: stack.db.db, notifier, senders: {} }, dispatcher, settings, () => {});
  expect(await turn()).toEqual({ more: false, nextDueInMs: null });
  expect(heard).toEqual([keys[1]]);
  refuse = false;
  await turn();
  expect(heard).toEqual([keys[1], keys[0]]);
  const unsent = await stack.db.db.execute(
    sql`select key from notifications where dispatcher = ${dispatcher} and sent_at is null`,
  );
  expect(unsent).toHaveLength(0);
});
