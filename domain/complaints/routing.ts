// Routing of a complaint to a department and an owner (policy section 6.1: "转交给相关部门"). Rules match
// on category, product line and region; the most specific matching rule wins, ties go to the earlier
// rule; without a match the complaint stays with after-sales. Pure.

export const DEPARTMENTS = ['after_sales', 'rnd', 'production', 'procurement', 'quality'] as const;
export type Department = (typeof DEPARTMENTS)[number];

export const DEPARTMENT_LABELS_ZH: Record<Department, string> = {
  after_sales: '售后服务部',
  rnd: '研发部',
  production: '生产部',
  procurement: '采购部',
  quality: '质量部',
};

export const CATEGORIES = [
  'product_quality', // 产品质量
  'service', // 服务态度 / 服务质量
  'delivery', // 交付 / 物流
  'design', // 设计缺陷
  'manufacturing', // 制造 / 装配
  'parts_supply', // 配件供应
  'billing', // 收费
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

export interface RoutingRule {
  match: { category?: Category; productLine?: string; region?: string };
  department: Department;
  /** A person id; without one the department's desk picks the owner. */
  owner?: string;
}

export interface RoutingSubject {
  category: Category;
  productLine?: string;
  region?: string;
}

export interface Route {
  department: Department;
  owner?: string;
  /** Index of the rule that decided, or null for the fallback. */
  rule: number | null;
}

/** The route of a complaint: the most specific matching rule (product line > region > category). */
export function routeComplaint(rules: RoutingRule[], s: RoutingSubject): Route {
  let best: Route = { department: 'after_sales', rule: null };
  let bestScore = -1;
  for (const [i, r] of rules.entries()) {
    const m = r.match;
    if (m.category !== undefined && m.category !== s.category) continue;
    if (m.productLine !== undefined && m.productLine !== s.productLine) continue;
    if (m.region !== undefined && m.region !== s.region) continue;
    const score = (m.productLine ? 4 : 0) + (m.region ? 2 : 0) + (m.category ? 1 : 0);
    if (score > bestScore) {
      best = { department: r.department, ...(r.owner ? { owner: r.owner } : {}), rule: i };
      bestScore = score;
    }
  }
  return best;
}

export function validateRouting(rules: RoutingRule[]): string[] {
  const problems: string[] = [];
  for (const [i, r] of rules.entries()) {
    if (!(DEPARTMENTS as readonly string[]).includes(r.department))
      problems.push(`routing[${i}].department must be one of ${DEPARTMENTS.join(', ')}`);
    if (r.match.category !== undefined && !(CATEGORIES as readonly string[]).includes(r.match.category))
      problems.push(`routing[${i}].match.category must be one of ${CATEGORIES.join(', ')}`);
  }
  return problems;
}

/** Who hears about a complaint while it has no owner: the department's desk. */
export const departmentDesk = (d: Department) => `desk:${d}`;
