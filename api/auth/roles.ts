// Who may do what. One table, read by the auth plugin and printed into the README.
export const ROLES = [
  'helpdesk', // 外部客服系统 (integration)
  'specialist', // 售后服务专员
  'engineer', // 售后服务工程师
  'manager', // 售后服务经理
  'procurement', // 采购专员
  'rnd', // 研发工程师
  'production', // 生产主管
  'finance', // 财务
  'admin', // 系统管理员
] as const;
export type Role = (typeof ROLES)[number];

const everyone = ROLES;
const staff: Role[] = ['specialist', 'engineer', 'manager'];

/**
 * Permission → roles. Routes name one permission in `config.permission`; the plugin answers 403 to
 * every other role. Finer rules live with the resource: engineers act only on cases assigned to them,
 * a help desk key only on cases it opened.
 */
export const PERMISSIONS = {
  'cases.create': ['helpdesk', 'specialist', 'manager'],
  'cases.read': everyone,
  'cases.resolve-at-intake': ['specialist', 'manager'],
  'cases.assign': ['specialist', 'manager'],
  'cases.diagnose': ['engineer', 'manager'],
  'cases.parts-ready': ['procurement', 'specialist', 'manager'],
  'cases.schedule': ['engineer', 'specialist', 'manager'],
  'cases.check-in': ['engineer', 'manager'],
  'cases.complete-repair': ['engineer', 'manager'],
  'cases.customer-feedback': ['helpdesk', 'specialist', 'manager'],
  'cases.survey-response': ['helpdesk', 'specialist', 'manager'],
  'cases.wait-for-customer': ['helpdesk', ...staff],
  'cases.customer-responded': ['helpdesk', ...staff],
  'cases.cancel': ['specialist', 'manager'],
  'cases.messages': ['helpdesk', ...staff],
  'calendars.read': everyone,
  'calendars.write': ['manager', 'admin'],
  'sla-policies.read': everyone,
  'sla-policies.write': ['manager', 'admin'],
  'escalations.read': ['specialist', 'engineer', 'manager', 'admin'],
  'webhooks.manage': ['helpdesk', 'admin'],
  'api-keys.manage': ['admin'],
  'audit.read': ['admin'],
  // Spare parts: procurement buys and receives, engineers request (by diagnosing) and may cancel, the
  // service manager approves orders above the threshold, finance reads costs.
  'parts.read': ['specialist', 'engineer', 'manager', 'procurement', 'finance', 'admin'],
  'parts.catalogue.write': ['procurement', 'manager', 'admin'],
  'parts.stock.move': ['procurement'],
  'parts.suppliers.read': ['procurement', 'manager', 'finance', 'admin'],
  'parts.suppliers.write': ['procurement', 'admin'],
  'parts.requests.read': ['specialist', 'engineer', 'manager', 'procurement', 'finance'],
  'parts.requests.cancel': ['engineer', 'manager'],
  'parts.requests.change': ['engineer', 'manager'],
  'parts.purchases.read': ['procurement', 'manager', 'finance'],
  'parts.purchases.write': ['procurement'],
  'parts.purchases.approve': ['manager'],
  'people.read': [
    'specialist',
    'engineer',
    'manager',
    'procurement',
    'rnd',
    'production',
    'finance',
    'admin',
  ],
  'people.write': ['manager', 'admin'],
  'me.notifications': everyone,
  'notifications.read': ['manager', 'admin'],
  'cases.assignment-suggestions': ['specialist', 'manager'],
  // Decrypt workflow payloads (customer data in histories) in the Temporal UI or CLI.
  'payloads.codec': ['manager', 'admin'],
  // Manager insight (docs/kpis.md): the manager reads every report; an engineer reads their own
  // scorecard; finance enters budgets and the service's own costs, the manager approves budgets.
  'reports.kpis': ['manager'],
  'reports.scorecards': ['engineer', 'manager'],
  'reports.budget': ['manager', 'finance'],
  'reports.settings.read': ['manager', 'finance'],
  'reports.settings.write': ['manager'],
  // Costs are read by those who read the stock ledger's costs; engineers enter their labour and travel.
  'costs.read': ['manager', 'finance'],
  'costs.write': ['engineer', 'manager', 'finance'],
  'costs.service.write': ['manager', 'finance'],
  'budgets.read': ['manager', 'finance'],
  'budgets.write': ['finance'],
  'budgets.approve': ['manager'],
  'product-models.read': [
    'specialist',
    'engineer',
    'manager',
    'procurement',
    'rnd',
    'production',
    'finance',
    'admin',
  ],
  'product-models.write': ['manager', 'admin'],
  // Complaints (投诉): the service desk records and answers, anyone investigating may add findings,
  // evidence and corrective actions, only the manager waives open actions and confirms effectiveness.
  'complaints.create': ['helpdesk', 'specialist', 'manager'],
  'complaints.read': everyone,
  'complaints.acknowledge': ['helpdesk', 'specialist', 'manager'],
  'complaints.classify': ['specialist', 'manager'],
  'complaints.investigate': ['specialist', 'engineer', 'manager', 'procurement', 'rnd', 'production'],
  'complaints.waive-actions': ['manager'],
  'complaints.respond': ['helpdesk', 'specialist', 'manager'],
  'complaints.answer': ['specialist', 'manager'],
  'complaints.effectiveness-check': ['manager'],
  'complaints.withdraw': ['helpdesk', 'specialist', 'manager'],
  'complaints.reports': ['manager', 'admin'],
  'complaint-policies.read': everyone,
  'complaint-policies.write': ['manager', 'admin'],
  // The quality loop: R&D analyses and plans, production changes, both verify.
  'failure-codes.read': everyone,
  'failure-codes.write': ['manager', 'rnd', 'admin'],
  'quality.read': ['specialist', 'engineer', 'manager', 'procurement', 'rnd', 'production', 'admin'],
  'quality.raise': ['specialist', 'engineer', 'manager', 'rnd', 'production'],
  'quality.assign': ['manager', 'rnd', 'production'],
  'quality.analyze': ['rnd', 'manager'],
  'quality.plan': ['rnd', 'manager'],
  'quality.production-change': ['production', 'manager'],
  'quality.verify': ['rnd', 'production', 'manager'],
  'quality.cancel': ['manager'],
  'quality-policy.write': ['manager', 'admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export const allows = (permission: Permission, role: Role) =>
  (PERMISSIONS[permission] as readonly Role[]).includes(role);

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);
