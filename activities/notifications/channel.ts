// What every channel module implements. A channel either delivers or throws: ChannelUnavailable when it
// cannot reach this person at all (no address, nothing configured — falling back is the only answer),
// any other error when the attempt failed and may succeed later (the activity is retried).
import type { Channel, TeamRobots } from '../../domain/people/channels.js';

export interface Addressee {
  id: string;
  name: string;
  email: string | null;
  mobile: string | null;
  wecomId: string | null;
  dingtalkId: string | null;
  feishuId: string | null;
  /** The robots of the person's team's chat groups. */
  robots: TeamRobots;
}

export interface OutgoingMessage {
  kind: string;
  /** Null for a notification about a purchase order without a case (the title names the order). */
  caseId: string | null;
  severity: string | null;
  title: string;
  body: string;
}

export interface ChannelSender {
  send(to: Addressee, message: OutgoingMessage): Promise<void>;
}

export type ChannelSenders = Partial<Record<Channel, ChannelSender>>;

export class ChannelUnavailable extends Error {
  override name = 'ChannelUnavailable';
}

export const HTTP_TIMEOUT_MS = 10_000;
