// Where notifications leave the system. The default writes them to the log; webhooks, SMS and
// e-mail plug in here without touching workflows.
export interface Notification {
  key: string;
  /** The case (complaint, quality issue) it is about; null for a reorder purchase order's. */
  caseId: string | null;
  /** The purchase order it is about, if any. */
  purchaseOrderId?: string | null;
  kind: string;
  recipient: string;
  payload: Record<string, unknown>;
  /** The dispatcher workflow that will deliver it (activities/notifications/dispatch.ts). */
  dispatcher?: string | null;
}

export interface Notifier {
  send(notification: Notification): Promise<void>;
}

export const logNotifier: Notifier = {
  async send(n) {
    console.log(
      `[notify] ${n.kind} → ${n.recipient} (${n.caseId ? `case ${n.caseId}` : `purchase order ${n.purchaseOrderId}`})`,
    );
  },
};
