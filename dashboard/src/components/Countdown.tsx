// A live SLA countdown: re-renders every second from the clock's deadline, turning red once overdue.
// Every countdown on the page reads one shared ticker, so a board of hundreds of cards re-renders its
// countdowns in one pass per second instead of hundreds of timers each rendering on its own.
import { useSyncExternalStore } from 'react';
import { useI18n } from '../i18n';
import { type ClockLike, countdown, formatDuration } from '../time';

interface Ticker {
  subscribe(onTick: () => void): () => void;
  now(): number;
}

/** One timer per period for every component that follows it; stopped while nobody does. */
function ticker(periodMs: number): Ticker {
  let now = Date.now();
  let timer: ReturnType<typeof setInterval> | undefined;
  const listeners = new Set<() => void>();
  return {
    subscribe(onTick) {
      if (listeners.size === 0) {
        timer = setInterval(() => {
          now = Date.now();
          for (const l of listeners) l();
        }, periodMs);
      }
      listeners.add(onTick);
      return () => {
        listeners.delete(onTick);
        if (listeners.size === 0) clearInterval(timer);
      };
    },
    // Idle, it moves on when read at least a period later; it never changes between two reads of one
    // render, and the first subscriber does not change it (that would render every follower again).
    now() {
      if (listeners.size === 0 && Date.now() - now >= periodMs) now = Date.now();
      return now;
    },
  };
}

const tickers = new Map<number, Ticker>();

/** The current time, updated every `periodMs` (one second by default) while mounted. */
export function useNow(periodMs = 1000) {
  let t = tickers.get(periodMs);
  if (!t) {
    t = ticker(periodMs);
    tickers.set(periodMs, t);
  }
  return useSyncExternalStore(t.subscribe, t.now);
}

export function Countdown({ clock, withName = true }: { clock: ClockLike; withName?: boolean }) {
  const { t, lang } = useI18n();
  const now = useNow();
  const d = countdown(clock, now);
  const dayUnit = lang === 'en' ? 'd' : '天';
  const name = withName ? `${t(`clock.${clock.name}`)} ` : '';
  let text: string;
  if (d.kind === 'left') text = t('clock.left', { t: formatDuration(d.ms, dayUnit) });
  else if (d.kind === 'overdue') text = t('clock.overdue', { t: formatDuration(d.ms, dayUnit) });
  else if (d.kind === 'paused') text = `${t('clock.paused')} · ${formatDuration(d.ms, dayUnit)}`;
  else text = d.met ? t('clock.met') : t('clock.stopped');
  return (
    <span className={`countdown countdown-${d.kind}`} data-testid="countdown" data-kind={d.kind}>
      {name}
      {text}
    </span>
  );
}
