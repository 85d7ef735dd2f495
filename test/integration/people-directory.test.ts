// The directory API: people, teams, absences, the on-call rota, CSV import and export, assignment
// suggestions; bad input answers 4xx problem+json naming the problem and writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, intakeBody, post, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.close());

const run = `${process.pid}`;
const id = (name: string) => `${name}-d${run}`;
const put = (url: string, payload: unknown) => call(stack.app, 'PUT', url, { payload });
const csvImport = (csv: string) =>
  stack.app.inject({
    method: 'POST',
    url: '/api/v1/people/import',
    headers: { authorization: `Bearer ${stack.keys.admin}`, 'content-type': 'text/csv' },
    payload: csv,
  });

describe('people and teams', () => {
  it('creates, reads and replaces a person; shows their chain', async () => {
    expect((await put(`/api/v1/people/${id('boss')}`, { name: '赵总', roles: ['executive'] })).status).toBe(
      201,
    );
    expect(
      (
        await put(`/api/v1/people/${id('mgr')}`, {
          name: '钱经理',
          roles: ['manager'],
          managerId: id('boss'),
        })
      ).status,
    ).toBe(201);
    const r = await put(`/api/v1/people/${id('eng')}`, {
      name: '李工',
      roles: ['engineer'],
      managerId: id('mgr'),
      region: '华东',
      models: ['HX-200'],
      email: 'li@example.test',
    });
    expect(r.status).toBe(201);
    expect(r.body.chain).toEqual([
      { personId: id('mgr'), position: 'service-manager' },
      { personId: id('boss'), position: 'upper-management' },
    ]);
    const again = await put(`/api/v1/people/${id('eng')}`, {
      name: '李伟',
      roles: ['engineer'],
      managerId: id('mgr'),
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ name: '李伟', region: null, models: [] });
    const listed = await call(stack.app, 'GET', `/api/v1/people?role=executive&limit=100`);
    expect(listed.body.items.map((p: { id: string }) => p.id)).toContain(id('boss'));
  });

  it('refuses bad references, loops and bad fields with 4xx naming the problem', async () => {
    const bad = [
      [{ name: 'x', teamId: 'no-such-team' }, 'teamId "no-such-team" is not a team'],
      [{ name: 'x', managerId: 'nobody-here' }, 'managerId "nobody-here" is not a person'],
      [{ name: 'x', calendarId: 'nope' }, 'calendarId "nope" is not a calendar'],
    ] as const;
    for (const [body, detail] of bad) {
      const r = await put(`/api/v1/people/${id('bad')}`, body);
      expect(r.status).toBe(422);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.body.detail).toBe(detail);
    }
    const loop = await put(`/api/v1/people/${id('boss')}`, {
      name: '赵总',
      roles: ['executive'],
      managerId: id('eng'),
    });
    expect(loop.status).toBe(422);
    expect(loop.body.detail).toContain('loop in the manager chain');
    const self = await put(`/api/v1/people/${id('boss')}`, { name: '赵总', managerId: id('boss') });
    expect(self.status).toBe(422);
    expect((await put(`/api/v1/people/${id('bad')}`, { name: 'x', roles: ['wizard'] })).status).toBe(400);
    expect((await put(`/api/v1/people/${id('bad')}`, { name: 'x', email: 'not-mail' })).status).toBe(400);
    expect((await put('/api/v1/people/Bad%20Id', { name: 'x' })).status).toBe(400);
    expect((await call(stack.app, 'GET', `/api/v1/people/${id('bad')}`)).status).toBe(404);
    // Engineers read the directory but may not write it.
    expect(
      (
        await call(stack.app, 'PUT', `/api/v1/people/${id('bad')}`, {
          key: stack.keys.engineer,
          payload: { name: 'x' },
        })
      ).status,
    ).toBe(403);
  });

  it('teams, absences and the on-call rota; windows must end after they start', async () => {
    const t = await put(`/api/v1/teams/${id('east')}`, {
      name: '华东组',
      leadId: id('eng'),
      robots: { dingtalk: { url: 'https://oapi.dingtalk.com/robot/send?access_token=x', secret: 'SECx' } },
    });
    expect(t.status).toBe(201);
    expect(t.body.robots.dingtalk).toEqual({
      url: 'https://oapi.dingtalk.com/robot/send?access_token=x',
      signed: true,
    });
    expect(JSON.stringify(t.body)).not.toContain('SECx');
    expect((await put(`/api/v1/teams/${id('west')}`, { name: 'w', leadId: 'ghost-person' })).status).toBe(
      422,
    );
    expect(
      (await put(`/api/v1/teams/${id('west')}`, { name: 'w', robots: { wecom: { url: 'ftp://x' } } })).status,
    ).toBe(422);

    const start = new Date(Date.now() + 3_600_000).toISOString();
    const end = new Date(Date.now() + 7_200_000).toISOString();
    const absence = await call(stack.app, 'POST', `/api/v1/people/${id('eng')}/absences`, {
      payload: { startsAt: start, endsAt: end, reason: '培训' },
    });
    expect(absence.status).toBe(201);
    const backwards = await call(stack.app, 'POST', `/api/v1/people/${id('eng')}/absences`, {
      payload: { startsAt: end, endsAt: start },
    });
    expect(backwards.status).toBe(422);
    expect(backwards.body.detail).toBe('"endsAt" must be after "startsAt"');
    const detail = await call(stack.app, 'GET', `/api/v1/people/${id('eng')}`);
    expect(detail.body.absences).toEqual([
      { id: absence.body.id, startsAt: start, endsAt: end, reason: '培训' },
    ]);
    expect(
      (await call(stack.app, 'DELETE', `/api/v1/people/${id('eng')}/absences/${absence.body.id}`)).status,
    ).toBe(204);

    const shift = await call(stack.app, 'POST', '/api/v1/oncall-shifts', {
      payload: { personId: id('eng'), teamId: id('east'), startsAt: start, endsAt: end },
    });
    expect(shift.status).toBe(201);
    const during = await call(
      stack.app,
      'GET',
      `/api/v1/oncall-shifts?at=${encodeURIComponent(new Date(Date.now() + 5_400_000).toISOString())}`,
    );
    expect(during.body.items.map((s: { id: number }) => s.id)).toContain(shift.body.id);
    expect(
      (
        await call(stack.app, 'POST', '/api/v1/oncall-shifts', {
          payload: { personId: 'ghost-person', startsAt: start, endsAt: end },
        })
      ).status,
    ).toBe(422);
  });

  it('reads a team; deletes an on-call shift; a person reads and replaces their own preferences', async () => {
    expect((await put(`/api/v1/people/${id('pref')}`, { name: '周工', roles: ['engineer'] })).status).toBe(
      201,
    );
    expect((await put(`/api/v1/teams/${id('north')}`, { name: '华北组', leadId: id('pref') })).status).toBe(
      201,
    );
    const team = await call(stack.app, 'GET', `/api/v1/teams/${id('north')}`);
    expect(team.status).toBe(200);
    expect(team.body).toMatchObject({ id: id('north'), name: '华北组', leadId: id('pref') });
    expect((await call(stack.app, 'GET', `/api/v1/teams/${id('nowhere')}`)).status).toBe(404);

    const startsAt = new Date(Date.now() + 3_600_000).toISOString();
    const endsAt = new Date(Date.now() + 7_200_000).toISOString();
    const shift = await call(stack.app, 'POST', '/api/v1/oncall-shifts', {
      payload: { personId: id('pref'), teamId: id('north'), startsAt, endsAt },
    });
    expect(shift.status).toBe(201);
    const onCallIds = async () =>
      (
        await call(stack.app, 'GET', `/api/v1/oncall-shifts?at=${encodeURIComponent(startsAt)}`)
      ).body.items.map((s: { id: number }) => s.id);
    expect(await onCallIds()).toContain(shift.body.id);
    expect((await call(stack.app, 'DELETE', `/api/v1/oncall-shifts/${shift.body.id}`)).status).toBe(204);
    expect(await onCallIds()).not.toContain(shift.body.id);
    expect((await call(stack.app, 'DELETE', `/api/v1/oncall-shifts/${shift.body.id}`)).status).toBe(404);

    const key = await call(stack.app, 'POST', '/api/v1/api-keys', {
      key: stack.keys.admin,
      payload: { name: id('pref'), role: 'engineer', personId: id('pref') },
    });
    expect(key.status).toBe(201);
    const mine = { key: key.body.key };
    const before = await call(stack.app, 'GET', '/api/v1/me/preferences', mine);
    expect(before.status).toBe(200);
    expect(before.body.quietHours ?? null).toBeNull();
    const wanted = {
      channels: { default: ['wecom', 'email'], 'sla.breached': ['sms', 'email'] },
      quietHours: { start: '22:00', end: '07:00', timeZone: 'Asia/Shanghai' },
    };
    const replaced = await call(stack.app, 'PUT', '/api/v1/me/preferences', { ...mine, payload: wanted });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toEqual(wanted);
    expect((await call(stack.app, 'GET', '/api/v1/me/preferences', mine)).body).toEqual(wanted);
    const badZone = await call(stack.app, 'PUT', '/api/v1/me/preferences', {
      ...mine,
      payload: { quietHours: { start: '22:00', end: '07:00', timeZone: 'Mars/Olympus' } },
    });
    expect(badZone.status).toBe(422);
    expect(badZone.body.detail).toContain('Mars/Olympus');
    // The refused change wrote nothing.
    expect((await call(stack.app, 'GET', '/api/v1/me/preferences', mine)).body).toEqual(wanted);
  });
});

