// Key figures of the service over a period (docs/kpis.md). The database counts (db/insight.ts, one
// aggregate row per group); these rules turn the counts into the figures a manager reads, so every
// figure is a ratio of counts the report also shows. Pure.
import { OPEN_STAGES, type Stage } from '../case.js';
import { PRIORITIES, type Priority } from '../complaints/policy.js';
import type { KpiTargets } from './settings.js';

export const GROUP_BY = ['engineer', 'team', 'region', 'model', 'line', 'customer', 'channel'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export const COST_CATEGORIES = ['parts', 'labour', 'travel', 'training', 'other'] as const;
export type CostCategory = (typeof COST_CATEGORIES)[number];
export const COVERAGES = ['warranty', 'goodwill', 'chargeable'] as const;
export type Coverage = (typeof COVERAGES)[number];

/** The survey questions (docs/process.md, "Satisfaction survey"), each answered 1..5. */
export const SURVEY_QUESTIONS = [
  { question: 'serviceQuality', label: '服务质量' },
  { question: 'repairEffect', label: '维修效果' },
  { question: 'attitude', label: '服务态度' },
] as const;
export type SurveyQuestion = (typeof SURVEY_QUESTIONS)[number]['question'];

/** Age bands of open cases, by time since the customer reported. */
export const BACKLOG_AGES = [
  { band: 'under1d', maxDays: 1 },
  { band: '1to3d', maxDays: 3 },
  { band: '3to7d', maxDays: 7 },
  { band: '7to30d', maxDays: 30 },
  { band: 'over30d', maxDays: Number.POSITIVE_INFINITY },
] as const;
export type BacklogAge = (typeof BACKLOG_AGES)[number]['band'];

/** What the database counts of a set of complaints (one priority, or all of a group). */
export interface ComplaintCounts {
  received: number;
  resolved: number;
  resolutionMinutesMedian: number | null;
  resolutionMinutesP90: number | null;
  resolutionClockMinutesMedian: number | null;
  resolutionClockMinutesP90: number | null;
  resolutionDecided: number;
  resolvedOnTime: number;
}

export const emptyComplaintCounts = (): ComplaintCounts => ({
  received: 0,
  resolved: 0,
  resolutionMinutesMedian: null,
  resolutionMinutesP90: null,
  resolutionClockMinutesMedian: null,
  resolutionClockMinutesP90: null,
  resolutionDecided: 0,
  resolvedOnTime: 0,
});

/** What the database counts per group (every field a count, a sum or a percentile of the group's cases). */
export interface KpiCounts {
  cases: number;
  responded: number;
  responseMinutesMedian: number | null;
  responseMinutesP90: number | null;
  responseClockMinutesMedian: number | null;
  responseClockMinutesP90: number | null;
  responseDecided: number;
  respondedOnTime: number;
  arrivalDecided: number;
  arrivedOnTime: number;
  repairDecided: number;
  repairedOnTime: number;
  accepted: number;
  fixedFirstTime: number;
  repaired: number;
  repeatFailures: number;
  surveysClosed: number;
  surveysAnswered: number;
  /** Sum of the answers per question (each answer 1..5) over surveysAnswered answers. */
  surveySums: Record<SurveyQuestion, number>;
  escalationsByLevel: Record<string, number>;
  /** Escalations fired on the complaints received in the period, by level. */
  complaintEscalationsByLevel: Record<string, number>;
  /** Escalations fired on the quality issues raised in the period, by level. */
  qualityEscalationsByLevel: Record<string, number>;
  openByStage: Partial<Record<Stage, number>>;
  openByAge: Partial<Record<BacklogAge, number>>;
  /** Integer fen. */
  costsByCategory: Partial<Record<CostCategory, number>>;
  costsByCoverage: Partial<Record<Coverage, number>>;
  /** The complaints received in the period (docs/kpis.md, "Complaints"): all, and per priority. */
  complaints: ComplaintCounts;
  complaintsByPriority: Partial<Record<Priority, ComplaintCounts>>;
  /** Progress updates that fell due, and those of them given by their deadline. */
  progressUpdatesDue: number;
  progressUpdatesOnTime: number;
}

export const emptyCounts = (): KpiCounts => ({
  cases: 0,
  responded: 0,
  responseMinutesMedian: null,
  responseMinutesP90: null,
  responseClockMinutesMedian: null,
  responseClockMinutesP90: null,
  responseDecided: 0,
  respondedOnTime: 0,
  arrivalDecided: 0,
  arrivedOnTime: 0,
  repairDecided: 0,
  repairedOnTime: 0,
  accepted: 0,
  fixedFirstTime: 0,
  repaired: 0,
  repeatFailures: 0,
  surveysClosed: 0,
  surveysAnswered: 0,
  surveySums: { serviceQuality: 0, repairEffect: 0, attitude: 0 },
  escalationsByLevel: {},
  complaintEscalationsByLevel: {},
  qualityEscalationsByLevel: {},
  openByStage: {},
  openByAge: {},
  costsByCategory: {},
  costsByCoverage: {},
  complaints: emptyComplaintCounts(),
  complaintsByPriority: {},
  progressUpdatesDue: 0,
  progressUpdatesOnTime: 0,
});

/** A share of `of` with four decimals; null when there is nothing to share (no case in the basis). */
export function rate(part: number, of: number): number | null {
  if (of <= 0) return null;
  return Math.round((part / of) * 10_000) / 10_000;
}

const round1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);
const round2 = (x: number) => Math.round(x * 100) / 100;

