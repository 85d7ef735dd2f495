// Open cases by stage, each card with its most urgent SLA clock counting down live, and the latest
// warnings and escalations beside them. Kept current by the live event stream (App.tsx).
// Drawn cheaply (bench/README.md, "queries"): a card renders again only when its case or its most
// urgent clock changes — the countdowns tick on their own, from one shared timer. On its first load it
// draws the cards the window shows first and the rest in the frames after (first-screen.ts).
import { memo, useEffect, useRef, useState } from 'react';
import type { BoardData } from '../App';
import { type CaseSummary, OPEN_STAGES } from '../api';
import { Countdown, useNow } from '../components/Countdown';
import { firstScreenCards, type ScreenGeometry } from '../first-screen';
import { useI18n } from '../i18n';
import { mostUrgent, timeOfDay } from '../time';

type CardClock = CaseSummary['slaClocks'][number];

/** The board renders only when its data changes (not when the shell's live state or notices do). */
export const Board = memo(function Board({ data }: { data: BoardData }) {
  const { t } = useI18n();
  const now = useNow(5000);
  const cases = [...data.cases.values()];
  // Each case's most urgent clock, once per render: the sort and the card use the same one.
  const urgent = new Map(cases.map((c) => [c.id, mostUrgent(c.slaClocks, now)]));
  const breached = cases.filter((c) => c.breached).length;
  const byStage = OPEN_STAGES.map((stage) =>
    cases
      .filter((c) => c.stage === stage)
      .sort((a, b) => urgency(urgent.get(a.id), now) - urgency(urgent.get(b.id), now)),
  );
  // Until the first screen has been painted, only the cards it shows; then all of them in one render.
  // Not as a transition: the countdowns' tick every second is an urgent update, which restarts a
  // transition's render — under load the rest of the board then came seconds late.
  const columns = useRef<HTMLDivElement>(null);
  const [all, setAll] = useState(false);
  useEffect(() => {
    if (!data.loaded || all) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The frame that paints the first screen, then a task after its paint.
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setAll(true));
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [data.loaded, all]);
  const drawn = all
    ? byStage.map((s) => s.length)
    : firstScreenCards(
        byStage.map((s) => s.length),
        geometry(columns.current),
      );
  return (
    <div className="board-layout">
      <section className="board">
        <div className="tiles">
          <Tile label={t('board.open')} value={data.loaded ? String(cases.length) : '…'} testId="tile-open" />
          <Tile
            label={t('board.breached')}
            value={data.loaded ? String(breached) : '…'}
            tone={breached > 0 ? 'alarm' : undefined}
            testId="tile-breached"
          />
          <Tile
            label={t('board.escalationsToday')}
            value={data.escalationsToday === null ? '—' : String(data.escalationsToday)}
            testId="tile-escalations"
          />
        </div>
        {!data.loaded && <p className="muted">{t('board.loading')}</p>}
        <div className="columns" ref={columns}>
          {OPEN_STAGES.map((stage, i) => {
            const inStage = byStage[i];
            return (
              <div className="column" key={stage} data-testid={`stage-${stage}`}>
                <h3>
                  {t(`stage.${stage}`)} <span className="count">{inStage.length}</span>
                </h3>
                {inStage.length === 0 && <p className="muted small">{t('board.empty')}</p>}
                {inStage.slice(0, drawn[i]).map((c) => (
                  <CaseCard key={c.id} c={c} clock={urgent.get(c.id)} flashing={data.flashing.has(c.id)} />
                ))}
                {data.more.has(stage) && (
                  <p className="muted small">{t('board.more', { n: inStage.length })}</p>
                )}
              </div>
            );
          })}
        </div>
      </section>
      <Feed data={data} />
    </div>
  );
});

/**
 * Where the grid of columns stands in the window, read from the page as it is when the board was
 * mounted empty before its lists arrived. A board whose first render has its data (the lists answered
 * before the app started, or back from a case) has no grid yet: it takes the grid at the window's top,
 * which draws a few cards more than needed while the page is scrolled to its top.
 */
function geometry(grid: HTMLElement | null): ScreenGeometry {
  if (!grid) return { viewportHeight: window.innerHeight, columnsTop: 0, perRow: 4 };
  const tracks = getComputedStyle(grid).gridTemplateColumns.split(' ').filter(Boolean).length;
  return {
    viewportHeight: window.innerHeight,
    columnsTop: grid.getBoundingClientRect().top,
    perRow: tracks || 4,
  };
}

/** Sort key: overdue first (most overdue on top), then by time left. */
function urgency(clock: CardClock | undefined, now: number) {
  if (!clock?.deadline) return Number.MAX_SAFE_INTEGER;
  return Date.parse(clock.deadline) - now;
}

function Tile({
  label,
  value,
  tone,
  testId,
}: {
  label: string;
  value: string;
  tone?: 'alarm';
  testId: string;
}) {
  return (
    <div className={`tile ${tone ?? ''}`} data-testid={testId}>
      <div className="tile-value">{value}</div>
      <div className="tile-label">{label}</div>
    </div>
  );
}

const CaseCard = memo(function CaseCard({
  c,
  clock,
  flashing,
}: {
  c: CaseSummary;
  clock: CardClock | undefined;
  flashing: boolean;
}) {
  const { t } = useI18n();
  const level = c.escalationLevel;
  return (
    <a
      href={`#/cases/${c.id}`}
      className={`card ${c.breached ? 'breached' : ''} ${flashing ? 'flash' : ''}`}
      data-testid={`case-${c.id}`}
      data-breached={c.breached}
    >
      <div className="card-head">
        <strong>{c.id}</strong>
        <span className={`badge severity-${c.severity}`}>{t(`severity.${c.severity}`)}</span>
      </div>
      <div className="card-body">
        <div>{c.customer.name}</div>
        <div className="muted small">{c.product.model}</div>
        <div className="muted small">{c.assignee ?? t('unassigned')}</div>
      </div>
      <div className="card-foot">
        {clock ? <Countdown clock={clock} /> : <span className="muted small">{t('board.noClock')}</span>}
        {level !== null && (
          <span className={`badge level-${Math.min(level, 3)}`} data-testid="card-escalation">
            {t('level.n', { n: level })}
          </span>
        )}
      </div>
    </a>
  );
});

/** A step of the policy's ladder by its name: the default ladder's names translated, others as written. */
export const stepName = (t: (k: string) => string, name: string) => {
  const key = `step.${name}`;
  const text = t(key);
  return text === key ? name : text;
};

function Feed({ data }: { data: BoardData }) {
  const { t, lang } = useI18n();
  return (
    <aside className="feed" data-testid="escalation-feed">
      <h3>{t('feed.title')}</h3>
      {data.escalations === 'forbidden' ? (
        <p className="muted small">{t('feed.forbidden')}</p>
      ) : data.escalations.length === 0 ? (
        <p className="muted small">{t('feed.empty')}</p>
      ) : (
        <ul>
          {data.escalations.map((e) => {
            return (
              <li
                key={e.id}
                className={`feed-item level-${Math.min(e.level, 3)}`}
                data-testid={`escalation-${e.id}`}
              >
                <a href={`#/cases/${e.caseId}`}>{e.caseId}</a>{' '}
                <span>
                  {t(`clock.${e.clock}`)} {stepName(t, e.name)} · {t('level.n', { n: e.level })}
                </span>
                <div className="muted small">
                  {timeOfDay(new Date(e.firedAt), lang)} · {t('feed.to', { who: e.recipient })}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </aside>
  );
}
