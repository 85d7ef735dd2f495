// Open complaints by priority (issue 13, "complaints by priority"): per priority how many are open and
// how many overdue, and each complaint with its most urgent clock counting down — acknowledge, resolve,
// the progress update it owes, or a corrective action (docs/complaints.md, "Clocks"). Read from the
// complaint list (each summary carries its clocks); loaded when first opened, like the report views.
import { useEffect, useState } from 'react';
import { ApiError, api, type ComplaintList, type ComplaintSummary } from '../api';
import { Countdown, useNow } from '../components/Countdown';
import { useI18n } from '../i18n';
import { countdown, mostUrgent } from '../time';

/** The stages of an open complaint (docs/complaints.md); closed and withdrawn ones are done. */
const OPEN_COMPLAINT_STAGES = ['registered', 'investigating', 'answered', 'verifying'] as const;
const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
/** Per stage, the newest this many: a page of the list. */
const PER_STAGE = 100;

type Load =
  | { state: 'loading' }
  | { state: 'ok'; items: ComplaintSummary[]; more: boolean }
  | { state: 'forbidden' }
  | { state: 'failed'; detail: string };

type ComplaintClock = ComplaintSummary['clocks'][number];

/** A corrective action's clock (action:<id>) is shown under one name. */
const shownClock = (c: ComplaintClock): ComplaintClock =>
  c.name.startsWith('action:') ? { ...c, name: 'action' } : c;

/** Overdue now: one of its clocks runs past its deadline (an update owed, the resolve target passed …). */
const isOverdue = (c: ComplaintSummary, now: number) =>
  c.clocks.some((k) => countdown(k, now).kind === 'overdue');

export function Complaints() {
  const { t } = useI18n();
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [reload, setReload] = useState(0);
  const now = useNow(5000);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `reload` reads the lists again
  useEffect(() => {
    let current = true;
    Promise.all(
      OPEN_COMPLAINT_STAGES.map((stage) =>
        api<ComplaintList>(`/api/v1/complaints?stage=${stage}&limit=${PER_STAGE}`),
      ),
    ).then(
      (lists) =>
        current &&
        setLoad({
          state: 'ok',
          items: lists.flatMap((l) => l.items),
          more: lists.some((l) => l.nextCursor !== null),
        }),
      (err) => {
        if (!current) return;
        if (err instanceof ApiError && err.status === 403) setLoad({ state: 'forbidden' });
        else setLoad({ state: 'failed', detail: (err as Error).message });
      },
    );
    return () => {
      current = false;
    };
  }, [reload]);

  if (load.state !== 'ok')
    return (
      <section className="complaints" data-testid="complaints">
        {load.state === 'loading' ? (
          <p className="muted">{t('board.loading')}</p>
        ) : (
          <div
            className={`notice notice-${load.state}`}
            data-testid="complaints-state"
            data-state={load.state}
          >
            {load.state === 'forbidden'
              ? t('complaints.forbidden')
              : t('report.failed', { detail: load.detail })}
          </div>
        )}
      </section>
    );

  // Most urgent first: overdue (most overdue on top), then by time left; paused and stopped last.
  const urgency = (c: ComplaintSummary) => {
    const clock = mostUrgent(c.clocks, now);
    if (!clock?.deadline) return Number.MAX_SAFE_INTEGER;
    return Date.parse(clock.deadline) - now;
  };
  return (
    <section className="complaints" data-testid="complaints">
      <div className="tiles">
        {PRIORITIES.map((p) => {
          const open = load.items.filter((c) => c.priority === p);
          const overdue = open.filter((c) => isOverdue(c, now)).length;
          return (
            <div key={p} className={`tile ${overdue > 0 ? 'alarm' : ''}`} data-testid={`complaint-tile-${p}`}>
              <div className="tile-value">
                <span data-testid="open">{open.length}</span>
                <span className="tile-sub" data-testid="overdue">
                  {' '}
                  / {t('complaints.overdueN', { n: overdue })}
                </span>
              </div>
              <div className="tile-label">{t('complaints.openOf', { p })}</div>
            </div>
          );
        })}
        <button type="button" className="link" onClick={() => setReload((n) => n + 1)}>
          {t('report.refresh')}
        </button>
      </div>
      {load.more && <p className="muted small">{t('complaints.more', { n: PER_STAGE })}</p>}
      <div className="columns">
        {PRIORITIES.map((p) => {
          const inPriority = load.items
            .filter((c) => c.priority === p)
            .sort((a, b) => urgency(a) - urgency(b));
          return (
            <div className="column" key={p} data-testid={`complaints-${p}`}>
              <h3>
                {p} <span className="count">{inPriority.length}</span>
              </h3>
              {inPriority.length === 0 && <p className="muted small">{t('board.empty')}</p>}
              {inPriority.map((c) => (
                <ComplaintCard key={c.id} c={c} now={now} />
              ))}
            </div>
          );
        })}
      </div>
    </section>
  );
}

function ComplaintCard({ c, now }: { c: ComplaintSummary; now: number }) {
  const { t } = useI18n();
  const clock = mostUrgent(c.clocks, now);
  const overdue = isOverdue(c, now);
  return (
    <div
      className={`card complaint-card ${overdue ? 'breached' : ''}`}
      data-testid={`complaint-${c.id}`}
      data-overdue={overdue}
    >
      <div className="card-head">
        <strong>{c.id}</strong>
        <span className="badge">{t(`complaintStage.${c.stage}`)}</span>
      </div>
      <div className="card-body">
        <div>{c.customer.name}</div>
        <div className="muted small">{c.product.model}</div>
        <div className="muted small">
          {c.owner ?? t('complaints.desk', { d: t(`department.${c.department}`) })}
        </div>
      </div>
      <div className="card-foot">
        {clock ? (
          <Countdown clock={shownClock(clock)} />
        ) : (
          <span className="muted small">{t('board.noClock')}</span>
        )}
      </div>
    </div>
  );
}