/** The default escalation ladder's levels are always listed, so a chart has its bars even at zero. */
const LADDER_LEVELS = ['1', '2', '3'];

/** Escalations fired, by level (the ladder's levels 1–3 always listed) and in all. */
export interface EscalationFigures {
  total: number;
  byLevel: Record<string, number>;
}

function escalationFigures(counted: Record<string, number>): EscalationFigures {
  const levels = [...new Set([...LADDER_LEVELS, ...Object.keys(counted)])].sort(
    (a, b) => Number(a) - Number(b),
  );
  const byLevel = Object.fromEntries(levels.map((l) => [l, counted[l] ?? 0]));
  return { total: Object.values(byLevel).reduce((a, b) => a + b, 0), byLevel };
}

/** The figures of a set of complaints: resolution time (wall clock and the resolve clock) and on time. */
export interface ComplaintFigures {
  received: number;
  resolved: number;
  resolutionMinutes: { median: number | null; p90: number | null };
  resolutionClockMinutes: { median: number | null; p90: number | null };
  onTimeResolutionRate: number | null;
  resolutionDecided: number;
  resolvedOnTime: number;
}

export interface Kpis {
  cases: number;
  responseMinutes: { median: number | null; p90: number | null };
  responseClockMinutes: { median: number | null; p90: number | null };
  onTimeResponseRate: number | null;
  onTimeArrivalRate: number | null;
  onTimeRepairRate: number | null;
  firstTimeFixRate: number | null;
  repeatFailureRate: number | null;
  repeatFailureTarget: number;
  satisfaction: {
    responseRate: number | null;
    answered: number;
    average: number | null;
    questions: Array<{ question: SurveyQuestion; label: string; average: number | null }>;
  };
  /** The cases' escalations (total, byLevel), and beside them the complaints' and the quality issues'. */
  escalations: EscalationFigures & { complaints: EscalationFigures; quality: EscalationFigures };
  backlog: { open: number; byStage: Record<string, number>; byAge: Record<BacklogAge, number> };
  costs: {
    currency: 'CNY';
    total: number;
    byCategory: Record<CostCategory, number>;
    byCoverage: Record<Coverage, number>;
  };
  complaints: ComplaintFigures & {
    byPriority: Record<Priority, ComplaintFigures>;
    progressUpdates: { due: number; onTime: number; complianceRate: number | null };
  };
  counts: Omit<
    KpiCounts,
    | 'responseMinutesMedian'
    | 'responseMinutesP90'
    | 'responseClockMinutesMedian'
    | 'responseClockMinutesP90'
    | 'surveySums'
    | 'escalationsByLevel'
    | 'complaintEscalationsByLevel'
    | 'qualityEscalationsByLevel'
    | 'openByStage'
    | 'openByAge'
    | 'costsByCategory'
    | 'costsByCoverage'
    | 'complaints'
    | 'complaintsByPriority'
    | 'progressUpdatesDue'
    | 'progressUpdatesOnTime'
  >;
}

