// The staff directory: people, teams, absences, the on-call rota, CSV import and export. Managers and
// admins write it; staff read it. Every write checks its references (team, manager, calendar) and that
// the manager chain has no loop, under one lock, inside one transaction: a bad row changes nothing.
import { and, asc, count, eq, gt, gte, lte, type SQL, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../../db/client.js';
import { calendars, oncallShifts, people, personAbsences, teams } from '../../../db/schema.js';
import { lockKey, type Tx } from '../../../db/sla-store.js';
import { chainOf, type Directory } from '../../../domain/people/chain.js';
import type { Preferences, TeamRobots } from '../../../domain/people/channels.js';
import { CSV_COLUMNS, parseCsv, splitList, toCsv } from '../../../domain/people/csv.js';
import { PERSON_ROLES } from '../../../domain/people/roles.js';
import type { AppDeps } from '../../app.js';
import { decodeCursor, encodeCursor } from '../../cursor.js';
import {
  absenceBody,
  absenceParams,
  PERSON_ID_PATTERN,
  peopleQuery,
  peopleResponses,
  personBody,
  personParams,
  shiftBody,
  shiftParams,
  shiftQuery,
  teamBody,
} from '../../people-schemas.js';
import { notFound, unprocessable } from '../../problem.js';

type PersonRow = typeof people.$inferSelect;
type TeamRow = typeof teams.$inferSelect;

export interface PersonInput {
  name: string;
  roles?: string[];
  teamId?: string | null;
  region?: string | null;
  managerId?: string | null;
  productLines?: string[];
  models?: string[];
  email?: string | null;
  mobile?: string | null;
  wecomId?: string | null;
  dingtalkId?: string | null;
  feishuId?: string | null;
  calendarId?: string | null;
  locale?: 'zh' | 'en';
  active?: boolean;
  preferences?: Preferences;
}

const DIRECTORY_LOCK = 'people-directory';
const iso = (d: Date) => d.toISOString();

export function personView(p: PersonRow) {
  return { ...p, createdAt: iso(p.createdAt), updatedAt: iso(p.updatedAt) };
}

function teamViewOf(t: TeamRow, members: number) {
  const robots = t.robots ?? {};
  const robot = (r?: { url: string; secret?: string }) => (r ? { url: r.url, signed: !!r.secret } : null);
  return {
    id: t.id,
    name: t.name,
    region: t.region,
    leadId: t.leadId,
    autoAssign: t.autoAssign,
    robots: { wecom: robot(robots.wecom), dingtalk: robot(robots.dingtalk), feishu: robot(robots.feishu) },
    members,
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
  };
}

async function exists(tx: Tx | Database, table: typeof teams | typeof people | typeof calendars, id: string) {
  const [row] = await tx.select({ id: table.id }).from(table).where(eq(table.id, id));
  return !!row;
}

/** The manager chain from `managerId` up must not come back to `personId`. */
async function assertNoLoop(tx: Tx, personId: string, managerId: string | null | undefined, label = '') {
  let at = managerId ?? null;
  const seen = new Set<string>();
  while (at) {
    if (at === personId)
      throw unprocessable(
        `${label}managerId "${managerId}" would make a loop in the manager chain of "${personId}"`,
      );
    if (seen.has(at)) return; // a loop above that does not pass through this person is refused when written
    seen.add(at);
    const [row] = await tx.select({ managerId: people.managerId }).from(people).where(eq(people.id, at));
    at = row?.managerId ?? null;
  }
}

async function checkReferences(tx: Tx, id: string, p: PersonInput, label = '') {
  if (p.teamId && !(await exists(tx, teams, p.teamId)))
    throw unprocessable(`${label}teamId "${p.teamId}" is not a team`);
  if (p.managerId === id) throw unprocessable(`${label}a person cannot be their own manager`);
  if (p.managerId && !(await exists(tx, people, p.managerId)))
    throw unprocessable(`${label}managerId "${p.managerId}" is not a person`);
  if (p.calendarId && !(await exists(tx, calendars, p.calendarId)))
    throw unprocessable(`${label}calendarId "${p.calendarId}" is not a calendar`);
}

const columnsOf = (p: PersonInput) => ({
  name: p.name,
  roles: p.roles ?? [],
  teamId: p.teamId ?? null,
  region: p.region ?? null,
  managerId: p.managerId ?? null,
  productLines: p.productLines ?? [],
  models: p.models ?? [],
  email: p.email ?? null,
  mobile: p.mobile ?? null,
  wecomId: p.wecomId ?? null,
  dingtalkId: p.dingtalkId ?? null,
  feishuId: p.feishuId ?? null,
  calendarId: p.calendarId ?? null,
  locale: p.locale ?? 'zh',
  active: p.active ?? true,
});

async function personDetail(db: Database, row: PersonRow) {
  const [absences, dir] = await Promise.all([
    db
      .select()
      .from(personAbsences)
      .where(and(eq(personAbsences.personId, row.id), gt(personAbsences.endsAt, new Date())))
      .orderBy(asc(personAbsences.startsAt)),
    chainDirectory(db),
  ]);
  return {
    ...personView(row),
    absences: absences.map((a) => ({
      id: a.id,
      startsAt: iso(a.startsAt),
      endsAt: iso(a.endsAt),
      reason: a.reason,
    })),
    chain: chainOf(dir, row.id).slice(1),
  };
}

/** The directory without absences: enough to show a person's chain. */
async function chainDirectory(db: Database): Promise<Directory> {
  const [ps, ts] = await Promise.all([
    db
      .select({
        id: people.id,
        name: people.name,
        roles: people.roles,
        teamId: people.teamId,
        managerId: people.managerId,
        active: people.active,
      })
      .from(people),
    db.select({ id: teams.id, leadId: teams.leadId }).from(teams),
  ]);
  return {
    people: new Map(ps.map((p) => [p.id, { ...p, absences: [] }])),
    teams: new Map(ts.map((t) => [t.id, t])),
    onCall: [],
  };
}

function checkWindow(startsAt: string, endsAt: string) {
  if (Date.parse(endsAt) <= Date.parse(startsAt)) throw unprocessable('"endsAt" must be after "startsAt"');
}

/** One CSV row as a person; throws 422 naming the line and the column. */
function rowToPerson(header: string[], fields: string[], line: number): { id: string; person: PersonInput } {
  const bad = (what: string) => unprocessable(`line ${line}: ${what}`);
  if (fields.length !== header.length) throw bad(`${fields.length} fields, the header has ${header.length}`);
  const v = Object.fromEntries(header.map((h, i) => [h, fields[i].trim()])) as Record<string, string>;
  const id = v.id ?? '';
  if (!new RegExp(PERSON_ID_PATTERN).test(id))
    throw bad(`id "${id}" must be lowercase letters, digits, ".", "_" or "-"`);
  if (!v.name) throw bad('name is empty');
  const roles = splitList(v.roles ?? '');
  const unknown = roles.filter((r) => !(PERSON_ROLES as readonly string[]).includes(r));
  if (unknown.length) throw bad(`unknown roles ${unknown.join(', ')}`);
  const locale = v.locale || 'zh';
  if (locale !== 'zh' && locale !== 'en') throw bad(`locale "${locale}" must be zh or en`);
  const active =
    v.active === '' || v.active === undefined
      ? true
      : v.active === 'true'
        ? true
        : v.active === 'false'
          ? false
          : null;
  if (active === null) throw bad(`active "${v.active}" must be true or false`);
  if (v.email && !/^[^@\s]+@[^@\s]+$/.test(v.email)) throw bad(`email "${v.email}" is not an e-mail address`);
  if (v.mobile && !/^\+?[0-9 -]{5,31}$/.test(v.mobile))
    throw bad(`mobile "${v.mobile}" is not a phone number`);
  for (const ref of ['team', 'manager'] as const)
    if (v[ref] && !new RegExp(PERSON_ID_PATTERN).test(v[ref])) throw bad(`${ref} "${v[ref]}" is not an id`);
  const orNull = (s: string | undefined) => (s ? s : null);
  const person: PersonInput = {
    name: v.name,
    roles,
    teamId: orNull(v.team),
    region: orNull(v.region),
    managerId: orNull(v.manager),
    productLines: splitList(v.productLines ?? ''),
    models: splitList(v.models ?? ''),
    email: orNull(v.email),
    mobile: orNull(v.mobile),
    wecomId: orNull(v.wecomId),
    dingtalkId: orNull(v.dingtalkId),
    feishuId: orNull(v.feishuId),
    calendarId: orNull(v.calendar),
    locale,
    active,
  };
  return { id, person };
}

/** Robot addresses are checked for form here; the outbound address guard applies when they are called. */
function checkRobots(robots: TeamRobots | undefined) {
  for (const [name, r] of Object.entries(robots ?? {})) {
    let url: URL;
    try {
      url = new URL(r.url);
    } catch {
      throw unprocessable(`robots.${name}.url "${r.url}" is not an absolute URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw unprocessable(`robots.${name}.url must be http or https`);
  }
}

export async function directoryRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db } = deps;
  const read = { permission: 'people.read' } as const;
  const write = { permission: 'people.write' } as const;

  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.get<{
    Querystring: {
      teamId?: string;
      role?: string;
      region?: string;
      active?: string;
      limit?: string;
      cursor?: string;
    };
  }>(
    '/api/v1/people',
    {
      schema: {
        operationId: 'listPeople',
        tags: ['people'],
        summary: 'The staff directory, oldest entry first, with filters and cursor pagination',
        querystring: peopleQuery,
        response: peopleResponses.list,
      },
      config: read,
    },
    async (req) => {
      const q = req.query;
      const limit = q.limit ? Number(q.limit) : 100;
      const where: SQL[] = [];
      if (q.teamId) where.push(eq(people.teamId, q.teamId));
      if (q.role) where.push(sql`${q.role} = any(${people.roles})`);
      if (q.region) where.push(eq(people.region, q.region));
      if (q.active) where.push(eq(people.active, q.active === 'true'));
      if (q.cursor) {
        const c = decodeCursor(q.cursor);
        where.push(sql`(${people.createdAt}, ${people.id}) > (${c.at}::timestamptz, ${c.id})`);
      }
      const rows = await db
        .select()
        .from(people)
        .where(and(...where))
        .orderBy(asc(people.createdAt), asc(people.id))
        .limit(limit + 1);
      const pageRows = rows.slice(0, limit);
      const last = pageRows[pageRows.length - 1];
      return {
        items: pageRows.map(personView),
        nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
      };
    },
  );

  app.get(
    '/api/v1/people/export',
    {
      schema: {
        operationId: 'exportPeople',
        tags: ['people'],
        summary: 'The whole directory as CSV (lists separated by "|")',
        response: peopleResponses.exportCsv,
      },
      config: read,
    },
    async (_req, reply) => {
      const rows = await db.select().from(people).orderBy(asc(people.id));
      const csv = toCsv([
        [...CSV_COLUMNS],
        ...rows.map((p) => [
          p.id,
          p.name,
          p.roles.join('|'),
          p.teamId ?? '',
          p.region ?? '',
          p.managerId ?? '',
          p.productLines.join('|'),
          p.models.join('|'),
          p.email ?? '',
          p.mobile ?? '',
          p.wecomId ?? '',
          p.dingtalkId ?? '',
          p.feishuId ?? '',
          p.calendarId ?? '',
          p.locale,
          String(p.active),
        ]),
      ]);
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="people.csv"');
      return csv;
    },
  );

  app.post<{ Body: string }>(
    '/api/v1/people/import',
    {
      schema: {
        operationId: 'importPeople',
        tags: ['people'],
        summary: 'Create or update people from CSV (the export format); all rows or none',
        description:
          'Content-Type text/csv. Columns by header name: id and name required; roles, team, region, manager, productLines, models, email, mobile, wecomId, dingtalkId, feishuId, calendar, locale, active optional. Lists inside a field are separated by "|". A manager may be a person defined further down the file. Preferences are kept.',
        consumes: ['text/csv'],
        body: { type: 'string', maxLength: 2_000_000 },
        response: peopleResponses.importCsv,
      },
      config: write,
    },
    async (req) => {
      let rows: string[][];
      try {
        rows = parseCsv(req.body);
      } catch (err) {
        throw unprocessable(`CSV: ${(err as Error).message}`);
      }
      if (rows.length === 0) throw unprocessable('CSV: the file is empty');
      const header = rows[0].map((h) => h.trim());
      const unknownCols = header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h));
      if (unknownCols.length) throw unprocessable(`CSV: unknown columns ${unknownCols.join(', ')}`);
      if (!header.includes('id') || !header.includes('name'))
        throw unprocessable('CSV: the header needs id and name');
      if (new Set(header).size !== header.length) throw unprocessable('CSV: a column appears twice');
      const parsed = rows.slice(1).map((r, i) => ({ ...rowToPerson(header, r, i + 2), line: i + 2 }));
      const seen = new Map<string, number>();
      for (const p of parsed) {
        if (seen.has(p.id))
          throw unprocessable(`line ${p.line}: id "${p.id}" already on line ${seen.get(p.id)}`);
        seen.set(p.id, p.line);
      }
      return db.transaction(async (tx) => {
        await lockKey(tx, DIRECTORY_LOCK);
        const existing = new Set(
          parsed.length
            ? (
                await tx
                  .select({ id: people.id })
                  .from(people)
                  .where(sql`${people.id} in ${parsed.map((p) => p.id)}`)
              ).map((r) => r.id)
            : [],
        );
        // Everyone first without a manager, so a manager further down the file exists when it is set.
        for (const p of parsed) {
          const label = `line ${p.line}: `;
          await checkReferences(tx, p.id, { ...p.person, managerId: null }, label);
          const cols = columnsOf(p.person);
          await tx
            .insert(people)
            .values({ id: p.id, ...cols, managerId: null })
            .onConflictDoUpdate({
              target: people.id,
              set: { ...cols, managerId: null, updatedAt: new Date() },
            });
        }
        for (const p of parsed) {
          const label = `line ${p.line}: `;
          if (!p.person.managerId) continue;
          if (p.person.managerId === p.id)
            throw unprocessable(`${label}a person cannot be their own manager`);
          if (!(await exists(tx, people, p.person.managerId)))
            throw unprocessable(`${label}manager "${p.person.managerId}" is not a person`);
          await tx.update(people).set({ managerId: p.person.managerId }).where(eq(people.id, p.id));
        }
        for (const p of parsed) await assertNoLoop(tx, p.id, p.person.managerId, `line ${p.line}: `);
        const created = parsed.filter((p) => !existing.has(p.id)).length;
        return { created, updated: parsed.length - created };
      });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/people/:id',
    {
      schema: {
        operationId: 'getPerson',
        tags: ['people'],
        summary: 'A person with their coming absences and the escalation chain above them',
        params: personParams,
        response: peopleResponses.detail,
      },
      config: read,
    },
    async (req) => {
      const [row] = await db.select().from(people).where(eq(people.id, req.params.id));
      if (!row) throw notFound('person', req.params.id);
      return personDetail(db, row);
    },
  );

  app.put<{ Params: { id: string }; Body: PersonInput }>(
    '/api/v1/people/:id',
    {
      schema: {
        operationId: 'putPerson',
        tags: ['people'],
        summary: 'Create or replace a person (fields left out take their defaults)',
        params: personParams,
        body: personBody,
        response: peopleResponses.put,
      },
      config: write,
    },
    async (req, reply) => {
      const { id } = req.params;
      const body = req.body;
      const { row, created } = await db.transaction(async (tx) => {
        await lockKey(tx, DIRECTORY_LOCK);
        await checkReferences(tx, id, body);
        await assertNoLoop(tx, id, body.managerId);
        const [before] = await tx.select({ id: people.id }).from(people).where(eq(people.id, id));
        const cols = { ...columnsOf(body), preferences: body.preferences ?? {} };
        const [written] = await tx
          .insert(people)
          .values({ id, ...cols })
          .onConflictDoUpdate({ target: people.id, set: { ...cols, updatedAt: new Date() } })
          .returning();
        return { row: written, created: !before };
      });
      reply.code(created ? 201 : 200);
      return personDetail(db, row);
    },
  );

  app.post<{ Params: { id: string }; Body: { startsAt: string; endsAt: string; reason?: string | null } }>(
    '/api/v1/people/:id/absences',
    {
      schema: {
        operationId: 'addAbsence',
        tags: ['people'],
        summary: 'Record an absence (leave, training): escalations skip the person meanwhile',
        params: personParams,
        body: absenceBody,
        response: peopleResponses.absence,
      },
      config: write,
    },
    async (req, reply) => {
      checkWindow(req.body.startsAt, req.body.endsAt);
      if (!(await exists(db, people, req.params.id))) throw notFound('person', req.params.id);
      const [a] = await db
        .insert(personAbsences)
        .values({
          personId: req.params.id,
          startsAt: new Date(req.body.startsAt),
          endsAt: new Date(req.body.endsAt),
          reason: req.body.reason ?? null,
        })
        .returning();
      reply.code(201);
      return { id: a.id, startsAt: iso(a.startsAt), endsAt: iso(a.endsAt), reason: a.reason };
    },
  );

  app.delete<{ Params: { id: string; absenceId: string } }>(
    '/api/v1/people/:id/absences/:absenceId',
    {
      schema: {
        operationId: 'deleteAbsence',
        tags: ['people'],
        summary: 'Remove an absence',
        params: absenceParams,
        response: peopleResponses.deleted,
      },
      config: write,
    },
    async (req, reply) => {
      const gone = await db
        .delete(personAbsences)
        .where(
          and(
            eq(personAbsences.id, Number(req.params.absenceId)),
            eq(personAbsences.personId, req.params.id),
          ),
        )
        .returning({ id: personAbsences.id });
      if (gone.length === 0) throw notFound('absence', req.params.absenceId);
      reply.code(204);
      return null;
    },
  );

  // ---- teams ----
  const teamList = async (id?: string) => {
    const rows = await db
      .select({ t: teams, members: count(people.id) })
      .from(teams)
      .leftJoin(people, eq(people.teamId, teams.id))
      .where(id ? eq(teams.id, id) : undefined)
      .groupBy(teams.id)
      .orderBy(asc(teams.id));
    return rows.map((r) => teamViewOf(r.t, Number(r.members)));
  };

  app.get(
    '/api/v1/teams',
    {
      schema: {
        operationId: 'listTeams',
        tags: ['people'],
        summary: 'Teams with their lead, region and robots',
        response: peopleResponses.teams,
      },
      config: read,
    },
    async () => ({ items: await teamList() }),
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/teams/:id',
    {
      schema: {
        operationId: 'getTeam',
        tags: ['people'],
        summary: 'A team',
        params: personParams,
        response: peopleResponses.team,
      },
      config: read,
    },
    async (req) => {
      const [t] = await teamList(req.params.id);
      if (!t) throw notFound('team', req.params.id);
      return t;
    },
  );

  app.put<{
    Params: { id: string };
    Body: {
      name: string;
      region?: string | null;
      leadId?: string | null;
      autoAssign?: boolean;
      robots?: TeamRobots;
    };
  }>(
    '/api/v1/teams/:id',
    {
      schema: {
        operationId: 'putTeam',
        tags: ['people'],
        summary:
          'Create or replace a team; robot secrets are write-only (a robot given without its secret keeps the stored one)',
        params: personParams,
        body: teamBody,
        response: peopleResponses.teamPut,
      },
      config: write,
    },
    async (req, reply) => {
      const { id } = req.params;
      const b = req.body;
      checkRobots(b.robots);
      const created = await db.transaction(async (tx) => {
        await lockKey(tx, DIRECTORY_LOCK);
        if (b.leadId && !(await exists(tx, people, b.leadId)))
          throw unprocessable(`leadId "${b.leadId}" is not a person`);
        const [before] = await tx.select().from(teams).where(eq(teams.id, id));
        const robots: TeamRobots = { ...(b.robots ?? {}) };
        for (const k of ['dingtalk', 'feishu'] as const) {
          const old = before?.robots?.[k];
          const now = robots[k];
          if (now && !now.secret && old?.secret && old.url === now.url)
            robots[k] = { ...now, secret: old.secret };
        }
        const cols = {
          name: b.name,
          region: b.region ?? null,
          leadId: b.leadId ?? null,
          autoAssign: b.autoAssign ?? false,
          robots,
        };
        await tx
          .insert(teams)
          .values({ id, ...cols })
          .onConflictDoUpdate({ target: teams.id, set: { ...cols, updatedAt: new Date() } });
        return !before;
      });
      reply.code(created ? 201 : 200);
      const [t] = await teamList(id);
      return t;
    },
  );

  // ---- on-call rota ----
  app.get<{ Querystring: { at?: string; from?: string; teamId?: string } }>(
    '/api/v1/oncall-shifts',
    {
      schema: {
        operationId: 'listOncallShifts',
        tags: ['people'],
        summary: 'The on-call rota (值班): shifts not yet over, or those covering an instant',
        querystring: shiftQuery,
        response: peopleResponses.shifts,
      },
      config: read,
    },
    async (req) => {
      const where: SQL[] = [];
      if (req.query.at) {
        const at = new Date(req.query.at);
        where.push(lte(oncallShifts.startsAt, at), gt(oncallShifts.endsAt, at));
      } else where.push(gte(oncallShifts.endsAt, req.query.from ? new Date(req.query.from) : new Date()));
      if (req.query.teamId) where.push(eq(oncallShifts.teamId, req.query.teamId));
      const rows = await db
        .select()
        .from(oncallShifts)
        .where(and(...where))
        .orderBy(asc(oncallShifts.startsAt), asc(oncallShifts.id))
        .limit(1000);
      return {
        items: rows.map((s) => ({
          id: s.id,
          personId: s.personId,
          teamId: s.teamId,
          startsAt: iso(s.startsAt),
          endsAt: iso(s.endsAt),
        })),
      };
    },
  );

  app.post<{ Body: { personId: string; teamId?: string | null; startsAt: string; endsAt: string } }>(
    '/api/v1/oncall-shifts',
    {
      schema: {
        operationId: 'addOncallShift',
        tags: ['people'],
        summary: 'Put someone on call: emergencies escalated during the shift reach them too',
        body: shiftBody,
        response: peopleResponses.shift,
      },
      config: write,
    },
    async (req, reply) => {
      const b = req.body;
      checkWindow(b.startsAt, b.endsAt);
      if (!(await exists(db, people, b.personId)))
        throw unprocessable(`personId "${b.personId}" is not a person`);
      if (b.teamId && !(await exists(db, teams, b.teamId)))
        throw unprocessable(`teamId "${b.teamId}" is not a team`);
      const [s] = await db
        .insert(oncallShifts)
        .values({
          personId: b.personId,
          teamId: b.teamId ?? null,
          startsAt: new Date(b.startsAt),
          endsAt: new Date(b.endsAt),
        })
        .returning();
      reply.code(201);
      return {
        id: s.id,
        personId: s.personId,
        teamId: s.teamId,
        startsAt: iso(s.startsAt),
        endsAt: iso(s.endsAt),
      };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/oncall-shifts/:id',
    {
      schema: {
        operationId: 'deleteOncallShift',
        tags: ['people'],
        summary: 'Remove a shift',
        params: shiftParams,
        response: peopleResponses.deleted,
      },
      config: write,
    },
    async (req, reply) => {
      const gone = await db
        .delete(oncallShifts)
        .where(eq(oncallShifts.id, Number(req.params.id)))
        .returning({ id: oncallShifts.id });
      if (gone.length === 0) throw notFound('on-call shift', req.params.id);
      reply.code(204);
      return null;
    },
  );
}
