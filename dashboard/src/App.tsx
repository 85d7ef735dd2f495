// The dashboard shell: sign-in, navigation (hash routes), the language switch, and the board's data —
// the open cases with their clocks and the latest escalations — kept current by the live event stream.
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  ApiError,
  api,
  type Case,
  type CaseList,
  type CaseStreamEvent,
  type CaseSummary,
  type Escalation,
  forgetKey,
  inBatches,
  OPEN_STAGES,
  storedKey,
  storeKey,
} from './api';
import { arrivedFirstReads, boardEscalations, boardLists, type EscalationsRead } from './board-reads';
import { I18n, type Lang, storedLang, storeLang, translator } from './i18n';
import { connectLive, type LiveState } from './live';
import { Board } from './views/Board';
import { CaseDetail } from './views/CaseDetail';
import { SignIn } from './views/SignIn';

// The report views draw with ECharts, most of the app's code: loaded when first opened, so the board
// (the page a manager opens first) does not wait for it (bench/README.md, "dashboard first load").
const Kpis = lazy(() => import('./views/Kpis').then((m) => ({ default: m.Kpis })));
const Budget = lazy(() => import('./views/Budget').then((m) => ({ default: m.Budget })));
// Open complaints by priority: their own view, loaded when opened (the board's first load is measured).
const Complaints = lazy(() => import('./views/Complaints').then((m) => ({ default: m.Complaints })));

export interface BoardData {
  loaded: boolean;
  /** Open cases as the list shows them (a case the live stream changed: as the case read in full). */
  cases: Map<string, CaseSummary>;
  /** Stages with more open cases than the board shows. */
  more: Set<string>;
  escalations: Escalation[] | 'forbidden';
  escalationsToday: number | null;
  /** Cases that just changed, highlighted for a moment. */
  flashing: Set<string>;
}

type Route =
  | { view: 'board' }
  | { view: 'complaints' }
  | { view: 'kpis' }
  | { view: 'budget' }
  | { view: 'case'; id: string };

function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '');
  const caseMatch = /^cases\/([A-Za-z0-9]+)$/.exec(path);
  if (caseMatch) return { view: 'case', id: caseMatch[1] };
  if (path === 'complaints') return { view: 'complaints' };
  if (path === 'kpis') return { view: 'kpis' };
  if (path === 'budget') return { view: 'budget' };
  return { view: 'board' };
}

function useRoute() {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}

const isOpen = (c: CaseSummary) => OPEN_STAGES.includes(c.stage);

/** What a summary read before was, as text: a case read again unchanged keeps its object. */
const asRead = new WeakMap<CaseSummary, string>();

/**
 * The open cases of fresh list pages, each case that reads as before as the object the board has: its
 * card (memoised) is not drawn again. The board reads every list twice on a first load (at once, then
 * when the live stream is ready), and the second read mostly finds nothing changed.
 */
function keepUnchanged(before: Map<string, CaseSummary>, read: CaseSummary[]) {
  const cases = new Map<string, CaseSummary>();
  for (const c of read) {
    if (!isOpen(c)) continue;
    const text = JSON.stringify(c);
    const old = before.get(c.id);
    if (old && asRead.get(old) === text) cases.set(c.id, old);
    else {
      asRead.set(c, text);
      cases.set(c.id, c);
    }
  }
  return cases;
}

/** The board with fresh list pages (in OPEN_STAGES order); the same object when nothing changed. */
function withLists(b: BoardData, lists: CaseList[]): BoardData {
  const more = new Set(OPEN_STAGES.filter((_s, i) => lists[i].nextCursor !== null));
  const cases = keepUnchanged(
    b.cases,
    lists.flatMap((l) => l.items),
  );
  const sameMore = more.size === b.more.size && [...more].every((s) => b.more.has(s));
  const sameCases = cases.size === b.cases.size && [...cases].every(([id, c]) => b.cases.get(id) === c);
  // Nothing changed: the same state, so nothing renders again.
  if (b.loaded && sameCases && sameMore) return b;
  return { ...b, loaded: true, cases, more };
}

function withEscalations(b: BoardData, { latest, today }: EscalationsRead): BoardData {
  return { ...b, escalations: latest, escalationsToday: latest === 'forbidden' ? b.escalationsToday : today };
}

