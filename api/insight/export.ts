// Reports as tables, for CSV and XLSX: one row per group (totals first), one column per figure, each
// column headed by its Chinese name and its key (`案件数 (cases)`), so people read the sheet and
// programs find the column by its key. The JSON answer stays the reference; these are its flat view.
import ExcelJS from 'exceljs';
import { OPEN_STAGES, STAGE_LABELS_ZH } from '../../domain/case.js';
import { PRIORITIES } from '../../domain/complaints/policy.js';
import {
  BACKLOG_AGES,
  COST_CATEGORIES,
  COVERAGES,
  type ComplaintFigures,
  type Kpis,
  SURVEY_QUESTIONS,
} from '../../domain/insight/kpis.js';
import { toCsv } from '../../domain/people/csv.js';

export type Cell = string | number | boolean | null;
export interface Table {
  name: string;
  columns: Array<{ key: string; label: string; kind?: 'rate' | 'fen' }>;
  rows: Cell[][];
}

const CATEGORY_ZH: Record<string, string> = {
  parts: '备件',
  labour: '人工',
  travel: '差旅',
  training: '培训',
  other: '其他',
};
const COVERAGE_ZH: Record<string, string> = { warranty: '保修', goodwill: '善意', chargeable: '收费' };
const AGE_ZH: Record<string, string> = {
  under1d: '1天内',
  '1to3d': '1–3天',
  '3to7d': '3–7天',
  '7to30d': '7–30天',
  over30d: '30天以上',
};

/** The KPI columns, with the escalation levels any row has. */
export function kpiColumns(levels: string[]): Table['columns'] {
  return [
    { key: 'cases', label: '案件数' },
    { key: 'responseMinutes.median', label: '响应时间中位数(分钟)' },
    { key: 'responseMinutes.p90', label: '响应时间P90(分钟)' },
    { key: 'responseClockMinutes.median', label: 'SLA计时响应中位数(分钟)' },
    { key: 'responseClockMinutes.p90', label: 'SLA计时响应P90(分钟)' },
    { key: 'onTimeResponseRate', label: '响应及时率', kind: 'rate' },
    { key: 'onTimeArrivalRate', label: '到场及时率', kind: 'rate' },
    { key: 'onTimeRepairRate', label: '维修及时率', kind: 'rate' },
    { key: 'firstTimeFixRate', label: '一次修复率', kind: 'rate' },
    { key: 'repeatFailureRate', label: '返修率', kind: 'rate' },
    { key: 'repeatFailureTarget', label: '返修率目标', kind: 'rate' },
    { key: 'satisfaction.responseRate', label: '回访应答率', kind: 'rate' },
    { key: 'satisfaction.answered', label: '回访应答数' },
    { key: 'satisfaction.average', label: '满意度平均分' },
    ...SURVEY_QUESTIONS.map((q) => ({ key: `satisfaction.${q.question}`, label: `${q.label}平均分` })),
    ...levels.map((l) => ({ key: `escalations.level${l}`, label: `${l}级升级` })),
    ...levels.map((l) => ({ key: `escalations.complaints.level${l}`, label: `投诉${l}级升级` })),
    ...levels.map((l) => ({ key: `escalations.quality.level${l}`, label: `质量问题${l}级升级` })),
    { key: 'backlog.open', label: '未结案件' },
    ...OPEN_STAGES.map((s) => ({ key: `backlog.${s}`, label: `未结-${STAGE_LABELS_ZH[s]}` })),
    ...BACKLOG_AGES.map((a) => ({ key: `backlog.age.${a.band}`, label: `未结-${AGE_ZH[a.band]}` })),
    { key: 'costs.total', label: '费用合计(分)', kind: 'fen' },
    ...COST_CATEGORIES.map((c) => ({
      key: `costs.${c}`,
      label: `费用-${CATEGORY_ZH[c]}(分)`,
      kind: 'fen' as const,
    })),
    ...COVERAGES.map((c) => ({
      key: `costs.${c}`,
      label: `费用-${COVERAGE_ZH[c]}(分)`,
      kind: 'fen' as const,
    })),
    ...complaintColumns('complaints', '投诉'),
    ...PRIORITIES.flatMap((p) => complaintColumns(`complaints.${p}`, `${p}投诉`)),
    { key: 'complaints.progressUpdates.due', label: '应进度反馈次数' },
    { key: 'complaints.progressUpdates.onTime', label: '按时进度反馈次数' },
    { key: 'complaints.progressUpdates.complianceRate', label: '进度反馈及时率', kind: 'rate' },
  ];
}

