// The channels a notification reaches a person through, per-person preferences and quiet hours. Pure.
import { localDateOf, zonedTime } from '../calendar.js';

/** Push channels, tried in the order a person prefers; the in-app inbox always gets the message too. */
export const CHANNELS = ['email', 'wecom', 'dingtalk', 'feishu', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];
export const isChannel = (v: string): v is Channel => (CHANNELS as readonly string[]).includes(v);

/** Used when a person states no preference for a kind of event. */
export const DEFAULT_CHANNELS: readonly Channel[] = ['email', 'wecom', 'dingtalk', 'feishu', 'sms'];

export interface QuietHours {
  /** 'HH:MM' local; a window may wrap midnight (22:00–07:00). */
  start: string;
  end: string;
  /** IANA zone; default Asia/Shanghai. */
  timeZone?: string;
}

export interface Preferences {
  /** Channels per kind of event (`sla.warning`, `case.assigned`…, or `default`), in fallback order. */
  channels?: Record<string, Channel[]>;
  quietHours?: QuietHours | null;
}

/** The chat-group robots of a team (their webhook addresses and signing secrets). */
export interface TeamRobots {
  wecom?: { url: string };
  dingtalk?: { url: string; secret?: string };
  feishu?: { url: string; secret?: string };
}

/** The channels for one kind of event, in order: the kind's own list, else the default list. */
export function channelsFor(prefs: Preferences, kind: string): Channel[] {
  const list = prefs.channels?.[kind] ?? prefs.channels?.default ?? DEFAULT_CHANNELS;
  return [...new Set(list)].filter(isChannel);
}

export const HHMM = /^(?:[01][0-9]|2[0-3]):[0-5][0-9]$/;

/**
 * When quiet hours hold `at`, the instant they end; otherwise null. Emergencies ignore quiet hours: the
 * caller does not ask for them.
 */
export function quietUntil(q: QuietHours | null | undefined, at: Date): Date | null {
  if (!q || q.start === q.end) return null;
  const zone = q.timeZone ?? 'Asia/Shanghai';
  const today = localDateOf(zone, at);
  const yesterday = localDateOf(zone, new Date(zonedTime(zone, today, '00:00').getTime() - 3_600_000));
  const tomorrow = localDateOf(zone, new Date(zonedTime(zone, today, '24:00').getTime() + 3_600_000));
  const wraps = q.start > q.end;
  // The windows that could hold `at`: one starting yesterday (when it wraps) and one starting today.
  const windows: [Date, Date][] = wraps
    ? [
        [zonedTime(zone, yesterday, q.start), zonedTime(zone, today, q.end)],
        [zonedTime(zone, today, q.start), zonedTime(zone, tomorrow, q.end)],
      ]
    : [[zonedTime(zone, today, q.start), zonedTime(zone, today, q.end)]];
  for (const [from, to] of windows) if (at >= from && at < to) return to;
  return null;
}
