// Complaint fixtures: a complaint policy with second-scale targets on the round-the-clock calendar,
// selected by a fresh product line, a valid complaint intake body, and the people owners and responsible
// persons must be (the staff directory).
import { expect } from 'vitest';
import { complaintPolicies } from '../../db/schema.js';
import type { Target } from '../../domain/calendar.js';
import {
  type ComplaintPolicy,
  DEFAULT_COMPLAINT_POLICY,
  type Priority,
} from '../../domain/complaints/policy.js';
import { ensureAllHoursCalendar, seconds } from './sla.js';
import { call, post, type Stack } from './stack.js';

let n = 0;
const hour = seconds(3600);

/** Adds a complaint policy for a fresh product line; every target is an hour unless overridden. */
export async function fastComplaintPolicy(
  stack: Stack,
  targets: Partial<
    Record<Priority, Partial<{ acknowledge: Target; resolve: Target; progressUpdate: Target }>>
  > = {},
  extra: Partial<ComplaintPolicy> = {},
): Promise<string> {
  await ensureAllHoursCalendar(stack);
  n += 1;
  const line = `cline-${process.pid}-${Date.now()}-${n}`;
  const base = { acknowledge: hour, resolve: hour, progressUpdate: hour };
  const policy: ComplaintPolicy = {
    ...DEFAULT_COMPLAINT_POLICY,
    id: `fast-complaints-${process.pid}-${n}-${Date.now()}`,
    version: 1,
    name: 'fast complaint policy',
    calendarId: 'always',
    ...extra,
    match: { productLine: line },
    targets: {
      P1: { ...base, ...targets.P1 },
      P2: { ...base, ...targets.P2 },
      P3: { ...base, ...targets.P3 },
      P4: { ...base, ...targets.P4 },
    },
  };
  await stack.db.db
    .insert(complaintPolicies)
    .values({ id: policy.id, version: 1, name: policy.name, definition: policy });
  return line;
}

let ticket = 0;
export function complaintBody(line?: string, overrides: Record<string, unknown> = {}) {
  ticket += 1;
  return {
    channel: 'phone',
    customer: { name: '李娜', phone: '+86 139 0000 0000', region: '华东' },
    product: {
      model: 'HX-200 空压机',
      serialNumber: `CSN-${process.pid}-${ticket}`,
      purchaseDate: '2025-05-01',
      ...(line ? { line } : {}),
    },
    complaint: {
      description: '维修后一周内再次故障，工程师态度差',
      category: 'service',
      urgency: 'medium',
      importance: 'high',
    },
    ...overrides,
  };
}

export async function openComplaint(stack: Stack, line?: string, overrides: Record<string, unknown> = {}) {
  const r = await post(stack.app, '/api/v1/complaints', complaintBody(line, overrides));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

export const complaintStep = (
  stack: Stack,
  id: string,
  name: string,
  body: Record<string, unknown>,
  headers = {},
) => post(stack.app, `/api/v1/complaints/${id}/${name}`, body, headers);

export async function complaintEscalations(stack: Stack, id: string, clock?: string) {
  const rows = await stack.db.sql<
    Array<{
      clock: string;
      cycle: number;
      level: number;
      name: string;
      recipient: string;
      due_at: Date;
      fired_at: Date;
    }>
  >`
    select clock, cycle, level, name, recipient, due_at, fired_at from complaint_escalations
    where complaint_id = ${id} ${clock ? stack.db.sql`and clock = ${clock}` : stack.db.sql``}
    order by clock, cycle, level`;
  return rows.map((r) => ({ ...r, due_at: new Date(r.due_at), fired_at: new Date(r.fired_at) }));
}

/**
 * Declares people in the staff directory: complaint owners, responsible persons and quality-issue owners
 * must be active people there. Roles only of departments (no engineer or manager), so other files'
 * assignment rankings and escalation chains do not meet them.
 */
export async function declarePeople(stack: Stack, people: Record<string, string[]>) {
  for (const [id, roles] of Object.entries(people)) {
    const r = await call(stack.app, 'PUT', `/api/v1/people/${id}`, { payload: { name: id, roles } });
    expect([200, 201], JSON.stringify(r.body)).toContain(r.status);
  }
}
