export const DASHBOARD_SOURCE: string;
export const DASHBOARD_DIST: string;
export function dashboardStale(): boolean;
export function buildDashboard(opts?: { onlyIfStale?: boolean; quiet?: boolean }): boolean;
