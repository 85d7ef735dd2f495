// What the board reads: the newest open cases of each stage (one list page per stage; each summary
// carries its clocks) and the latest escalations. No React here: main.tsx starts the first reads
// before the app's code has loaded, so they travel while React starts (bench/README.md, "queries").
import { ApiError, api, type CaseList, type Escalation, OPEN_STAGES, storedKey } from './api';

/** Newest cases per stage the board loads: one list page per stage, each case with its clocks. */
export const PER_STAGE = 30;

export interface EscalationsRead {
  latest: Escalation[] | 'forbidden';
  /** Escalations fired since midnight (100 and more reads as 101); null when forbidden. */
  today: number | null;
}

/** The list page of every open stage, in OPEN_STAGES order. */
export const readBoardLists = (): Promise<CaseList[]> =>
  Promise.all(OPEN_STAGES.map((stage) => api<CaseList>(`/api/v1/cases?stage=${stage}&limit=${PER_STAGE}`)));

const startOfToday = () => {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
};

/** The latest escalations and today's count; a role that may not read them gets 'forbidden'. */
export async function readEscalations(): Promise<EscalationsRead> {
  try {
    const [latest, today] = await Promise.all([
      api<{ items: Escalation[] }>('/api/v1/escalations?limit=20'),
      api<{ items: Escalation[]; nextCursor: string | null }>(
        `/api/v1/escalations?limit=100&from=${encodeURIComponent(startOfToday())}`,
      ),
    ]);
    return { latest: latest.items, today: today.items.length + (today.nextCursor ? 1 : 0) };
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) return { latest: 'forbidden', today: null };
    throw err;
  }
}

/** The reads main.tsx started, with the key they were made with; each taken once. */
let first: {
  key: string;
  lists?: Promise<CaseList[]>;
  escalations?: Promise<EscalationsRead>;
  /** What they answered, once they have (the app's first render can show it at once). */
  listsAnswer?: CaseList[];
  escalationsAnswer?: EscalationsRead;
} | null = null;

/** Starts the board's reads at once when the tab's session holds a key (a signed-in reload or tab). */
export function startFirstReads() {
  const key = storedKey();
  if (!key) return;
  const reads: NonNullable<typeof first> = { key, lists: readBoardLists(), escalations: readEscalations() };
  first = reads;
  reads.lists?.then(
    (answer) => {
      reads.listsAnswer = answer;
    },
    // Whoever takes them handles their failures; until then they are not unhandled rejections.
    () => {},
  );
  reads.escalations?.then(
    (answer) => {
      reads.escalationsAnswer = answer;
    },
    () => {},
  );
}

/**
 * The reads made at boot that have answered by now (with the key in use), taken: the app's first render
 * shows them, instead of a render of the empty board and another when they are taken from their promise.
 * The lists usually answer while the app's script is still loading.
 */
export function arrivedFirstReads(): { lists?: CaseList[]; escalations?: EscalationsRead } {
  if (!first || first.key !== storedKey()) return {};
  const out = {
    lists: first.lists && first.listsAnswer,
    escalations: first.escalations && first.escalationsAnswer,
  };
  if (out.lists) first.lists = undefined;
  if (out.escalations) first.escalations = undefined;
  return out;
}

/** The lists read at boot, if made with the key in use now and not taken yet; else a fresh read. */
export function boardLists(): Promise<CaseList[]> {
  const early = first?.key === storedKey() ? first?.lists : undefined;
  if (first) first.lists = undefined;
  return early ?? readBoardLists();
}

/** The escalations read at boot, on the same terms; else a fresh read. */
export function boardEscalations(): Promise<EscalationsRead> {
  const early = first?.key === storedKey() ? first?.escalations : undefined;
  if (first) first.escalations = undefined;
  return early ?? readEscalations();
}
