// Escalations reach real people: the chain (assignee → team lead → service manager → upper management)
// resolved when a step fires, an absent manager skipped for the next in the chain, who and why recorded
// on the escalation; each channel against a local receiver that checks format and signature (SMTP,
// WeCom, DingTalk signed, Feishu signed, SMS); fallback when a channel is down; quiet hours that hold
// everything but emergencies; the inbox; every attempt readable through the API.
import { writeFileSync } from 'node:fs';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  DINGTALK_SECRET,
  FEISHU_SECRET,
  type Mail,
  SMS_TOKEN,
  startChatReceivers,
  startSmtp,
} from '../support/receivers.js';
import { fastPolicy, openSlaCase, seconds } from '../support/sla.js';
import { call, eventually, type Stack, startStack, waitFor } from '../support/stack.js';

let stack: Stack;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let chat: Awaited<ReturnType<typeof startChatReceivers>>;
const run = `${process.pid}`;
const pid = (name: string) => `${name}-${run}`;

beforeAll(async () => {
  smtp = await startSmtp();
  chat = await startChatReceivers();
  stack = await startStack({
    notifications: {
      smtp: { url: smtp.url, from: '售后服务 <aftersales@example.test>' },
      sms: { url: chat.urls.sms, token: SMS_TOKEN },
      maxAttempts: 2,
      retryMaxIntervalMs: 1_000,
    },
  });
  // One team whose chat groups have all three robots; a chain of four above the engineers.
  const put = (url: string, payload: unknown) => call(stack.app, 'PUT', url, { payload });
  expect(
    (
      await put(`/api/v1/teams/${pid('east')}`, {
        name: '华东服务一组',
        region: '华东',
        robots: {
          wecom: { url: chat.urls.wecom },
          dingtalk: { url: chat.urls.dingtalk, secret: DINGTALK_SECRET },
          feishu: { url: chat.urls.feishu, secret: FEISHU_SECRET },
        },
      })
    ).status,
  ).toBe(201);
  const people: [string, Record<string, unknown>][] = [
    [
      pid('boss'),
      {
        name: '赵总',
        roles: ['executive'],
        email: `boss-${run}@example.test`,
        mobile: '13900000001',
        dingtalkId: 'ding-boss',
        wecomId: 'wx-boss',
        preferences: { channels: { default: ['wecom', 'dingtalk', 'email'] } },
      },
    ],
    [
      pid('mgr'),
      { name: '钱经理', roles: ['manager'], managerId: pid('boss'), email: `mgr-${run}@example.test` },
    ],
    [
      pid('lead'),
      {
        name: '孙组长',
        roles: ['engineer'],
        teamId: pid('east'),
        managerId: pid('mgr'),
        email: `lead-${run}@example.test`,
      },
    ],
    [
      pid('eng'),
      {
        name: 'Li Wei',
        roles: ['engineer'],
        teamId: pid('east'),
        managerId: pid('lead'),
        locale: 'en',
        email: `eng-${run}@example.test`,
        preferences: { channels: { default: ['email'] } },
      },
    ],
    [
      pid('feishu'),
      {
        name: '周工',
        roles: ['engineer'],
        teamId: pid('east'),
        feishuId: 'ou_zhou',
        preferences: { channels: { 'case.assigned': ['feishu'] } },
      },
    ],
    [
      pid('sms'),
      {
        name: '吴工',
        roles: ['engineer'],
        teamId: pid('east'),
        mobile: '13800000002',
        preferences: { channels: { 'case.assigned': ['sms'] } },
      },
    ],
    [
      pid('wecom'),
      {
        name: '郑工',
        roles: ['engineer'],
        teamId: pid('east'),
        wecomId: 'wx-zheng',
        preferences: { channels: { 'case.assigned': ['wecom'] } },
      },
    ],
  ];
  for (const [id, body] of people) expect((await put(`/api/v1/people/${id}`, body)).status).toBe(201);
  expect(
    (
      await put(`/api/v1/teams/${pid('east')}`, {
        name: '华东服务一组',
        region: '华东',
        leadId: pid('lead'),
        robots: {
          wecom: { url: chat.urls.wecom },
          dingtalk: { url: chat.urls.dingtalk },
          feishu: { url: chat.urls.feishu },
        },
      })
    ).status,
  ).toBe(200);
  // The service manager is away for the whole file.
  const away = await call(stack.app, 'POST', `/api/v1/people/${pid('mgr')}/absences`, {
    payload: {
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      reason: '年假',
    },
  });
  expect(away.status).toBe(201);
});
afterAll(async () => {
  await stack?.close();
  await smtp?.close();
  await chat?.close();
});

