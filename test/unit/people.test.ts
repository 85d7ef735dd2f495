// Pure rules of the people domain: the escalation chain, quiet hours, channel choice, CSV, ranking.
import { describe, expect, it } from 'vitest';
import {
  chainOf,
  type Directory,
  type DirectoryPerson,
  resolveRecipients,
} from '../../domain/people/chain.js';
import { channelsFor, quietUntil } from '../../domain/people/channels.js';
import { parseCsv, toCsv } from '../../domain/people/csv.js';
import { rankEngineers } from '../../domain/people/ranking.js';
import { render } from '../../domain/people/templates.js';

const person = (id: string, p: Partial<DirectoryPerson> = {}): DirectoryPerson => ({
  id,
  name: id,
  roles: [],
  teamId: null,
  managerId: null,
  active: true,
  absences: [],
  ...p,
});

const at = new Date('2026-12-01T10:00:00Z');
const away = [
  { startsAt: new Date('2026-12-01T00:00:00Z'), endsAt: new Date('2026-12-02T00:00:00Z'), reason: '年假' },
];

function directory(
  overrides: Record<string, Partial<DirectoryPerson>> = {},
  onCall: Directory['onCall'] = [],
): Directory {
  const list = [
    person('eng', { roles: ['engineer'], teamId: 't1', managerId: 'lead' }),
    person('lead', { roles: ['engineer'], teamId: 't1', managerId: 'mgr' }),
    person('mgr', { roles: ['manager'], managerId: 'boss' }),
    person('boss', { roles: ['executive'] }),
    person('night', { roles: ['engineer'] }),
  ].map((p) => ({ ...p, ...overrides[p.id] }));
  return {
    people: new Map(list.map((p) => [p.id, p])),
    teams: new Map([['t1', { id: 't1', leadId: 'lead' }]]),
    onCall,
  };
}

describe('the escalation chain', () => {
  it('runs assignee → team lead → service manager → upper management', () => {
    expect(chainOf(directory(), 'eng')).toEqual([
      { personId: 'eng', position: 'assignee' },
      { personId: 'lead', position: 'team-lead' },
      { personId: 'mgr', position: 'service-manager' },
      { personId: 'boss', position: 'upper-management' },
    ]);
  });

  it('starts each ladder level at its place', () => {
    const r = (target: string) =>
      resolveRecipients(directory(), {
        target,
        assignee: 'eng',
        severity: 'normal',
        at,
        escalation: true,
      }).recipients.map((x) => [x.personId, x.position]);
    expect(r('eng')).toEqual([['eng', 'assignee']]);
    expect(r('service-manager')).toEqual([['mgr', 'service-manager']]);
    expect(r('upper-management')).toEqual([['boss', 'upper-management']]);
  });

  it('skips an absent person for the next in the chain and says why', () => {
    const res = resolveRecipients(directory({ mgr: { absences: away } }), {
      target: 'service-manager',
      assignee: 'eng',
      severity: 'normal',
      at,
      escalation: true,
    });
    expect(res.skipped).toEqual([
      {
        personId: 'mgr',
        name: 'mgr',
        position: 'service-manager',
        reason: 'absent (年假) until 2026-12-02T00:00:00.000Z',
      },
    ]);
    expect(res.recipients.map((x) => x.personId)).toEqual(['boss']);
    expect(res.recipients[0].reason).toContain('next in the chain after mgr');
  });

  it('an unassigned case starts at the directory’s service manager', () => {
    const res = resolveRecipients(directory(), {
      target: 'service-desk',
      assignee: null,
      severity: 'normal',
      at,
      escalation: true,
    });
    expect(res.recipients.map((x) => x.personId)).toEqual(['mgr']);
  });

  it('an emergency also reaches who is on call; a plain notification goes to its person even when absent', () => {
    const emergency = resolveRecipients(directory({}, [{ personId: 'night', teamId: null }]), {
      target: 'eng',
      assignee: 'eng',
      severity: 'emergency',
      at,
      escalation: true,
    });
    expect(emergency.recipients.map((x) => [x.personId, x.position])).toEqual([
      ['eng', 'assignee'],
      ['night', 'on-call'],
    ]);
    const plain = resolveRecipients(directory({ eng: { absences: away } }), {
      target: 'eng',
      assignee: 'eng',
      severity: 'normal',
      at,
      escalation: false,
    });
    expect(plain.recipients.map((x) => x.personId)).toEqual(['eng']);
    expect(
      resolveRecipients(directory(), {
        target: 'ghost',
        assignee: null,
        severity: 'normal',
        at,
        escalation: false,
      }).note,
    ).toBe('"ghost" is not in the directory');
  });
});

