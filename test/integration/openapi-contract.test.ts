// The OpenAPI document is the contract: the case, SLA, webhook and access operations are driven here to
// each success status they declare, through the client typed by the generated types (test/support/api.ts),
// and every answer — here and in every other test file — is checked against the document
// (test/support/contract.ts). `npm test` then checks that the suite exercised every documented success
// answer (scripts/contract-coverage.ts).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, expectStatus, type RequestBody, type Schemas } from '../support/api.js';
import { eventually, intakeBody, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
let api: ReturnType<typeof client>;
let admin: ReturnType<typeof client>;
let receiver: Server;
let receiverUrl: string;
const run = `${process.pid}-${Date.now()}`;

beforeAll(async () => {
  stack = await startStack({ surveyDelayMs: 60_000, surveyExpiryMs: 60_000 });
  api = client(stack.app, stack.keys.manager);
  admin = client(stack.app, stack.keys.admin);
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await new Promise((resolve) => receiver?.close(resolve));
  await stack?.close();
});

type IntakeBody = RequestBody<'/api/v1/cases', 'post'>;

async function openCase(body: IntakeBody): Promise<Schemas['Case']> {
  const r = await api.post('/api/v1/cases', { body });
  expectStatus(r, 201);
  return r.body;
}

const newIntake = (extra: Partial<IntakeBody> = {}) => ({ ...intakeBody(), ...extra }) as IntakeBody;

describe('every documented operation answers as documented', () => {
  it('health', async () => {
    const r = await api.get('/health', { key: null });
    expectStatus(r, 200);
    expect(r.body.status).toBe('ok');
  });

  it('cases: open (201, then 200 for the same ticket), read, list, find by ticket', async () => {
    const externalRef = { system: 'contract', id: `T-${run}` };
    const opened = await openCase(newIntake({ externalRef }));
    expect(opened.stage).toBe('intake');
    const again = await api.post('/api/v1/cases', { body: newIntake({ externalRef }) });
    expectStatus(again, 200);
    expect(again.body.id).toBe(opened.id);

    const read = await api.get('/api/v1/cases/{id}', { params: { id: opened.id } });
    expectStatus(read, 200);
    expect(read.body.timeline[0].type).toBe('created');

    const list = await api.get('/api/v1/cases', { query: { limit: '5', q: opened.product.serialNumber } });
    expectStatus(list, 200);
    expect(list.body.items.map((c) => c.id)).toEqual([opened.id]);

    const found = await api.get('/api/v1/external-refs/{system}/{ticketId}', {
      params: { system: externalRef.system, ticketId: externalRef.id },
    });
    expectStatus(found, 200);
    expect(found.body.cases[0].id).toBe(opened.id);
  });

  it('case steps: every step once, on three cases', async () => {
    const resolved = await openCase(newIntake());
    const r0 = await api.post('/api/v1/cases/{id}/resolve-at-intake', {
      params: { id: resolved.id },
      body: { answer: '重启后恢复正常' },
    });
    expectStatus(r0, 200);
    expect(r0.body.stage).toBe('closed');

    const cancelled = await openCase(newIntake());
    const c0 = await api.post('/api/v1/cases/{id}/cancel', {
      params: { id: cancelled.id },
      body: { reason: '客户撤单' },
    });
    expectStatus(c0, 200);
    expect(c0.body.outcome).toBe('cancelled');

    const { id } = await openCase(newIntake());
    const params = { id };
    const steps = [
      () => api.post('/api/v1/cases/{id}/assign', { params, body: { engineer: 'test-engineer' } }),
      () => api.post('/api/v1/cases/{id}/wait-for-customer', { params, body: { reason: '请提供铭牌照片' } }),
      () => api.post('/api/v1/cases/{id}/customer-responded', { params, body: { note: '已收到照片' } }),
      () =>
        api.post('/api/v1/cases/{id}/messages', {
          params,
          body: { kind: 'contact_attempt', channel: 'phone', outcome: 'no_answer' },
        }),
      () =>
        api.post('/api/v1/cases/{id}/diagnose', {
          params,
          body: {
            cause: '轴承磨损',
            plan: '更换轴承',
            complexity: 'ordinary',
            parts: [{ partNumber: 'BRG-6204', quantity: 2 }],
          },
        }),
      () => api.post('/api/v1/cases/{id}/parts-ready', { params, body: { note: '仓库已出库' } }),
      () =>
        api.post('/api/v1/cases/{id}/schedule', {
          params,
          body: { mode: 'carry_in', agreedAt: new Date(Date.now() + 86_400_000).toISOString() },
        }),
      () => api.post('/api/v1/cases/{id}/check-in', { params, body: {} }),
      () =>
        api.post('/api/v1/cases/{id}/complete-repair', {
          params,
          body: {
            symptom: '异响',
            cause: '轴承磨损',
            actions: '更换轴承',
            partsReplaced: [{ partNumber: 'BRG-6204', quantity: 2 }],
            test: { passed: true },
            usageExplained: true,
          },
        }),
      () => api.post('/api/v1/cases/{id}/customer-feedback', { params, body: { accepted: true } }),
      () =>
        api.post('/api/v1/cases/{id}/survey-response', {
          params,
          body: { serviceQuality: 5, repairEffect: 4, attitude: 5, via: 'online' },
        }),
    ];
    const stages: string[] = [];
    for (const step of steps) {
      const r = await step();
      expectStatus(r, 200);
      stages.push(r.body.stage);
    }
    expect(stages).toEqual([
      'assigned',
      'assigned',
      'assigned',
      'assigned',
      'awaiting_parts',
      'diagnosed',
      'scheduled',
      'in_repair',
      'repaired',
      'survey',
      'closed',
    ]);
    const done = await api.get('/api/v1/cases/{id}', { params });
    expectStatus(done, 200);
    expect(done.body.stages?.contacts.map((c) => c.outcome)).toEqual(['no_answer']);
    expect(done.body.stages?.survey?.response?.repairEffect).toBe(4);
  }, 300_000); // eleven steps in a row: slow on a loaded machine, not wrong

  it('escalations', async () => {
    const r = await api.get('/api/v1/escalations', { query: { limit: '1' } });
    expectStatus(r, 200);
  });

  it('calendars: list, read, create and replace, put a year, import a year', async () => {
    expectStatus(await api.get('/api/v1/calendars'), 200);
    const cn = await api.get('/api/v1/calendars/{id}', { params: { id: 'cn' }, query: { year: '2026' } });
    expectStatus(cn, 200);
    const id = `contract-${Date.now().toString(36)}`;
    const body = {
      name: '合同测试日历',
      timeZone: 'Asia/Shanghai',
      weekly: [[], ...Array.from({ length: 5 }, () => [{ start: '09:00', end: '18:00' }]), []],
      workdayPeriods: [{ start: '09:00', end: '18:00' }],
    };
    expectStatus(await api.put('/api/v1/calendars/{id}', { params: { id }, body }), 201);
    expectStatus(await api.put('/api/v1/calendars/{id}', { params: { id }, body }), 200);
    const year = await api.put('/api/v1/calendars/{id}/years/{year}', {
      params: { id, year: '2030' },
      body: { overrides: [{ date: '2030-01-01', kind: 'holiday', name: '元旦' }] },
    });
    expectStatus(year, 200);
    expect(year.body.coveredYears).toContain(2030);
    const imported = await api.post('/api/v1/calendars/{id}/years/{year}/import', {
      params: { id, year: '2025' },
      body: { source: 'chinese-days' },
    });
    expectStatus(imported, 200);
    expect(imported.body.overrides.length).toBeGreaterThan(0);
  });

  it('SLA policies: list, read, read a version, create, replace, retire', async () => {
    expectStatus(await api.get('/api/v1/sla-policies'), 200);
    expectStatus(await api.get('/api/v1/sla-policies/{id}', { params: { id: 'default' } }), 200);
    expectStatus(
      await api.get('/api/v1/sla-policies/{id}/versions/{version}', {
        params: { id: 'default', version: '1' },
      }),
      200,
    );
    const id = `contract-${Date.now().toString(36)}`;
    const hours = (amount: number) => ({ amount, unit: 'hours' as const });
    const definition = {
      name: '合同测试标准',
      match: { productLine: `contract-line-${run}` },
      calendarId: 'cn',
      targets: {
        response: { normal: hours(4), emergency: hours(1) },
        arrival: { emergency: hours(8) },
        repair: { ordinary: hours(72), complex: hours(168) },
      },
    };
    const created = await api.post('/api/v1/sla-policies', { body: { id, ...definition } });
    expectStatus(created, 201);
    expect(created.body.version).toBe(1);
    const replaced = await api.put('/api/v1/sla-policies/{id}', {
      params: { id },
      body: { ...definition, repairOnDispute: 'restart' },
    });
    expectStatus(replaced, 200);
    expect(replaced.body.version).toBe(2);
    const retired = await api.delete('/api/v1/sla-policies/{id}', { params: { id } });
    expectStatus(retired, 200);
    expect(retired.body.current).toBe(false);
  });

  it('webhooks: subscribe, list, read, change, deliveries, one delivery, redeliver, delete', async () => {
    const created = await admin.post('/api/v1/webhooks', {
      body: { url: receiverUrl, eventTypes: ['case.created'], description: 'contract test' },
    });
    expectStatus(created, 201);
    expect(created.body.secret).toMatch(/^whsec_/);
    const params = { id: created.body.id };
    const c = await openCase(newIntake());

    // The workflow's first projection writes the event (and its delivery) just after intake answers.
    const mine = await eventually(async () => {
      const deliveries = await admin.get('/api/v1/webhooks/{id}/deliveries', {
        params,
        query: { caseId: c.id },
      });
      expectStatus(deliveries, 200);
      return deliveries.body.items[0];
    });
    expect(mine.eventType).toBe('case.created');
    const one = await admin.get('/api/v1/webhooks/{id}/deliveries/{deliveryId}', {
      params: { ...params, deliveryId: String(mine.id) },
    });
    expectStatus(one, 200);
    expect(one.body.payload.type).toBe('case.created');
    const again = await admin.post('/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver', {
      params: { ...params, deliveryId: String(mine.id) },
    });
    expectStatus(again, 202);
    expect(again.body.status).toBe('pending');

    expectStatus(await admin.get('/api/v1/webhooks'), 200);
    expectStatus(await admin.get('/api/v1/webhooks/{id}', { params }), 200);
    const changed = await admin.patch('/api/v1/webhooks/{id}', { params, body: { active: false } });
    expectStatus(changed, 200);
    expect(changed.body.active).toBe(false);
    expectStatus(await admin.delete('/api/v1/webhooks/{id}', { params }), 204);
  });

  it('API keys and the audit trail', async () => {
    const created = await admin.post('/api/v1/api-keys', {
      body: { name: 'contract test', role: 'finance', personId: 'contract-finance' },
    });
    expectStatus(created, 201);
    expect(created.body.key).toMatch(/^shk_/);
    const listed = await admin.get('/api/v1/api-keys');
    expectStatus(listed, 200);
    expect(listed.body.items.map((k) => k.id)).toContain(created.body.id);
    const revoked = await admin.delete('/api/v1/api-keys/{id}', { params: { id: created.body.id } });
    expectStatus(revoked, 200);
    expect(revoked.body.revokedAt).not.toBeNull();
    const audit = await admin.get('/api/v1/audit', { query: { target: created.body.id } });
    expectStatus(audit, 200);
    expect(audit.body.items.map((a) => a.method)).toEqual(['DELETE']);
  });

  it('spare parts: catalogue, warehouses, suppliers, stock (the purchase flow is driven in parts.test.ts)', async () => {
    const procurement = client(stack.app, stack.keys.procurement);
    const warehouse = `CT-${run}`;
    const partNumber = `CT-P-${run}`;
    const supplierId = `ct-s-${run}`;
    expectStatus(
      await procurement.put('/api/v1/warehouses/{id}', {
        params: { id: warehouse },
        body: { name: '合同测试库', kind: 'central', priority: 500 },
      }),
      200,
    );
    expectStatus(await procurement.get('/api/v1/warehouses'), 200);
    expectStatus(
      await procurement.put('/api/v1/parts/{partNumber}', {
        params: { partNumber },
        body: { name: '压缩机阀片', standardCost: 100 },
      }),
      200,
    );
    expectStatus(await procurement.get('/api/v1/parts/{partNumber}', { params: { partNumber } }), 200);
    expectStatus(await procurement.get('/api/v1/parts', { query: { limit: '5' } }), 200);
    const moved = await procurement.post('/api/v1/stock/movements', {
      body: { kind: 'receive', partNumber, warehouseId: warehouse, quantity: 3, unitCost: 90 },
    });
    expectStatus(moved, 201);
    expectStatus(await procurement.get('/api/v1/stock', { query: { partNumber } }), 200);
    expectStatus(await procurement.get('/api/v1/stock/movements', { query: { partNumber } }), 200);
    expectStatus(
      await procurement.put('/api/v1/suppliers/{id}', {
        params: { id: supplierId },
        body: {
          name: '合同测试供应商',
          contact: { phone: '021-0000' },
          status: 'qualified',
          parts: [{ partNumber, price: 100, leadTimeDays: 3 }],
        },
      }),
      200,
    );
    expectStatus(await procurement.get('/api/v1/suppliers/{id}', { params: { id: supplierId } }), 200);
    expectStatus(await procurement.get('/api/v1/suppliers'), 200);
    expectStatus(
      await procurement.get('/api/v1/suppliers/{id}/evaluation', { params: { id: supplierId } }),
      200,
    );
    expectStatus(await api.get('/api/v1/parts-requests', { query: { limit: '5' } }), 200);
    expectStatus(await api.get('/api/v1/purchases', { query: { limit: '5' } }), 200);
  });

  it('answered as documented', () => {
    // Coverage of the whole document is checked across the suite: scripts/contract-coverage.ts.
    expect(stack.contract.violations).toEqual([]);
  });
});