const mailTo = (address: string) => smtp.mails.filter((m: Mail) => m.to.includes(address));
const deliveries = async (query: string) => {
  const r = await call(stack.app, 'GET', `/api/v1/notifications?${query}`);
  expect(r.status).toBe(200);
  return r.body.items as {
    personId: string;
    kind: string;
    status: string;
    channel: string | null;
    notBefore: string | null;
    reason: string;
    log: { channel: string; ok: boolean; error: string | null }[];
  }[];
};

describe('escalation to people', () => {
  it('the ladder reaches the assignee, then skips an absent service manager for upper management, and says why', async () => {
    // Repair in 8 s: warning at 6 s, breach at 8 s, escalation at 12 s.
    const line = await fastPolicy(stack, {
      targets: { repair: { ordinary: seconds(8), complex: seconds(8) } },
    });
    const created = await openSlaCase(stack, line);
    const assigned = await call(stack.app, 'POST', `/api/v1/cases/${created.id}/assign`, {
      payload: { engineer: pid('eng') },
    });
    expect(assigned.status).toBe(200);

    const escalations = await eventually(async () => {
      const r = await call(stack.app, 'GET', `/api/v1/escalations?caseId=${created.id}&clock=repair`);
      const items = r.body.items as {
        level: number;
        notified: { recipients: { personId: string }[] } | null;
      }[];
      return items.length === 3 && items.every((e) => e.notified) ? items : undefined;
    }, 60_000);
    const byLevel = Object.fromEntries(
      escalations.map((e) => [
        e.level,
        e.notified as unknown as {
          target: string;
          recipients: { personId: string; position: string; reason: string }[];
          skipped: { personId: string; position: string; reason: string }[];
        },
      ]),
    );
    expect(byLevel[1].target).toBe(pid('eng'));
    expect(byLevel[1].recipients.map((r) => [r.personId, r.position])).toEqual([[pid('eng'), 'assignee']]);
    expect(byLevel[2].target).toBe('service-manager');
    expect(byLevel[2].skipped).toEqual([
      expect.objectContaining({
        personId: pid('mgr'),
        position: 'service-manager',
        reason: expect.stringContaining('absent (年假)'),
      }),
    ]);
    expect(byLevel[2].recipients.map((r) => [r.personId, r.position])).toEqual([
      [pid('boss'), 'upper-management'],
    ]);
    expect(byLevel[2].recipients[0].reason).toContain('next in the chain');
    expect(byLevel[3].recipients.map((r) => r.personId)).toEqual([pid('boss')]);

    // The warning reached the engineer by e-mail, in English (their language), with subject and body.
    const mail = await eventually(async () =>
      mailTo(`eng-${run}@example.test`).find((m) => m.subject.startsWith('[Warning]')),
    );
    // The assignment reached them by e-mail too.
    expect(mailTo(`eng-${run}@example.test`).map((m) => m.subject)).toContain(
      `[Assigned] case ${created.id} is yours`,
    );
    expect(mail.subject).toBe(`[Warning] case ${created.id}: repair deadline approaching`);
    expect(mail.text).toContain(`The repair deadline of case ${created.id} falls due around`);
    expect(mail.from).toBe('aftersales@example.test');

    // Upper management prefers WeCom, then DingTalk: with WeCom down the breach falls back to DingTalk.
    const boss = await waitFor(async () => {
      const items = (await deliveries(`personId=${pid('boss')}&caseId=${created.id}`)).filter(
        (d) => d.status === 'delivered',
      );
      return items.length === 2 ? items : undefined;
    });
    for (const d of boss) expect(d.channel).toMatch(/^(wecom|dingtalk)$/);
    const ding = chat.calls.filter(
      (c) => c.service === 'dingtalk' && JSON.stringify(c.body).includes(created.id),
    );
    const wx = chat.calls.filter((c) => c.service === 'wecom' && JSON.stringify(c.body).includes(created.id));
    expect(ding.length + wx.length).toBe(2);
    expect(chat.rejected).toEqual([]);
  });

  it('a failing channel falls back to the next, and every attempt is logged', async () => {
    chat.failing.add('wecom');
    try {
      const line = await fastPolicy(stack, {
        targets: { repair: { ordinary: seconds(3), complex: seconds(3) } },
      });
      const created = await openSlaCase(stack, line);
      const assigned = await call(stack.app, 'POST', `/api/v1/cases/${created.id}/assign`, {
        payload: { engineer: pid('lead') },
      });
      expect(assigned.status).toBe(200);
      // The breach goes to the service manager — absent — so to upper management, who has no team of
      // their own and is reached through the robots of the case's team.
      const delivered = await waitFor(async () => {
        const items = await deliveries(`personId=${pid('boss')}&caseId=${created.id}&kind=sla.breached`);
        return items[0]?.status === 'delivered' ? items[0] : undefined;
      });
      expect(delivered.channel).toBe('dingtalk');
      expect(delivered.log.map((a) => [a.channel, a.ok])).toEqual([
        ['wecom', false],
        ['dingtalk', true],
      ]);
      expect(delivered.log[0].error).toBe('HTTP 500');
      // It was delivered by the dispatcher named on the notification, whose fresh history (a turn
      // that ran the attempts, then its sleep) replays against today's code.
      const [queuedRow] = await stack.db.db.execute<{ dispatcher: string }>(
        sql`select dispatcher from notifications where key = ${`${created.id}:sla:repair:0:2`}`,
      );
      expect(queuedRow?.dispatcher).toMatch(new RegExp(`^${stack.taskQueue}:[01]$`));
      const handle = stack.client.workflow.getHandle(`notification-dispatch-${queuedRow!.dispatcher}`);
      expect((await handle.describe()).type).toBe('notificationDispatcher');
      const history = temporal.api.history.v1.History.fromObject(await handle.fetchHistory());
      expect(history.events.map((e) => e.eventType)).toContain(
        temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
      );
      // Its turns ran on the deliveries' own task queue (workflows/task-queues.ts).
      const scheduledOn = history.events
        .filter((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .map((e) => e.activityTaskScheduledEventAttributes?.taskQueue?.name);
      expect(new Set(scheduledOn)).toEqual(new Set([`${stack.taskQueue}-deliveries`]));
      // Histories are encrypted: replay decrypts with the run's key.
      await Worker.runReplayHistory(
        {
          workflowBundle: { codePath: inject('workflowBundlePath') },
          dataConverter: { payloadCodecs: [stack.payloadCodec] },
        },
        history,
        `replay-notification-dispatch-${created.id}`,
      );
      // RECORD_HISTORIES=1 keeps it as a recording (encrypted under the recording key), which
      // replay.test.ts replays on every run. The earlier recording (…-fallback) is from before the
      // deliveries had their own task queue and keeps that path replayed.
      if (process.env.RECORD_HISTORIES === '1')
        writeFileSync(
          new URL(
            '../replay/histories/notification-dispatcher-deliveries-queue.history.bin',
            import.meta.url,
          ),
          temporal.api.history.v1.History.encode(history).finish(),
        );
      const call_ = chat.calls.find(
        (c) => c.service === 'dingtalk' && JSON.stringify(c.body).includes(created.id),
      )!;
      // Signed on the address, mentioning the person by user id and mobile.
      expect(call_.query.get('access_token')).toBe('test-token');
      expect(call_.body).toMatchObject({
        msgtype: 'text',
        at: { atUserIds: ['ding-boss'], atMobiles: ['13900000001'], isAtAll: false },
      });
      expect((call_.body.text as { content: string }).content).toContain(`【超时】工单 ${created.id}`);
    } finally {
      chat.failing.delete('wecom');
    }
  });
});

describe('channels', () => {
  async function assignTo(person: string, severity: 'normal' | 'emergency' = 'normal') {
    const line = await fastPolicy(stack);
    const created = await openSlaCase(stack, line, {
      problem: { description: '压缩机不启动', severity },
    });
    const r = await call(stack.app, 'POST', `/api/v1/cases/${created.id}/assign`, {
      payload: { engineer: person },
    });
    expect(r.status).toBe(200);
    return created.id as string;
  }

  it('Feishu: a signed text message mentioning the person', async () => {
    const id = await assignTo(pid('feishu'));
    const c = await eventually(async () =>
      chat.calls.find((x) => x.service === 'feishu' && JSON.stringify(x.body).includes(id)),
    );
    expect(c.body).toMatchObject({
      msg_type: 'text',
      timestamp: expect.any(String),
      sign: expect.any(String),
    });
    expect((c.body.content as { text: string }).text).toContain(
      `<at user_id="ou_zhou">周工</at> 【派工】工单 ${id} 已派给您`,
    );
  });

  it('SMS: the gateway gets the number and a short text', async () => {
    const id = await assignTo(pid('sms'));
    const c = await eventually(async () =>
      chat.calls.find((x) => x.service === 'sms' && JSON.stringify(x.body).includes(id)),
    );
    expect(c.body).toEqual({ to: '13800000002', text: `【售后】【派工】工单 ${id} 已派给您` });
  });

  it('WeCom: a text message mentioning the person by user id', async () => {
    const id = await assignTo(pid('wecom'));
    const c = await eventually(async () =>
      chat.calls.find((x) => x.service === 'wecom' && JSON.stringify(x.body).includes(id)),
    );
    expect(c.body).toMatchObject({ msgtype: 'text', text: { mentioned_list: ['wx-zheng'] } });
  });

  it('a channel down on every attempt: tried again after a backoff, failed when the attempts are used up', async () => {
    const put = await call(stack.app, 'PUT', `/api/v1/people/${pid('down')}`, {
      payload: {
        name: '王工',
        roles: ['engineer'],
        teamId: pid('east'),
        wecomId: 'wx-wang',
        preferences: { channels: { 'case.assigned': ['wecom'] } },
      },
    });
    expect(put.status).toBe(201);
    chat.failing.add('wecom');
    try {
      const id = await assignTo(pid('down'));
      // The stack allows two attempts (NOTIFY_MAX_ATTEMPTS), one second apart at least.
      const failed = await eventually(async () => {
        const [d] = await deliveries(`personId=${pid('down')}&caseId=${id}`);
        return d?.status === 'failed' ? d : undefined;
      });
      const log = failed.log as { channel: string; ok: boolean; error: string | null; at: string }[];
      expect(log.map((a) => [a.channel, a.ok, a.error])).toEqual([
        ['wecom', false, 'HTTP 500'],
        ['wecom', false, 'HTTP 500'],
      ]);
      expect(Date.parse(log[1]!.at) - Date.parse(log[0]!.at)).toBeGreaterThanOrEqual(999);
      // The inbox has it all the same.
      const [item] = await stack.db.db.execute<{ title: string }>(
        sql`select title from inbox_items where person_id = ${pid('down')} and case_id = ${id}`,
      );
      expect(item?.title).toBe(`【派工】工单 ${id} 已派给您`);
      // Nothing more is due for it: the dispatcher is done with it.
      const [row] = await stack.db.db.execute<{ due_at: string | null; attempts: number }>(
        sql`select due_at, attempts from notification_deliveries d
            join notifications n on n.key = d.notification_key
            where d.person_id = ${pid('down')} and n.case_id = ${id}`,
      );
      expect(row).toEqual({ due_at: null, attempts: 2 });
    } finally {
      chat.failing.delete('wecom');
    }
  });

  it('quiet hours hold a normal notification (the inbox has it at once) but not an emergency', async () => {
    // Quiet from an hour ago to an hour from now, Beijing time.
    const hhmm = (d: Date) =>
      d.toLocaleTimeString('en-GB', {
        timeZone: 'Asia/Shanghai',
        hour: '2-digit',
        minute: '2-digit',
        hour12: false,
      });
    const quiet = {
      start: hhmm(new Date(Date.now() - 3_600_000)),
      end: hhmm(new Date(Date.now() + 3_600_000)),
    };
    const put = await call(stack.app, 'PUT', `/api/v1/people/${pid('quiet')}`, {
      payload: {
        name: '冯工',
        roles: ['engineer'],
        email: `quiet-${run}@example.test`,
        preferences: { channels: { default: ['email'] }, quietHours: quiet },
      },
    });
    expect(put.status).toBe(201);
    const normal = await assignTo(pid('quiet'));
    const held = await eventually(async () => {
      const [d] = await deliveries(`personId=${pid('quiet')}&caseId=${normal}`);
      return d?.status === 'deferred' ? d : undefined;
    });
    expect(Date.parse(held.notBefore!)).toBeGreaterThan(Date.now());
    expect(held.log).toEqual([]);

    const urgent = await assignTo(pid('quiet'), 'emergency');
    const sent = await eventually(async () => {
      const [d] = await deliveries(`personId=${pid('quiet')}&caseId=${urgent}`);
      return d?.status === 'delivered' ? d : undefined;
    });
    expect(sent.channel).toBe('email');
    expect(mailTo(`quiet-${run}@example.test`).map((m) => m.subject)).toEqual([
      `【派工】工单 ${urgent} 已派给您`,
    ]);

    // Both are in the person's inbox, the held one too.
    const key = await call(stack.app, 'POST', '/api/v1/api-keys', {
      key: stack.keys.admin,
      payload: { name: 'quiet', role: 'engineer', personId: pid('quiet') },
    });
    expect(key.status).toBe(201);
    const inbox = await eventually(async () => {
      const r = await call(stack.app, 'GET', '/api/v1/me/notifications', { key: key.body.key });
      return r.body.items?.length === 2 ? r.body : undefined;
    });
    expect(inbox.unread).toBe(2);
    expect(inbox.items.map((i: { caseId: string }) => i.caseId).sort()).toEqual([normal, urgent].sort());
    const read = await call(stack.app, 'POST', `/api/v1/me/notifications/${inbox.items[0].id}/read`, {
      key: key.body.key,
    });
    expect(read.status).toBe(200);
    expect(read.body.readAt).not.toBeNull();
    const after = await call(stack.app, 'GET', '/api/v1/me/notifications?unread=true', { key: key.body.key });
    expect(after.body.unread).toBe(1);
    expect(after.body.items).toHaveLength(1);
    // Another person's item does not exist for them.
    const other = await call(stack.app, 'POST', `/api/v1/me/notifications/${inbox.items[0].id}/read`, {
      key: stack.keys.manager,
    });
    expect(other.status).toBe(404);
  });
});
