// One case: who and what, its SLA clocks counting down with their escalation steps, the escalations
// that fired, and the timeline of every transition. Reloaded whenever an event of the case arrives.
import { useEffect, useState } from 'react';
import { ApiError, api, type Case } from '../api';
import { Countdown } from '../components/Countdown';
import { useI18n } from '../i18n';
import { formatDuration } from '../time';
import { stepName } from './Board';

export function CaseDetail({ id, version }: { id: string; version: number }) {
  const { t, lang } = useI18n();
  const [c, setCase] = useState<Case | null>(null);
  const [error, setError] = useState<string | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` changes when the case has news
  useEffect(() => {
    let current = true;
    api<Case>(`/api/v1/cases/${id}`).then(
      (found) => {
        if (!current) return;
        setCase(found);
        setError(null);
      },
      (err) => {
        if (!current) return;
        setError(err instanceof ApiError && err.status === 404 ? t('case.notFound') : (err as Error).message);
      },
    );
    return () => {
      current = false;
    };
  }, [id, version, t]);

  const time = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString(lang) : '—');
  // Whole hours and days as such; anything finer (minutes, seconds) as a duration.
  const target = ({ amount, unit }: { amount: number; unit: string }) =>
    unit === 'working_days' || Number.isInteger(amount)
      ? t(`unit.${unit}`, { n: amount })
      : t(`unit.${unit}.exact`, { t: formatDuration(amount * 3_600_000, lang === 'en' ? 'd' : '天') });
  if (error)
    return (
      <section className="case">
        <a href="#/">← {t('case.back')}</a>
        <p className="error" data-testid="case-error">
          {error}
        </p>
      </section>
    );
  if (!c || c.id !== id) return <p className="muted">{t('board.loading')}</p>;

  return (
    <section className="case" data-testid="case-detail" data-case={c.id}>
      <a href="#/">← {t('case.back')}</a>
      <h2>
        {c.id} <span className={`badge stage`}>{t(`stage.${c.stage}`)}</span>{' '}
        <span className={`badge severity-${c.severity}`}>{t(`severity.${c.severity}`)}</span>
        {c.breached && <span className="badge level-2">{t('state.breached')}</span>}
      </h2>
      <dl className="facts">
        <dt>{t('case.customer')}</dt>
        <dd>{c.customer.name}</dd>
        <dt>{t('case.product')}</dt>
        <dd>
          {c.product.model} · {c.product.serialNumber}
        </dd>
        <dt>{t('case.problem')}</dt>
        <dd>{c.problem.description}</dd>
        <dt>{t('case.assignee')}</dt>
        <dd>{c.assignee ?? t('unassigned')}</dd>
        <dt>{t('case.reported')}</dt>
        <dd>{time(c.reportedAt)}</dd>
        <dt>{t('case.policy')}</dt>
        <dd>{c.sla ? `${c.sla.policy.name} v${c.sla.policy.version} · ${c.sla.calendar.name}` : '—'}</dd>
      </dl>

      <h3>{t('case.clocks')}</h3>
      <table className="clocks" data-testid="clocks">
        <thead>
          <tr>
            <th />
            <th>{t('case.target')}</th>
            <th>{t('case.state')}</th>
            <th>{t('case.deadline')}</th>
            <th>{t('case.remaining')}</th>
            <th>{t('case.steps')}</th>
          </tr>
        </thead>
        <tbody>
          {c.clocks.map((clock) => (
            <tr
              key={clock.name}
              data-testid={`clock-${clock.name}`}
              className={clock.breached ? 'breached' : ''}
            >
              <th>{t(`clock.${clock.name}`)}</th>
              <td>{target(clock.target)}</td>
              <td>{t(`state.${clock.state}`)}</td>
              <td>{time(clock.deadline)}</td>
              <td>
                <Countdown clock={clock} withName={false} />
              </td>
              <td className="steps">
                {clock.steps.map((s) => (
                  <span key={s.level} className={`step ${s.firedAt ? 'fired' : ''}`}>
                    {stepName(t, s.name)} {s.firedAt ? `✓ ${time(s.firedAt)}` : s.dueAt ? time(s.dueAt) : '—'}
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3>{t('case.escalations')}</h3>
      {c.escalations.length === 0 ? (
        <p className="muted small">{t('feed.empty')}</p>
      ) : (
        <ul className="escalations" data-testid="case-escalations">
          {c.escalations.map((e) => (
            <li key={e.id} className={`feed-item level-${Math.min(e.level, 3)}`}>
              {t(`clock.${e.clock}`)} {stepName(t, e.name)} · {t('level.n', { n: e.level })} ·{' '}
              {time(e.firedAt)} · {t('feed.to', { who: e.recipient })}
            </li>
          ))}
        </ul>
      )}

      <h3>{t('case.timeline')}</h3>
      <ol className="timeline" data-testid="timeline">
        {c.timeline.map((e) => (
          <li
            key={e.seq}
            data-testid={`timeline-${e.seq}`}
            className={e.type.startsWith('sla_') ? 'sla' : ''}
          >
            <span className="when">{time(e.at)}</span>
            <span className="what">{t(`transition.${e.type}`)}</span>
            {e.fromStage !== e.toStage && (
              <span className="muted small">
                {e.fromStage ? `${t(`stage.${e.fromStage}`)} → ` : ''}
                {t(`stage.${e.toStage}`)}
              </span>
            )}
            <span className="muted small">{e.actor}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