describe('department desks', () => {
  const withDesk = (extra: Record<string, Partial<DirectoryPerson>>) => {
    const d = directory();
    const people = new Map(d.people);
    for (const [id, p] of Object.entries(extra)) people.set(id, person(id, p));
    return { ...d, people };
  };
  const desk = (dir: Directory, escalation = true) =>
    resolveRecipients(dir, { target: 'desk:rnd', assignee: null, severity: 'normal', at, escalation });

  it('reach everyone holding the department role; absent or inactive people are skipped with the reason', () => {
    const res = desk(
      withDesk({
        'rnd-a': { roles: ['rnd'] },
        'rnd-b': { roles: ['rnd'], absences: away },
        'rnd-c': { roles: ['rnd'], active: false },
        'prod-a': { roles: ['production'] },
      }),
    );
    expect(res.recipients.map((x) => [x.personId, x.position])).toEqual([['rnd-a', 'desk']]);
    expect(res.skipped.map((x) => [x.personId, x.reason])).toEqual([
      ['rnd-b', 'absent (年假) until 2026-12-02T00:00:00.000Z'],
      ['rnd-c', 'inactive'],
    ]);
    // A plain notification reaches the absent one too.
    expect(desk(withDesk({ 'rnd-b': { roles: ['rnd'], absences: away } }), false).recipients).toHaveLength(1);
  });

  it('a desk with nobody there falls to the service manager and says so', () => {
    const res = desk(withDesk({ 'rnd-b': { roles: ['rnd'], absences: away } }));
    expect(res.recipients.map((x) => [x.personId, x.position])).toEqual([['mgr', 'service-manager']]);
    expect(res.note).toBe('everyone at the rnd desk is away; the service manager instead');
    expect(desk(directory()).note).toBe(
      'nobody holds role "rnd" for the rnd desk; the service manager instead',
    );
  });
});