describe('CSV', () => {
  it('imports all rows (a manager further down the file) and exports them back', async () => {
    const csv = [
      'id,name,roles,team,region,manager,productLines,models,email,mobile,locale,active',
      `${id('c1')},"Wang, Fang",engineer,,华南,${id('c2')},compressors,HX-200|HX-300,wf@example.test,13800000001,en,true`,
      `${id('c2')},孙经理,manager,,华南,,,,,,zh,`,
    ].join('\n');
    const r = await csvImport(csv);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ created: 2, updated: 0 });
    const again = await csvImport(csv);
    expect(again.json()).toEqual({ created: 0, updated: 2 });
    const c1 = await call(stack.app, 'GET', `/api/v1/people/${id('c1')}`);
    expect(c1.body).toMatchObject({
      name: 'Wang, Fang',
      managerId: id('c2'),
      models: ['HX-200', 'HX-300'],
      locale: 'en',
    });

    const exported = await stack.app.inject({
      method: 'GET',
      url: '/api/v1/people/export',
      headers: { authorization: `Bearer ${stack.keys.manager}` },
    });
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toContain('text/csv');
    expect(exported.body.split('\r\n')[0]).toBe(
      'id,name,roles,team,region,manager,productLines,models,email,mobile,wecomId,dingtalkId,feishuId,calendar,locale,active',
    );
    expect(exported.body).toContain(
      `${id('c1')},"Wang, Fang",engineer,,华南,${id('c2')},compressors,HX-200|HX-300,wf@example.test`,
    );
  });

  it('a bad row rejects the whole file, naming its line', async () => {
    const cases = [
      [
        `id,name,manager\n${id('c3')},ok,\n${id('c4')},loop,${id('c4')}`,
        'line 3: a person cannot be their own manager',
      ],
      [`id,name,roles\n${id('c3')},ok,wizard`, 'line 2: unknown roles wizard'],
      [`id,name\nBAD ID,x`, 'line 2: id "BAD ID" must be lowercase letters, digits, ".", "_" or "-"'],
      [`id,name,shoe\n${id('c3')},x,42`, 'CSV: unknown columns shoe'],
      [`id,name,team\n${id('c3')},x,no-team`, 'line 2: teamId "no-team" is not a team'],
      [`id,name\n${id('c3')},"open`, 'CSV: line 2: a quoted field is not closed'],
      [`id,name,manager\n${id('c3')},x,${id('c5')}\n${id('c5')},y,${id('c3')}`, 'loop in the manager chain'],
    ];
    for (const [csv, detail] of cases) {
      const r = await csvImport(csv);
      expect(r.statusCode, csv).toBe(422);
      expect(r.json().detail).toContain(detail);
    }
    // Nothing of the rejected files was written.
    expect((await call(stack.app, 'GET', `/api/v1/people/${id('c3')}`)).status).toBe(404);
    const wrongType = await stack.app.inject({
      method: 'POST',
      url: '/api/v1/people/import',
      headers: { authorization: `Bearer ${stack.keys.admin}`, 'content-type': 'application/json' },
      payload: { id: 'x' },
    });
    expect(wrongType.statusCode).toBeGreaterThanOrEqual(400);
    expect(wrongType.statusCode).toBeLessThan(500);
  });
});

