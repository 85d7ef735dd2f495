// Message templates in Chinese and English, by kind of event. A person reads them in their own
// language (people.locale). The escalations of complaints and quality issues have one template each,
// whatever their clock and step. Pure.
import { escalationSubject } from '../escalation-step.js';

export type Locale = 'zh' | 'en';

export interface MessageData {
  /** The case (complaint, quality issue); null for a purchase order without a case. */
  caseId: string | null;
  purchaseOrderId?: string | null;
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
    'complaint.p1': (d) => ({
      title: `【P1 投诉】投诉 ${d.caseId} 紧急且重要`,
      body: `投诉 ${d.caseId} 定为 P1（${d.reason ?? ''}），请高层关注处理进度。`,
    }),
    'complaint.routed': (d) => ({
      title: `【投诉转交】投诉 ${d.caseId} 已转交${d.owner ? '给您' : '至贵部门'}`,
      body: `投诉 ${d.caseId} 已转交${d.department ?? ''}处理，请及时调查并按时向客户反馈进度。`,
    }),
    'complaint.action_assigned': (d) => ({
      title: `【整改措施】投诉 ${d.caseId} 的措施 ${d.actionId ?? ''} 由您负责`,
      body: `投诉 ${d.caseId} 的整改措施「${d.description ?? ''}」由您负责，期限 ${time(d.deadline as string | undefined, 'zh')}。`,
    }),
    'complaint.answer_rejected': (d) => ({
      title: `【客户不接受】投诉 ${d.caseId} 退回调查`,
      body: `客户不接受投诉 ${d.caseId} 的答复（第 ${d.round ?? ''} 轮），已退回调查。${d.comment ? `客户意见：${d.comment}` : ''}`,
    }),
    'quality.stage': (d) => ({
      title: `【质量问题】${d.caseId} 进入${d.stage ?? ''}阶段`,
      body: `质量问题 ${d.caseId} 已进入${d.stage ?? ''}阶段，请在期限内完成。`,
    }),
    'quality.assigned': (d) => ({
      title: `【质量问题】${d.caseId} 由您负责`,
      body: `质量问题 ${d.caseId} 的${d.stage ?? ''}阶段由您负责，请在期限内完成。`,
    }),
    'quality.closed': (d) => ({
      title: `【质量问题关闭】工单 ${d.caseId} 相关的质量问题已解决`,
      body: `与工单 ${d.caseId} 相关的质量问题 ${d.qualityIssueId ?? ''} 已验证有效并关闭。${d.summary ?? ''}`,
    }),
    'parts.purchase_order_late': (d) => ({
      title: `【采购逾期】采购订单 ${d.purchaseOrderId ?? ''} 未按期到货`,
      body: `采购订单 ${d.purchaseOrderId ?? ''}${d.caseId ? `（工单 ${d.caseId}）` : '（补货）'}承诺 ${time(d.dueAt, 'zh')} 到货，至今未到，请跟催供应商（${d.reason ?? ''}）。`,
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
    'complaint.p1': (d) => ({
      title: `[P1 complaint] complaint ${d.caseId} is urgent and important`,
      body: `Complaint ${d.caseId} is P1 (${d.reason ?? ''}); please follow it up.`,
    }),
    'complaint.routed': (d) => ({
      title: `[Complaint routed] complaint ${d.caseId} is ${d.owner ? 'yours' : "your department's"}`,
      body: `Complaint ${d.caseId} was routed to ${d.department ?? ''}. Please investigate and keep the customer updated.`,
    }),
    'complaint.action_assigned': (d) => ({
      title: `[Corrective action] action ${d.actionId ?? ''} of complaint ${d.caseId} is yours`,
      body: `You are responsible for "${d.description ?? ''}" on complaint ${d.caseId}, due ${time(d.deadline as string | undefined, 'en')}.`,
    }),
    'complaint.answer_rejected': (d) => ({
      title: `[Answer rejected] complaint ${d.caseId} is back in investigation`,
      body: `The customer rejected the answer to complaint ${d.caseId} (round ${d.round ?? ''}).${d.comment ? ` Customer's comment: ${d.comment}` : ''}`,
    }),
    'quality.stage': (d) => ({
      title: `[Quality issue] ${d.caseId} entered ${d.stage ?? ''}`,
      body: `Quality issue ${d.caseId} entered its ${d.stage ?? ''} stage; please complete it within its deadline.`,
    }),
    'quality.assigned': (d) => ({
      title: `[Quality issue] ${d.caseId} is yours`,
      body: `You own the ${d.stage ?? ''} stage of quality issue ${d.caseId}; please complete it within its deadline.`,
    }),
    'quality.closed': (d) => ({
      title: `[Quality issue closed] the quality issue behind case ${d.caseId} is solved`,
      body: `Quality issue ${d.qualityIssueId ?? ''}, linked to case ${d.caseId}, was verified effective and closed. ${d.summary ?? ''}`,
    }),
    'parts.purchase_order_late': (d) => ({
      title: `[Late delivery] purchase order ${d.purchaseOrderId ?? ''} has not arrived`,
      body: `Purchase order ${d.purchaseOrderId ?? ''}${d.caseId ? ` (case ${d.caseId})` : ' (reorder)'} was promised for ${time(d.dueAt, 'en')} and has not arrived. Please chase the supplier (${d.reason ?? ''}).`,
    }),
  },
};

// Complaints (CP…) and quality issues (Q…) share the notifications' caseId field with cases.
const SUBJECT: Record<Locale, Array<[RegExp, string]>> = {
  zh: [
    [/^CP/, '投诉'],
    [/^Q/, '质量问题'],
    [/^/, '工单'],
  ],
  en: [
    [/^CP/, 'complaint'],
    [/^Q/, 'quality issue'],
    [/^/, 'case'],
  ],
};
const subject = (id: string, locale: Locale) => SUBJECT[locale].find(([re]) => re.test(id))![1];

const COMPLAINT_CLOCK: Record<Locale, Record<string, string>> = {
  zh: { acknowledge: '受理确认时限', resolve: '解决时限', progress: '进度反馈时限', action: '整改措施期限' },
  en: {
    acknowledge: 'acknowledgement',
    resolve: 'resolution',
    progress: 'progress-update',
    action: 'corrective-action',
  },
};
const clockOf = (d: MessageData) =>
  String(d.clock ?? '').startsWith('action:') ? 'action' : String(d.clock);

const SUBJECT_ESCALATION: Record<Locale, (d: MessageData, quality: boolean) => Message> = {
  zh: (d, quality) => {
    const what = quality
      ? `质量问题 ${d.caseId} 的${String(d.clock ?? '').replace(/^stage:/, '')}阶段期限`
      : `投诉 ${d.caseId}${d.priority ? `（${d.priority}）` : ''}的${COMPLAINT_CLOCK.zh[clockOf(d)] ?? d.clock}${clockOf(d) === 'action' ? ` ${String(d.clock).slice('action:'.length)}` : ''}`;
    return {
      title: `【${d.name ?? '提醒'}】${what}`,
      body: `${what}于 ${time(d.dueAt, 'zh')} 到期，请尽快处理（${d.reason ?? ''}）。`,
    };
  },
  en: (d, quality) => {
    const what = quality
      ? `the ${String(d.clock ?? '').replace(/^stage:/, '')} stage deadline of quality issue ${d.caseId}`
      : `the ${COMPLAINT_CLOCK.en[clockOf(d)] ?? d.clock} deadline of complaint ${d.caseId}${d.priority ? ` (${d.priority})` : ''}`;
    return {
      title: `[${d.name ?? 'Reminder'}] ${what}`,
      body: `${what[0].toUpperCase()}${what.slice(1)} falls due at ${time(d.dueAt, 'en')}. Please act on it (${d.reason ?? ''}).`,
    };
  },
};

export const TEMPLATE_KINDS = Object.keys(TEMPLATES.zh);

/** Renders a notification for a reader; a kind without a template gets a plain one naming it. */
export function render(kind: string, locale: Locale, data: MessageData): Message {
  const t = TEMPLATES[locale]?.[kind] ?? TEMPLATES.zh[kind];
  if (t) return t(data);
  const escalation = escalationSubject(kind);
  if (escalation === 'complaint' || escalation === 'quality')
    return SUBJECT_ESCALATION[locale](data, escalation === 'quality');
  if (!data.caseId) {
    const po = data.purchaseOrderId ?? '';
    return locale === 'en'
      ? { title: `[${kind}] purchase order ${po}`, body: `Event ${kind} on purchase order ${po}.` }
      : { title: `【${kind}】采购订单 ${po}`, body: `采购订单 ${po} 发生事件 ${kind}。` };
  }
  const noun = subject(data.caseId, locale);
  return locale === 'en'
    ? { title: `[${kind}] ${noun} ${data.caseId}`, body: `Event ${kind} on ${noun} ${data.caseId}.` }
    : { title: `【${kind}】${noun} ${data.caseId}`, body: `${noun} ${data.caseId} 发生事件 ${kind}。` };
}
