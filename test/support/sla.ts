// SLA fixtures for workflow tests: a round-the-clock calendar (so business time equals wall time
// whatever the hour the tests run) and policies with second-scale targets, selected by product line.

import { expect } from 'vitest';
import { calendars, slaPolicies } from '../../db/schema.js';
import type { Target } from '../../domain/calendar.js';
import { DEFAULT_POLICY, type SlaPolicy } from '../../domain/sla-policy.js';
import { intakeBody, post, type Stack } from './stack.js';

export const seconds = (s: number): Target => ({ amount: s / 3600, unit: 'hours' });
export const businessSeconds = (s: number): Target => ({ amount: s / 3600, unit: 'business_hours' });

export async function ensureAllHoursCalendar(stack: Stack) {
  const allDay = [{ start: '00:00', end: '24:00' }];
  await stack.db.db
    .insert(calendars)
    .values({
      id: 'always',
      name: '全天候 (tests)',
      timeZone: 'Asia/Shanghai',
      weekly: Array.from({ length: 7 }, () => allDay),
      workdayPeriods: allDay,
    })
    .onConflictDoNothing();
}

let n = 0;
/** Adds a policy matching a fresh product line and returns that line. */
export async function fastPolicy(
  stack: Stack,
  overrides: Partial<Omit<SlaPolicy, 'targets'>> & { targets?: Partial<SlaPolicy['targets']> } = {},
): Promise<string> {
  await ensureAllHoursCalendar(stack);
  n += 1;
  const line = `line-${process.pid}-${Date.now()}-${n}`;
  const policy: SlaPolicy = {
    ...DEFAULT_POLICY,
    id: `fast-${process.pid}-${n}-${Date.now()}`,
    version: 1,
    name: 'fast test policy',
    calendarId: 'always',
    ...overrides,
    match: { productLine: line },
    targets: {
      response: { normal: seconds(3600), emergency: seconds(3600) },
      arrival: { emergency: seconds(3600) },
      repair: { ordinary: seconds(3600), complex: seconds(7200) },
      ...overrides.targets,
    },
  };
  await stack.db.db
    .insert(slaPolicies)
    .values({ id: policy.id, version: 1, name: policy.name, definition: policy });
  return line;
}

/** Opens a case under the policy of `line` and returns the intake answer. */
export async function openSlaCase(stack: Stack, line: string, extra: Record<string, unknown> = {}) {
  const body = intakeBody(extra);
  const r = await post(stack.app, '/api/v1/cases', { ...body, product: { ...body.product, line } });
  expect(r.status).toBe(201);
  return r.body;
}

export type EscalationRow = {
  clock: string;
  level: number;
  due_at: Date;
  fired_at: Date;
  recipient: string;
  cycle: number;
};

/** The escalations recorded for a case (optionally one clock), lowest level first. */
export async function escalationsOf(stack: Stack, id: string, clock?: string): Promise<EscalationRow[]> {
  const rows = await stack.db.sql<EscalationRow[]>`
    select clock, level, due_at, fired_at, recipient, cycle from escalations
    where case_id = ${id} ${clock ? stack.db.sql`and clock = ${clock}` : stack.db.sql``}
    order by level`;
  return rows.map((r) => ({ ...r, due_at: new Date(r.due_at), fired_at: new Date(r.fired_at) }));
}
