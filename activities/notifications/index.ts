// Notification activities: a dispatcher's turn (plan what is queued, deliver what is due — see
// dispatch.ts), the sweeper's, and the plan / deliver / mark-failed activities of the delivery workflows
// of before, kept while any still runs. Built from the process's channel settings.
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import type { Notifier } from '../notifier.js';
import type { ChannelSenders } from './channel.js';
import { deliverNotification, markDeliveryFailed } from './deliver.js';
import { dingtalkChannel } from './dingtalk.js';
import {
  type DispatchSettings,
  dispatcherFor,
  dispatchNotifications,
  wakeNotificationDispatcher,
} from './dispatch.js';
import { emailChannel, type SmtpSettings } from './email.js';
import { feishuChannel } from './feishu.js';
import { planNotification } from './plan.js';
import { httpSmsProvider, type SmsProvider, smsChannel } from './sms.js';
import { wecomChannel } from './wecom.js';

export interface NotificationSettings {
  /** E-mail; none: the e-mail channel is skipped (SMTP_URL, MAIL_FROM). */
  smtp?: SmtpSettings;
  /** SMS: a provider, or an HTTP gateway (SMS_URL, SMS_TOKEN); none: the channel is skipped. */
  sms?: SmsProvider | { url: string; token?: string };
  /** Attempts per delivery (default 8) and the longest pause between them (default 5 min). */
  maxAttempts?: number;
  retryMaxIntervalMs?: number;
  /** Dispatchers per task queue (default 2) and an idle one's longest sleep (default 1 min). */
  dispatchers?: number;
  dispatcherSweepMs?: number;
  /** Deliveries one dispatcher has in flight at once (default 50). */
  dispatchConcurrency?: number;
}

export interface NotificationDeps {
  db: Database;
  notifier: Notifier;
  temporal?: Client;
  taskQueue?: string;
  notifications?: NotificationSettings;
  allowPrivateWebhookTargets?: boolean;
}

export function buildSenders(deps: Pick<NotificationDeps, 'notifications' | 'allowPrivateWebhookTargets'>) {
  const allowPrivateTargets = deps.allowPrivateWebhookTargets ?? false;
  const s = deps.notifications ?? {};
  const senders: ChannelSenders = {
    wecom: wecomChannel({ allowPrivateTargets }),
    dingtalk: dingtalkChannel({ allowPrivateTargets }),
    feishu: feishuChannel({ allowPrivateTargets }),
  };
  if (s.smtp) senders.email = emailChannel(s.smtp);
  if (s.sms)
    senders.sms = smsChannel('send' in s.sms ? s.sms : httpSmsProvider({ ...s.sms, allowPrivateTargets }));
  return senders;
}

export function createNotificationActivities(deps: NotificationDeps) {
  const { db, notifier } = deps;
  const senders = buildSenders(deps);
  const dispatchSettings: DispatchSettings = {
    maxAttempts: deps.notifications?.maxAttempts ?? 8,
    retryMaxIntervalMs: deps.notifications?.retryMaxIntervalMs ?? 5 * 60_000,
    concurrency: deps.notifications?.dispatchConcurrency ?? 50,
  };
  return {
    // The delivery workflows of before (workflows/notification-delivery.ts) call these three.
    async planNotification(input: { key: string }) {
      const { deliveries } = await planNotification(db, notifier, input.key);
      return { deliveries };
    },

    async deliverNotification(input: { deliveryId: number }) {
      return deliverNotification(db, senders, input.deliveryId);
    },

    async markDeliveryFailed(input: { deliveryId: number }) {
      await markDeliveryFailed(db, input.deliveryId);
    },

    /** One turn of a notification dispatcher (workflows/notification-dispatcher.ts). */
    async dispatchNotifications(input: { dispatcher: string }) {
      return dispatchNotifications({ db, notifier, senders }, input.dispatcher, dispatchSettings, () =>
        Context.current().heartbeat(),
      );
    },

    /**
     * The sweeper's turn: notifications queued without a dispatcher (recorded by a process without
     * Temporal, or before dispatchers existed and never started) are given one, and every dispatcher of
     * this task queue with work waiting longer than `graceMs` is woken — started, if it is not running.
     */
    async dispatchQueuedNotifications(input: { graceMs: number; batch: number }): Promise<number> {
      const { taskQueue } = deps;
      if (!taskQueue) return 0;
      const graceSecs = input.graceMs / 1000;
      const orphans = await db.execute<{ key: string }>(sql`
        select key from notifications
        where dispatcher is null and dispatched_at is null
          and created_at < now() - make_interval(secs => ${graceSecs})
        order by created_at limit ${input.batch}`);
      for (const { key } of orphans)
        await db.execute(
          sql`update notifications set dispatcher = ${dispatcherFor(deps, key)} where key = ${key} and dispatcher is null`,
        );
      const waiting = await db.execute<{ dispatcher: string }>(sql`
        select dispatcher from notifications
        where sent_at is null and starts_with(dispatcher, ${`${taskQueue}:`})
          and created_at < now() - make_interval(secs => ${graceSecs})
        union
        select dispatcher from notification_deliveries
        where status in ('pending', 'deferred') and starts_with(dispatcher, ${`${taskQueue}:`})
          and due_at < now() - make_interval(secs => ${graceSecs})`);
      for (const { dispatcher } of waiting) wakeNotificationDispatcher(deps, dispatcher);
      return orphans.length + waiting.length;
    },
  };
}
