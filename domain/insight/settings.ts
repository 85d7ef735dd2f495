// Settings of the manager's reports (docs/kpis.md): the quality targets of the service standard
// (docs/process.md, "Quality standards"), the scorecard formula, labour rates, the budget warning share,
// the default warranty and the reporting time zone. Stored as one document (insight_settings) and
// changed through the API; these defaults apply until someone saves their own. Pure.

/** Parts of a person's score; each is a number 0..1 or undefined when the period gives no basis for it. */
export const SCORE_COMPONENTS = [
  'onTimeResponse',
  'onTimeArrival',
  'onTimeRepair',
  'firstTimeFix',
  'repeatFailure',
  'satisfaction',
] as const;
export type ScoreComponent = (typeof SCORE_COMPONENTS)[number];

export interface KpiTargets {
  onTimeResponseRate: number;
  onTimeArrivalRate: number;
  onTimeRepairRate: number;
  firstTimeFixRate: number;
  /** The ceiling of the post-repair failure rate (返修率): at most this share of repaired cases come back. */
  repeatFailureRate: number;
  /** Average of every survey answer, 1..5. */
  satisfactionAverage: number;
  surveyResponseRate: number;
}

export interface InsightSettings {
  /** IANA zone of period dates, cost dates and budget months. */
  timeZone: string;
  targets: KpiTargets;
  /** A new case on the same serial within this many days of a repair is a repeat failure. */
  repeatFailureWindowDays: number;
  /** Weights of the scorecard; only their ratios matter. */
  scoreWeights: Record<ScoreComponent, number>;
  /** Labour cost per hour and role, in fen (分). */
  labourRates: Record<string, number>;
  /** A budget category warns once its actual passes this share of its budget. */
  budgetWarningShare: number;
  /** Warranty of a model the product model list does not name. */
  defaultWarrantyMonths: number;
}

export const DEFAULT_INSIGHT_SETTINGS: InsightSettings = {
  timeZone: 'Asia/Shanghai',
  targets: {
    onTimeResponseRate: 0.95,
    onTimeArrivalRate: 0.95,
    onTimeRepairRate: 0.9,
    firstTimeFixRate: 0.85,
    repeatFailureRate: 0.02,
    satisfactionAverage: 4.5,
    surveyResponseRate: 0.6,
  },
  repeatFailureWindowDays: 30,
  scoreWeights: {
    onTimeResponse: 20,
    onTimeArrival: 10,
    onTimeRepair: 25,
    firstTimeFix: 15,
    repeatFailure: 10,
    satisfaction: 20,
  },
  labourRates: { engineer: 12_000, specialist: 6_000, manager: 15_000 },
  budgetWarningShare: 0.9,
  defaultWarrantyMonths: 12,
};

const isShare = (x: number) => Number.isFinite(x) && x >= 0 && x <= 1;

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** What is wrong with a settings document, in words a manager can act on; [] when valid. */
export function validateSettings(s: InsightSettings): string[] {
  const problems: string[] = [];
  if (!validTimeZone(s.timeZone)) problems.push(`timeZone "${s.timeZone}" is not an IANA time zone`);
  for (const [name, value] of Object.entries(s.targets)) {
    if (name === 'satisfactionAverage') {
      if (!(value >= 1 && value <= 5)) problems.push('targets.satisfactionAverage must lie between 1 and 5');
    } else if (!isShare(value)) problems.push(`targets.${name} must be a share between 0 and 1`);
  }
  if (!(s.targets.repeatFailureRate > 0)) problems.push('targets.repeatFailureRate must be greater than 0');
  if (!Number.isInteger(s.repeatFailureWindowDays) || s.repeatFailureWindowDays < 1)
    problems.push('repeatFailureWindowDays must be a whole number of days, at least 1');
  const weights = Object.values(s.scoreWeights);
  if (weights.some((w) => !(w >= 0) || !Number.isFinite(w)))
    problems.push('scoreWeights must not be negative');
  else if (weights.reduce((a, b) => a + b, 0) <= 0)
    problems.push('scoreWeights need at least one weight above 0');
  for (const [role, rate] of Object.entries(s.labourRates)) {
    if (!Number.isInteger(rate) || rate < 0)
      problems.push(`labourRates.${role} must be a whole number of fen per hour, not negative`);
  }
  if (!(s.budgetWarningShare > 0) || !Number.isFinite(s.budgetWarningShare))
    problems.push('budgetWarningShare must be greater than 0');
  if (!Number.isInteger(s.defaultWarrantyMonths) || s.defaultWarrantyMonths < 0)
    problems.push('defaultWarrantyMonths must be a whole number of months, not negative');
  return problems;
}
