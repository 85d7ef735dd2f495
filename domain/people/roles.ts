// The roles a person holds in the directory. The API-key roles (api/auth/roles.ts) plus upper
// management (高层管理), which the escalation ladder reaches at its top level, and the quality department,
// whose desk a complaint or quality issue can land on.
import type { Department } from '../complaints/routing.js';

export const PERSON_ROLES = [
  'specialist', // 售后服务专员
  'engineer', // 售后服务工程师
  'manager', // 售后服务经理 (the service manager)
  'executive', // 高层管理 (upper management)
  'procurement',
  'rnd',
  'production',
  'quality', // 质量工程师 (the quality department)
  'finance',
  'helpdesk',
  'admin',
] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

/**
 * Whose desk a department is: a complaint routed to a department without an owner, and a quality-issue
 * stage nobody was named for, notify the department's people — those holding its role.
 */
export const DESK_ROLES: Record<Department, PersonRole> = {
  after_sales: 'specialist', // the service desk (售后服务专员)
  rnd: 'rnd',
  production: 'production',
  procurement: 'procurement',
  quality: 'quality',
};

/** The department of a desk recipient ('desk:rnd' → 'rnd'); undefined for anything else. */
export function deskDepartment(target: string): Department | undefined {
  if (!target.startsWith('desk:')) return undefined;
  const d = target.slice('desk:'.length);
  return Object.hasOwn(DESK_ROLES, d) ? (d as Department) : undefined;
}
