// A live SLA countdown: re-renders every second from the clock's deadline, turning red once overdue.
import { useEffect, useState } from 'react';
import { useI18n } from '../i18n';
import { type ClockLike, countdown, formatDuration } from '../time';

/** The current time, updated every second while mounted. */
export function useNow(periodMs = 1000) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(timer);
  }, [periodMs]);
  return now;
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
