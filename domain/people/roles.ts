// The roles a person holds in the directory. The API-key roles (api/auth/roles.ts) plus upper
// management (高层管理), which the escalation ladder reaches at its top level.
export const PERSON_ROLES = [
  'specialist', // 售后服务专员
  'engineer', // 售后服务工程师
  'manager', // 售后服务经理 (the service manager)
  'executive', // 高层管理 (upper management)
  'procurement',
  'rnd',
  'production',
  'finance',
  'helpdesk',
  'admin',
] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];
