// Where notifications leave the system. The default writes them to the log; webhooks, SMS and
// e-mail plug in here without touching workflows.
export interface Notification {
  key: string;
  caseId: string;
  kind: string;
  recipient: string;
  payload: Record<string, unknown>;
}

export interface Notifier {
  send(notification: Notification): Promise<void>;
}

export const logNotifier: Notifier = {
  async send(n) {
    console.log(`[notify] ${n.kind} → ${n.recipient} (case ${n.caseId})`);
  },
};