/** The columns of a set of complaints (all, or one priority). */
function complaintColumns(key: string, label: string): Table['columns'] {
  return [
    { key: `${key}.received`, label: `${label}数` },
    { key: `${key}.resolved`, label: `${label}已解决` },
    { key: `${key}.resolutionMinutes.median`, label: `${label}解决时间中位数(分钟)` },
    { key: `${key}.resolutionMinutes.p90`, label: `${label}解决时间P90(分钟)` },
    { key: `${key}.resolutionClockMinutes.median`, label: `${label}SLA计时解决中位数(分钟)` },
    { key: `${key}.resolutionClockMinutes.p90`, label: `${label}SLA计时解决P90(分钟)` },
    { key: `${key}.onTimeResolutionRate`, label: `${label}按时解决率`, kind: 'rate' },
  ];
}

function complaintCells(f: ComplaintFigures): Cell[] {
  return [
    f.received,
    f.resolved,
    f.resolutionMinutes.median,
    f.resolutionMinutes.p90,
    f.resolutionClockMinutes.median,
    f.resolutionClockMinutes.p90,
    f.onTimeResolutionRate,
  ];
}

export function kpiCells(k: Kpis, levels: string[]): Cell[] {
  return [
    k.cases,
    k.responseMinutes.median,
    k.responseMinutes.p90,
    k.responseClockMinutes.median,
    k.responseClockMinutes.p90,
    k.onTimeResponseRate,
    k.onTimeArrivalRate,
    k.onTimeRepairRate,
    k.firstTimeFixRate,
    k.repeatFailureRate,
    k.repeatFailureTarget,
    k.satisfaction.responseRate,
    k.satisfaction.answered,
    k.satisfaction.average,
    ...k.satisfaction.questions.map((q) => q.average),
    ...levels.map((l) => k.escalations.byLevel[l] ?? 0),
    ...levels.map((l) => k.escalations.complaints.byLevel[l] ?? 0),
    ...levels.map((l) => k.escalations.quality.byLevel[l] ?? 0),
    k.backlog.open,
    ...OPEN_STAGES.map((s) => k.backlog.byStage[s] ?? 0),
    ...BACKLOG_AGES.map((a) => k.backlog.byAge[a.band]),
    k.costs.total,
    ...COST_CATEGORIES.map((c) => k.costs.byCategory[c]),
    ...COVERAGES.map((c) => k.costs.byCoverage[c]),
    ...complaintCells(k.complaints),
    ...PRIORITIES.flatMap((p) => complaintCells(k.complaints.byPriority[p])),
    k.complaints.progressUpdates.due,
    k.complaints.progressUpdates.onTime,
    k.complaints.progressUpdates.complianceRate,
  ];
}

/** Every escalation level any of these figures has (of cases, complaints or quality issues), in order. */
export const levelsOf = (all: Kpis[]) =>
  [
    ...new Set(
      all.flatMap((k) => [
        ...Object.keys(k.escalations.byLevel),
        ...Object.keys(k.escalations.complaints.byLevel),
        ...Object.keys(k.escalations.quality.byLevel),
      ]),
    ),
  ].sort((a, b) => Number(a) - Number(b));

// A text cell starting with = + - @ (or a tab / carriage return) would run as a formula in a
// spreadsheet: such text is written with a leading apostrophe.
const FORMULA_START = /^[=+\-@\t\r]/;
const safeText = (v: string) => (FORMULA_START.test(v) ? `'${v}` : v);

const cellText = (v: Cell) => (v === null ? '' : typeof v === 'string' ? safeText(v) : String(v));

/** CSV (RFC 4180, UTF-8 with a byte-order mark so spreadsheet programs read the Chinese right). */
export function tableCsv(t: Table): string {
  const header = t.columns.map((c) => `${c.label} (${c.key})`);
  return `\uFEFF${toCsv([header, ...t.rows.map((r) => r.map(cellText))])}`;
}

/** XLSX, one sheet per table; rates as percentages, fen as integers. */
export async function tablesXlsx(tables: Table[]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'shouhou';
  for (const t of tables) {
    const sheet = book.addWorksheet(t.name);
    sheet.columns = t.columns.map((c) => ({
      header: `${c.label} (${c.key})`,
      key: c.key,
      width: Math.min(40, Math.max(12, c.label.length * 2 + 4)),
      style: c.kind === 'rate' ? { numFmt: '0.0%' } : c.kind === 'fen' ? { numFmt: '0' } : {},
    }));
    for (const row of t.rows) sheet.addRow(row.map((v) => (typeof v === 'string' ? safeText(v) : v)));
    sheet.getRow(1).font = { bold: true };
    sheet.views = [{ state: 'frozen', ySplit: 1 }];
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