describe('quiet hours and channels', () => {
  const q = { start: '22:00', end: '07:00', timeZone: 'Asia/Shanghai' };
  it('hold from their start to their end, across midnight', () => {
    // 23:30 and 06:00 Beijing time are quiet; 12:00 is not.
    expect(quietUntil(q, new Date('2026-12-01T15:30:00Z'))?.toISOString()).toBe('2026-12-01T23:00:00.000Z');
    expect(quietUntil(q, new Date('2026-12-01T22:00:00Z'))?.toISOString()).toBe('2026-12-01T23:00:00.000Z');
    expect(quietUntil(q, new Date('2026-12-01T04:00:00Z'))).toBeNull();
    expect(
      quietUntil({ start: '12:00', end: '13:00' }, new Date('2026-12-01T04:30:00Z'))?.toISOString(),
    ).toBe('2026-12-01T05:00:00.000Z');
    expect(quietUntil(null, at)).toBeNull();
  });
  it('channels per kind, else the default list, else all', () => {
    const prefs = {
      channels: { 'sla.breached': ['sms' as const], default: ['email' as const, 'wecom' as const] },
    };
    expect(channelsFor(prefs, 'sla.breached')).toEqual(['sms']);
    expect(channelsFor(prefs, 'case.assigned')).toEqual(['email', 'wecom']);
    expect(channelsFor({}, 'x')).toEqual(['email', 'wecom', 'dingtalk', 'feishu', 'sms']);
  });
  it('templates in both languages', () => {
    const d = {
      caseId: 'C0000001',
      kind: 'sla.breached',
      clock: 'repair',
      dueAt: '2026-12-01T10:00:00Z',
      severity: 'normal',
    };
    expect(render('sla.breached', 'zh', d).title).toBe('【超时】工单 C0000001 的修复时限已超时');
    expect(render('sla.breached', 'en', d).title).toBe('[Breach] case C0000001: repair deadline missed');
    expect(render('unknown.kind', 'en', d).title).toBe('[unknown.kind] case C0000001');
    // A reorder purchase order's notification has no case: it names the order.
    const late = {
      caseId: null,
      purchaseOrderId: 'PO0000012',
      kind: 'parts.purchase_order_late',
      dueAt: d.dueAt,
    };
    expect(render('parts.purchase_order_late', 'zh', late).title).toBe(
      '【采购逾期】采购订单 PO0000012 未按期到货',
    );
    expect(render('parts.purchase_order_late', 'zh', late).body).toContain('（补货）');
    expect(render('parts.purchase_order_late', 'en', { ...late, caseId: 'C0000001' }).body).toContain(
      'Purchase order PO0000012 (case C0000001) was promised for',
    );
    expect(render('unknown.kind', 'en', late).title).toBe('[unknown.kind] purchase order PO0000012');
    // Complaints and quality issues are named as such; their escalations have one template each.
    expect(render('unknown.kind', 'zh', { ...d, caseId: 'CP0000007' }).title).toBe(
      '【unknown.kind】投诉 CP0000007',
    );
    const step = {
      caseId: 'CP0000007',
      kind: 'complaint.action.overdue',
      clock: 'action:A2',
      name: 'overdue',
    };
    expect(render('complaint.action.overdue', 'zh', { ...step, priority: 'P2' }).title).toBe(
      '【overdue】投诉 CP0000007（P2）的整改措施期限 A2',
    );
    expect(
      render('quality.stage.breach', 'en', {
        caseId: 'Q0000003',
        kind: 'quality.stage.breach',
        clock: 'stage:analysis',
        name: 'breach',
      }).title,
    ).toBe('[breach] the analysis stage deadline of quality issue Q0000003');
  });
});

describe('CSV', () => {
  it('round-trips quotes, commas, line breaks and a BOM', () => {
    const rows = [
      ['id', 'name'],
      ['a', 'Zhang, "San"'],
      ['b', '两行\n文字'],
    ];
    expect(parseCsv(`\uFEFF${toCsv(rows)}`)).toEqual(rows);
    expect(() => parseCsv('id,name\na,"open')).toThrow('line 2: a quoted field is not closed');
  });
});

describe('assignment ranking', () => {
  const base = { teamId: null, region: null, productLines: [], models: [], openCases: 0, absentUntil: null };
  it('available, then model over line, then region, then workload, then id', () => {
    const ranked = rankEngineers(
      [
        {
          ...base,
          id: 'absent-expert',
          name: 'a',
          models: ['HX-200'],
          absentUntil: new Date('2026-12-02T00:00:00Z'),
        },
        { ...base, id: 'line-local', name: 'b', productLines: ['compressors'], region: '华东' },
        { ...base, id: 'model-far', name: 'c', models: ['hx-200'], region: '华南', openCases: 5 },
        { ...base, id: 'model-local-busy', name: 'd', models: ['HX-200'], region: '华东', openCases: 3 },
        { ...base, id: 'model-local-free', name: 'e', models: ['HX-200'], region: '华东', openCases: 1 },
        { ...base, id: 'nobody', name: 'f' },
      ],
      { model: 'HX-200', productLine: 'compressors', region: '华东' },
    );
    expect(ranked.map((s) => s.personId)).toEqual([
      'model-local-free',
      'model-local-busy',
      'model-far',
      'line-local',
      'nobody',
      'absent-expert',
    ]);
    expect(ranked[0]).toMatchObject({ rank: 1, skill: 'model', regionMatch: true, available: true });
    expect(ranked[0].reasons).toEqual(['available', 'knows model HX-200', 'in region 华东', '1 open case']);
    expect(ranked[5].reasons[0]).toBe('absent until 2026-12-02T00:00:00.000Z');
  });
});