/** The board before anything is read; with what the boot reads (main.tsx) answered already, if any. */
function initialBoard(arrived: ReturnType<typeof arrivedFirstReads>): BoardData {
  let b: BoardData = {
    loaded: false,
    cases: new Map(),
    more: new Set(),
    escalations: [],
    escalationsToday: null,
    flashing: new Set(),
  };
  if (arrived.lists) b = withLists(b, arrived.lists);
  if (arrived.escalations) b = withEscalations(b, arrived.escalations);
  return b;
}

/** A notice of an event, translated when shown (the language may change while it is up). */
interface Toast {
  id: number;
  message: string;
  params: Record<string, string | number>;
  tone: 'info' | 'alarm';
}

function toastText(t: (k: string, p?: Record<string, string | number>) => string, x: Toast) {
  const p = x.params;
  if (x.message !== 'toast.escalation') return t(x.message, p);
  return t(x.message, {
    case: p.case,
    clock: t(`clock.${p.clock}`),
    kind: t(`kind.${p.kind}`),
    level: t('level.n', { n: p.level }),
  });
}

export function App() {
  const [lang, setLang] = useState<Lang>(storedLang);
  const i18n = useMemo(() => ({ lang, t: translator(lang) }), [lang]);
  const { t } = i18n;
  const [key, setKey] = useState(storedKey);
  const route = useRoute();
  const [live, setLive] = useState<LiveState>('connecting');
  // The boot reads that had answered by the first render are shown by it (the board's first screen
  // in the app's first render), and not read again when the app mounts.
  const boot = useRef<ReturnType<typeof arrivedFirstReads> | null>(null);
  if (boot.current === null) boot.current = key ? arrivedFirstReads() : {};
  const [board, setBoard] = useState<BoardData>(() => initialBoard(boot.current ?? {}));
  /** Bumped per case on every event, so an open case page reloads itself. */
  const [caseVersions, setCaseVersions] = useState<Record<string, number>>({});
  const [toasts, setToasts] = useState<Toast[]>([]);
  const toastId = useRef(0);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = `${t('title')} · shouhou`;
  }, [lang, t]);

  const signOut = useCallback(() => {
    forgetKey();
    setKey(null);
  }, []);

  const toast = useCallback((message: string, params: Toast['params'], tone: Toast['tone']) => {
    const id = ++toastId.current;
    setToasts((all) => [...all.slice(-3), { id, message, params, tone }]);
    setTimeout(() => setToasts((all) => all.filter((x) => x.id !== id)), 8000);
  }, []);

  const loadEscalations = useCallback(async () => {
    const read = await boardEscalations();
    setBoard((b) => withEscalations(b, read));
  }, []);

  // Board reads may overlap (the first paint and the read when the stream is ready): a read is shown
  // when it answers, unless a read started after it is shown already — an earlier read that answers
  // late cannot put older lists back, and the first paint does not wait for a later read.
  const boardReads = useRef(0);
  const boardShown = useRef(0);
  const loadBoard = useCallback(async () => {
    const read = ++boardReads.current;
    // The list pages alone: each summary carries its clocks (slaClocks), so no case is read in full.
    const lists = await boardLists();
    if (read < boardShown.current) return;
    boardShown.current = read;
    setBoard((b) => withLists(b, lists));
  }, []);

  // Events of one case arriving together are read as one fetch of the case.
  const pending = useRef(new Set<string>());
  const flushTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const refreshCases = useCallback(() => {
    const ids = [...pending.current];
    pending.current.clear();
    void inBatches(ids, 4, async (id) => {
      // A case that is gone (404: or no longer ours to see) leaves the board; other failures keep
      // what the board has, and a refused key signs out.
      const c = await api<Case>(`/api/v1/cases/${id}`).catch((err) => {
        if (err instanceof ApiError && err.status === 401) signOut();
        return err instanceof ApiError && err.status === 404 ? null : undefined;
      });
      if (c === undefined) return;
      setBoard((b) => {
        const cases = new Map(b.cases);
        if (c && isOpen(c)) cases.set(id, c);
        else cases.delete(id);
        return { ...b, cases, flashing: new Set([...b.flashing, id]) };
      });
      setTimeout(
        () =>
          setBoard((b) => {
            const flashing = new Set(b.flashing);
            flashing.delete(id);
            return { ...b, flashing };
          }),
        4000,
      );
    });
  }, [signOut]);

  const onEvent = useCallback(
    (e: CaseStreamEvent) => {
      pending.current.add(e.caseId);
      clearTimeout(flushTimer.current);
      flushTimer.current = setTimeout(refreshCases, 250);
      setCaseVersions((v) => ({ ...v, [e.caseId]: (v[e.caseId] ?? 0) + 1 }));
      if (e.escalation) {
        const { clock, kind, level } = e.escalation;
        toast('toast.escalation', { case: e.caseId, clock, kind, level }, 'alarm');
        void loadEscalations().catch(() => {});
      } else if (e.transition === 'created') {
        toast('toast.created', { case: e.caseId }, 'info');
      }
    },
    [refreshCases, loadEscalations, toast],
  );

  useEffect(() => {
    if (!key) return;
    // The first paint does not wait for the live stream (its ticket and connection took ~230 ms of a
    // ~1.1 s first load, bench/README.md "queries"): the board is read at once, in parallel. What
    // changes between that read and the stream's start is not in the stream, so the board is read
    // again when a fresh stream is ready; from then on events keep it current.
    const failed = (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) signOut();
    };
    const arrived = boot.current ?? {};
    boot.current = {};
    if (!arrived.lists) void loadBoard().catch(failed);
    if (!arrived.escalations) void loadEscalations().catch(() => {});
    return connectLive({
      onState: setLive,
      onUnauthorized: signOut,
      onEvent,
      // A fresh stream: load the board as it stands (events from here on keep it current); a
      // resumed one replays what it missed, so the board needs no reload.
      onReady: (resumed) => {
        if (resumed) return;
        void loadBoard().catch((err) => {
          if (err instanceof ApiError && err.status === 401) signOut();
        });
        void loadEscalations().catch(() => {});
      },
    });
  }, [key, onEvent, loadBoard, loadEscalations, signOut]);

  const switchLang = () => {
    const next: Lang = lang === 'zh-CN' ? 'en' : 'zh-CN';
    storeLang(next);
    setLang(next);
  };

  if (!key) {
    return (
      <I18n.Provider value={i18n}>
        <SignIn
          onSignedIn={(k) => {
            storeKey(k);
            setKey(k);
          }}
          onSwitchLang={switchLang}
        />
      </I18n.Provider>
    );
  }

  const nav = (href: string, label: string, active: boolean) => (
    <a href={href} className={active ? 'active' : ''} data-testid={`nav-${href.slice(2) || 'board'}`}>
      {label}
    </a>
  );
  return (
    <I18n.Provider value={i18n}>
      <header className="top">
        <h1>{t('title')}</h1>
        <nav>
          {nav('#/', t('nav.board'), route.view === 'board' || route.view === 'case')}
          {nav('#/complaints', t('nav.complaints'), route.view === 'complaints')}
          {nav('#/kpis', t('nav.kpis'), route.view === 'kpis')}
          {nav('#/budget', t('nav.budget'), route.view === 'budget')}
        </nav>
        <span className={`live live-${live}`} data-testid="live-state" data-state={live}>
          ● {t(`live.${live}`)}
        </span>
        <button type="button" className="link" onClick={switchLang} data-testid="switch-lang">
          {t('language')}
        </button>
        <button type="button" className="link" onClick={signOut} data-testid="sign-out">
          {t('signOut')}
        </button>
      </header>
      <main>
        {route.view === 'board' && <Board data={board} />}
        {route.view === 'case' && <CaseDetail id={route.id} version={caseVersions[route.id] ?? 0} />}
        <Suspense fallback={<p className="muted">{t('board.loading')}</p>}>
          {route.view === 'complaints' && <Complaints />}
          {route.view === 'kpis' && <Kpis />}
          {route.view === 'budget' && <Budget />}
        </Suspense>
      </main>
      <div className="toasts" aria-live="polite">
        {toasts.map((x) => (
          <div key={x.id} className={`toast toast-${x.tone}`} data-testid="toast">
            {toastText(t, x)}
          </div>
        ))}
      </div>
    </I18n.Provider>
  );
}