describe('assignment suggestions', () => {
  it('ranks engineers as documented, with reasons', async () => {
    const model = `SUG-${run}`;
    const team = id('sug');
    expect((await put(`/api/v1/teams/${team}`, { name: 'suggestions' })).status).toBe(201);
    const eng = (name: string, body: Record<string, unknown>) =>
      put(`/api/v1/people/${id(name)}`, { name, roles: ['engineer'], teamId: team, ...body });
    await eng('s-model-east', { models: [model], region: '华东' });
    await eng('s-model-south', { models: [model], region: '华南' });
    await eng('s-line-east', { productLines: [`line-${run}`], region: '华东' });
    await eng('s-none', {});
    await eng('s-away', { models: [model], region: '华东' });
    await call(stack.app, 'POST', `/api/v1/people/${id('s-away')}/absences`, {
      payload: {
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    // The first model expert already has two open cases: the other one still ranks below on region.
    for (let i = 0; i < 2; i++) {
      const c = await post(stack.app, '/api/v1/cases', intakeBody());
      expect(
        (await post(stack.app, `/api/v1/cases/${c.body.id}/assign`, { engineer: id('s-model-east') })).status,
      ).toBe(200);
    }
    const body = intakeBody();
    // The case's region comes with the intake (the customer's region); ?region= would override it.
    const created = await post(stack.app, '/api/v1/cases', {
      ...body,
      customer: { ...body.customer, region: '华东' },
      product: { ...body.product, model, line: `line-${run}` },
    });
    expect(created.body.customer.region).toBe('华东');
    const r = await call(
      stack.app,
      'GET',
      `/api/v1/cases/${created.body.id}/assignment-suggestions?teamId=${team}`,
    );
    expect(r.status).toBe(200);
    expect(r.body.items.map((s: { personId: string }) => s.personId)).toEqual([
      id('s-model-east'),
      id('s-model-south'),
      id('s-line-east'),
      id('s-none'),
      id('s-away'),
    ]);
    expect(r.body.items[0]).toMatchObject({ rank: 1, skill: 'model', regionMatch: true, openCases: 2 });
    expect(r.body.items[0].reasons).toEqual([
      'available',
      `knows model ${model}`,
      'in region 华东',
      '2 open cases',
    ]);
    expect((await call(stack.app, 'GET', '/api/v1/cases/C9999999/assignment-suggestions')).status).toBe(404);
    expect(
      (await call(stack.app, 'GET', `/api/v1/cases/${created.body.id}/assignment-suggestions?limit=0`))
        .status,
    ).toBe(400);
    expect(
      (
        await call(stack.app, 'GET', `/api/v1/cases/${created.body.id}/assignment-suggestions`, {
          key: stack.keys.engineer,
        })
      ).status,
    ).toBe(403);
  });
});

describe('auto-assign', () => {
  it('a team with auto-assign takes new cases of a product its engineers know; others wait for triage', async () => {
    const model = `AUTO-${run}`;
    const team = id('auto');
    expect((await put(`/api/v1/teams/${team}`, { name: 'auto', autoAssign: true })).status).toBe(201);
    expect(
      (
        await put(`/api/v1/people/${id('auto-eng')}`, {
          name: '自动',
          roles: ['engineer'],
          teamId: team,
          models: [model],
        })
      ).status,
    ).toBe(201);
    const body = intakeBody();
    const mine = await post(stack.app, '/api/v1/cases', { ...body, product: { ...body.product, model } });
    expect(mine.status).toBe(201);
    expect(mine.body).toMatchObject({ stage: 'assigned', assignee: id('auto-eng') });
    expect(mine.body.timeline.at(-1)).toMatchObject({ type: 'assigned', actor: 'system:auto-assign' });
    const other = await post(stack.app, '/api/v1/cases', intakeBody());
    expect(other.body.stage).toBe('intake');
  });
});