function complaintFigures(c: ComplaintCounts): ComplaintFigures {
  return {
    received: c.received,
    resolved: c.resolved,
    resolutionMinutes: { median: round1(c.resolutionMinutesMedian), p90: round1(c.resolutionMinutesP90) },
    resolutionClockMinutes: {
      median: round1(c.resolutionClockMinutesMedian),
      p90: round1(c.resolutionClockMinutesP90),
    },
    onTimeResolutionRate: rate(c.resolvedOnTime, c.resolutionDecided),
    resolutionDecided: c.resolutionDecided,
    resolvedOnTime: c.resolvedOnTime,
  };
}

const fill = <K extends string>(keys: readonly K[], from: Partial<Record<K, number>>) =>
  Object.fromEntries(keys.map((k) => [k, from[k] ?? 0])) as Record<K, number>;

/** The figures of one group (or of the whole period) from its counts. */
export function kpisFrom(c: KpiCounts, targets: Pick<KpiTargets, 'repeatFailureRate'>): Kpis {
  const questions = SURVEY_QUESTIONS.map(({ question, label }) => ({
    question,
    label,
    average: c.surveysAnswered > 0 ? round2(c.surveySums[question] / c.surveysAnswered) : null,
  }));
  const allAnswers = SURVEY_QUESTIONS.reduce((s, q) => s + c.surveySums[q.question], 0);
  const byStage = fill(OPEN_STAGES, c.openByStage);
  const byCategory = fill(COST_CATEGORIES, c.costsByCategory);
  return {
    cases: c.cases,
    responseMinutes: { median: round1(c.responseMinutesMedian), p90: round1(c.responseMinutesP90) },
    responseClockMinutes: {
      median: round1(c.responseClockMinutesMedian),
      p90: round1(c.responseClockMinutesP90),
    },
    onTimeResponseRate: rate(c.respondedOnTime, c.responseDecided),
    onTimeArrivalRate: rate(c.arrivedOnTime, c.arrivalDecided),
    onTimeRepairRate: rate(c.repairedOnTime, c.repairDecided),
    firstTimeFixRate: rate(c.fixedFirstTime, c.accepted),
    repeatFailureRate: rate(c.repeatFailures, c.repaired),
    repeatFailureTarget: targets.repeatFailureRate,
    satisfaction: {
      responseRate: rate(c.surveysAnswered, c.surveysClosed),
      answered: c.surveysAnswered,
      average:
        c.surveysAnswered > 0 ? round2(allAnswers / (c.surveysAnswered * SURVEY_QUESTIONS.length)) : null,
      questions,
    },
    escalations: {
      ...escalationFigures(c.escalationsByLevel),
      complaints: escalationFigures(c.complaintEscalationsByLevel),
      quality: escalationFigures(c.qualityEscalationsByLevel),
    },
    backlog: {
      open: Object.values(byStage).reduce((a, b) => a + b, 0),
      byStage,
      byAge: fill(
        BACKLOG_AGES.map((a) => a.band),
        c.openByAge,
      ),
    },
    costs: {
      currency: 'CNY',
      total: Object.values(byCategory).reduce((a, b) => a + b, 0),
      byCategory,
      byCoverage: fill(COVERAGES, c.costsByCoverage),
    },
    complaints: {
      ...complaintFigures(c.complaints),
      byPriority: Object.fromEntries(
        PRIORITIES.map((p) => [p, complaintFigures(c.complaintsByPriority[p] ?? emptyComplaintCounts())]),
      ) as Record<Priority, ComplaintFigures>,
      progressUpdates: {
        due: c.progressUpdatesDue,
        onTime: c.progressUpdatesOnTime,
        complianceRate: rate(c.progressUpdatesOnTime, c.progressUpdatesDue),
      },
    },
    counts: {
      cases: c.cases,
      responded: c.responded,
      responseDecided: c.responseDecided,
      respondedOnTime: c.respondedOnTime,
      arrivalDecided: c.arrivalDecided,
      arrivedOnTime: c.arrivedOnTime,
      repairDecided: c.repairDecided,
      repairedOnTime: c.repairedOnTime,
      accepted: c.accepted,
      fixedFirstTime: c.fixedFirstTime,
      repaired: c.repaired,
      repeatFailures: c.repeatFailures,
      surveysClosed: c.surveysClosed,
      surveysAnswered: c.surveysAnswered,
    },
  };
}

/** Nearest-rank percentile of ascending `sorted` (p in 0..1), as the report's percentile_disc: null when empty. */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}
