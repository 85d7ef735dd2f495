import { it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { loadSlaSnapshot } from '../../db/sla-store.js';
import { startStack } from '../support/stack.js';
it('probe', async () => {
  const stack = await startStack();
  const doc = (await stack.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  writeFileSync('/tmp/slatmp/openapi.json', JSON.stringify(doc, null, 1));
  for (let i = 0; i < 5; i++) await loadSlaSnapshot(stack.db.db, { severity: 'normal' }, new Date());
  const t = [];
  for (let i = 0; i < 50; i++) { const t0 = performance.now(); await loadSlaSnapshot(stack.db.db, { severity: 'normal' }, new Date()); t.push(performance.now() - t0); }
  t.sort((a, b) => a - b);
  console.log('snapshot ms p50', t[25].toFixed(2), 'p95', t[47].toFixed(2), 'max', t[49].toFixed(2));
  const s = await loadSlaSnapshot(stack.db.db, { severity: 'normal' }, new Date());
  console.log('snapshot bytes', JSON.stringify(s).length, 'overrides', s.calendar.overrides.length);
  // concurrency
  const body = { name: 'c', match: { productLine: 'probe-line' }, calendarId: 'cn', targets: { response: { normal: { amount: 1, unit: 'hours' }, emergency: { amount: 1, unit: 'hours' } }, arrival: { emergency: { amount: 1, unit: 'hours' } }, repair: { ordinary: { amount: 1, unit: 'hours' }, complex: { amount: 1, unit: 'hours' } } } };
  const posts = await Promise.all(Array.from({ length: 8 }, () => stack.app.inject({ method: 'POST', url: '/api/v1/sla-policies', payload: { id: 'probe', ...body } })));
  console.log('posts', posts.map((r) => r.statusCode).join(','));
  const puts = await Promise.all(Array.from({ length: 8 }, () => stack.app.inject({ method: 'PUT', url: '/api/v1/sla-policies/probe', payload: body })));
  console.log('puts', puts.map((r) => r.statusCode + ':' + r.json().version).join(','));
  const d = (await stack.app.inject({ method: 'GET', url: '/api/v1/sla-policies/probe' })).json();
  console.log('versions', d.versions.map((v) => `${v.version}${v.retiredAt ? 'r' : 'c'}`).join(','));
  await stack.app.inject({ method: 'DELETE', url: '/api/v1/sla-policies/probe' });
  const cal = { name: 'x', timeZone: 'UTC', weekly: [[], [{ start: '09:00', end: '17:00' }], [], [], [], [], []], workdayPeriods: [] };
  const cals = await Promise.all(Array.from({ length: 6 }, () => stack.app.inject({ method: 'PUT', url: '/api/v1/calendars/probe-cal', payload: cal })));
  console.log('cals', cals.map((r) => r.statusCode).join(','));
  const yrs = await Promise.all(Array.from({ length: 6 }, (_, i) => stack.app.inject({ method: 'PUT', url: '/api/v1/calendars/probe-cal/years/2025', payload: { overrides: [{ date: `2025-01-0${i + 1}`, kind: 'holiday' }] } })));
  console.log('yrs', yrs.map((r) => r.statusCode).join(','), (await stack.app.inject({ method: 'GET', url: '/api/v1/calendars/probe-cal' })).json().overrides.length);
  // large body
  const big = await stack.app.inject({ method: 'PUT', url: '/api/v1/calendars/probe-cal/years/2025', payload: { overrides: Array.from({ length: 365 }, (_, i) => ({ date: new Date(Date.UTC(2025, 0, 1 + i)).toISOString().slice(0, 10), kind: 'holiday' })) } });
  console.log('big', big.statusCode, big.json().detail);
  // make-up workday onto calendar with empty workdayPeriods
  const mk = await stack.app.inject({ method: 'PUT', url: '/api/v1/calendars/probe-cal/years/2026', payload: { overrides: [{ date: '2026-01-04', kind: 'workday' }] } });
  console.log('mk', mk.statusCode, mk.json().detail);
  const imp = await stack.app.inject({ method: 'POST', url: '/api/v1/calendars/probe-cal/years/2026/import', payload: { source: 'chinese-days' } });
  console.log('imp', imp.statusCode, imp.json().detail);
  await stack.close();
});
