// Message templates in Chinese and English, by kind of event. A person reads them in their own
// language (people.locale). Pure.

export type Locale = 'zh' | 'en';

export interface MessageData {
  caseId: string;
  kind: string;
  severity?: string;
  clock?: string;
  level?: number;
  dueAt?: string;
  recipientName?: string;
  /** Why this person gets it (their place in the chain). */
  reason?: string;
  [k: string]: unknown;
}

export interface Message {
  title: string;
  body: string;
}

const CLOCK: Record<Locale, Record<string, string>> = {
  zh: { response: '响应时限', arrival: '到场时限', repair: '修复时限' },
  en: { response: 'response', arrival: 'on-site arrival', repair: 'repair' },
};

function time(iso: string | undefined, locale: Locale): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  // Readers in China see Beijing time; the ISO instant follows for everyone else.
  const local = d.toLocaleString(locale === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone: 'Asia/Shanghai',
    hour12: false,
  });
  return `${local} (${locale === 'zh' ? '北京时间' : 'Beijing time'})`;
}

type Render = (d: MessageData) => Message;

const TEMPLATES: Record<Locale, Record<string, Render>> = {
  zh: {
    'sla.warning': (d) => ({
      title: `【预警】工单 ${d.caseId} 的${CLOCK.zh[d.clock ?? ''] ?? d.clock}即将到期`,
      body: `工单 ${d.caseId} 的${CLOCK.zh[d.clock ?? ''] ?? d.clock}将于 ${time(d.dueAt, 'zh')} 前后到期，请尽快处理。`,
    }),
    'sla.breached': (d) => ({
      title: `【超时】工单 ${d.caseId} 的${CLOCK.zh[d.clock ?? ''] ?? d.clock}已超时`,
      body: `工单 ${d.caseId}（${d.severity === 'emergency' ? '紧急' : '一般'}）的${CLOCK.zh[d.clock ?? ''] ?? d.clock}已于 ${time(d.dueAt, 'zh')} 超时，已升级给您（${d.reason ?? ''}）。`,
    }),
    'sla.escalated': (d) => ({
      title: `【升级】工单 ${d.caseId} 超时严重，已升级至第 ${d.level} 级`,
      body: `工单 ${d.caseId}（${d.severity === 'emergency' ? '紧急' : '一般'}）的${CLOCK.zh[d.clock ?? ''] ?? d.clock}已严重超时（${time(d.dueAt, 'zh')}），请关注处理进度（${d.reason ?? ''}）。`,
    }),
    'case.assigned': (d) => ({
      title: `【派工】工单 ${d.caseId} 已派给您`,
      body: `工单 ${d.caseId} 已派给您，请在时限内联系客户并完成故障诊断。`,
    }),
    'case.disputed': (d) => ({
      title: `【客户不满意】工单 ${d.caseId} 已退回`,
      body: `客户对工单 ${d.caseId} 的维修结果不满意，已退回重新诊断。${d.comment ? `客户意见：${d.comment}` : ''}`,
    }),
  },
  en: {
    'sla.warning': (d) => ({
      title: `[Warning] case ${d.caseId}: ${CLOCK.en[d.clock ?? ''] ?? d.clock} deadline approaching`,
      body: `The ${CLOCK.en[d.clock ?? ''] ?? d.clock} deadline of case ${d.caseId} falls due around ${time(d.dueAt, 'en')}. Please act on it soon.`,
    }),
    'sla.breached': (d) => ({
      title: `[Breach] case ${d.caseId}: ${CLOCK.en[d.clock ?? ''] ?? d.clock} deadline missed`,
      body: `The ${CLOCK.en[d.clock ?? ''] ?? d.clock} deadline of ${d.severity ?? ''} case ${d.caseId} passed at ${time(d.dueAt, 'en')}; it is escalated to you (${d.reason ?? ''}).`,
    }),
    'sla.escalated': (d) => ({
      title: `[Escalation] case ${d.caseId}: escalated to level ${d.level}`,
      body: `Case ${d.caseId} (${d.severity ?? ''}) is far past its ${CLOCK.en[d.clock ?? ''] ?? d.clock} deadline (${time(d.dueAt, 'en')}); please follow it up (${d.reason ?? ''}).`,
    }),
    'case.assigned': (d) => ({
      title: `[Assigned] case ${d.caseId} is yours`,
      body: `Case ${d.caseId} was assigned to you. Please contact the customer and diagnose it within its deadline.`,
    }),
    'case.disputed': (d) => ({
      title: `[Disputed] case ${d.caseId} is back with you`,
      body: `The customer did not accept the repair of case ${d.caseId}; it is back for another diagnosis.${d.comment ? ` Customer's comment: ${d.comment}` : ''}`,
    }),
  },
};

export const TEMPLATE_KINDS = Object.keys(TEMPLATES.zh);

/** Renders a notification for a reader; a kind without a template gets a plain one naming it. */
export function render(kind: string, locale: Locale, data: MessageData): Message {
  const t = TEMPLATES[locale]?.[kind] ?? TEMPLATES.zh[kind];
  if (t) return t(data);
  return locale === 'en'
    ? { title: `[${kind}] case ${data.caseId}`, body: `Event ${kind} on case ${data.caseId}.` }
    : { title: `【${kind}】工单 ${data.caseId}`, body: `工单 ${data.caseId} 发生事件 ${kind}。` };
}
