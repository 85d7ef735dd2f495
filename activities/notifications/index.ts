// Notification activities: plan (who gets it), deliver (one person, channels in fallback order), and
// the sweep that starts delivery workflows nobody started. Built from the process's channel settings.
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { and, asc, isNull, lt, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { notifications } from '../../db/schema.js';
import {
  type NotificationDeliveryInput,
  notificationDelivery,
} from '../../workflows/notification-delivery.js';
import type { Notifier } from '../notifier.js';
import type { ChannelSenders } from './channel.js';
import { deliverNotification, markDeliveryFailed } from './deliver.js';
import { dingtalkChannel } from './dingtalk.js';
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
}

export interface NotificationDeps {
  db: Database;
  notifier: Notifier;
  temporal?: Client;
  taskQueue?: string;
  notifications?: NotificationSettings;
  allowPrivateWebhookTargets?: boolean;
}

export const deliveryWorkflowId = (key: string) => `notification-${key}`;

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

/**
 * Starts the delivery workflow of a queued notification, after the transaction that queued it. A
 * second start for the same key is refused by Temporal (REJECT_DUPLICATE), so a retried activity starts
 * nothing twice. A start that fails is left to the sweeper: the notification stays queued.
 */
export async function startDelivery(deps: NotificationDeps, key: string): Promise<void> {
  const { temporal, taskQueue } = deps;
  if (!temporal || !taskQueue) return;
  const input: NotificationDeliveryInput = {
    key,
    maxAttempts: deps.notifications?.maxAttempts ?? 8,
    retryMaxIntervalMs: deps.notifications?.retryMaxIntervalMs ?? 5 * 60_000,
  };
  try {
    await temporal.workflow.start(notificationDelivery, {
      workflowId: deliveryWorkflowId(key),
      taskQueue,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return;
    console.warn(`[notify] delivery of ${key} not started now (the sweeper will): ${(err as Error).message}`);
  }
}

export function createNotificationActivities(deps: NotificationDeps) {
  const { db, notifier } = deps;
  const senders = buildSenders(deps);
  return {
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

    /** Starts delivery workflows for notifications queued longer than `graceMs` ago and not taken yet. */
    async dispatchQueuedNotifications(input: { graceMs: number; batch: number }): Promise<number> {
      const rows = await db
        .select({ key: notifications.key })
        .from(notifications)
        .where(
          and(
            isNull(notifications.dispatchedAt),
            lt(notifications.createdAt, sql`now() - make_interval(secs => ${input.graceMs / 1000})`),
          ),
        )
        .orderBy(asc(notifications.createdAt))
        .limit(input.batch);
      for (const r of rows) await startDelivery(deps, r.key);
      return rows.length;
    },
  };
}
