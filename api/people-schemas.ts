// JSON schemas of the people and notification API: directory, teams, absences, on-call rota, inbox,
// preferences, delivery log, assignment suggestions. Requests reject unknown fields; what a schema cannot
// state (a manager who exists, a chain without a loop, a window that ends after it starts) is checked
// by the handler and answered with 422.
import { CHANNELS } from '../domain/people/channels.js';
import { PERSON_ROLES } from '../domain/people/roles.js';

export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: 'problem details (RFC 9457)',
        content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
      },
    ]),
  );

export const PERSON_ID_PATTERN = '^[a-z0-9][a-z0-9._-]{0,63}$';
const id = (description: string) => ({ type: 'string', pattern: PERSON_ID_PATTERN, description }) as const;
const nullableId = (description: string) =>
  ({ type: ['string', 'null'], pattern: PERSON_ID_PATTERN, description }) as const;
const text = (max: number, description?: string) =>
  ({ type: 'string', minLength: 1, maxLength: max, ...(description ? { description } : {}) }) as const;
const nullableText = (max: number, description?: string) =>
  ({ type: ['string', 'null'], maxLength: max, ...(description ? { description } : {}) }) as const;
const instant = { type: 'string', format: 'date-time' } as const;
const nullableInstant = { type: ['string', 'null'], format: 'date-time' } as const;
const stringList = (description: string) =>
  ({
    type: 'array',
    maxItems: 100,
    uniqueItems: true,
    items: { type: 'string', minLength: 1, maxLength: 100 },
    description,
  }) as const;

const hhmm = { type: 'string', pattern: '^(?:[01][0-9]|2[0-3]):[0-5][0-9]$' } as const;
const channelList = {
  type: 'array',
  maxItems: CHANNELS.length,
  uniqueItems: true,
  items: { type: 'string', enum: CHANNELS },
} as const;

export const preferencesSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'channels per kind of event (fallback order) and quiet hours, which emergencies ignore',
  properties: {
    channels: {
      type: 'object',
      description:
        'kind of event (sla.warning, sla.breached, sla.escalated, case.assigned, case.disputed) or "default" → channels in order',
      propertyNames: { pattern: '^(?:default|[a-z]+\\.[a-z_]+)$' },
      additionalProperties: channelList,
      maxProperties: 20,
    },
    quietHours: {
      type: ['object', 'null'],
      required: ['start', 'end'],
      additionalProperties: false,
      properties: {
        start: hhmm,
        end: hhmm,
        timeZone: {
          type: 'string',
          minLength: 1,
          maxLength: 64,
          description: 'IANA zone, default Asia/Shanghai',
        },
      },
    },
  },
} as const;

const personFields = {
  name: text(200),
  roles: {
    type: 'array',
    maxItems: PERSON_ROLES.length,
    uniqueItems: true,
    items: { type: 'string', enum: PERSON_ROLES },
    description: 'manager = service manager (售后服务经理); executive = upper management (高层)',
  },
  teamId: nullableId('team'),
  region: nullableText(100, 'e.g. 华东, 华南'),
  managerId: nullableId('the person above in the manager chain'),
  productLines: stringList('product lines the person is skilled in'),
  models: stringList('product models the person is skilled in'),
  email: { type: ['string', 'null'], maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+$' },
  mobile: { type: ['string', 'null'], maxLength: 32, pattern: '^\\+?[0-9 -]{5,31}$' },
  wecomId: nullableText(100, 'WeCom (企业微信) user id'),
  dingtalkId: nullableText(100, 'DingTalk (钉钉) user id'),
  feishuId: nullableText(100, 'Feishu (飞书) user id (ou_…)'),
  calendarId: nullableText(64, 'working calendar'),
  locale: { type: 'string', enum: ['zh', 'en'] },
  active: { type: 'boolean' },
  preferences: preferencesSchema,
} as const;

export const personBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: personFields,
} as const;

const absenceView = {
  type: 'object',
  required: ['id', 'startsAt', 'endsAt', 'reason'],
  properties: {
    id: { type: 'integer' },
    startsAt: instant,
    endsAt: instant,
    reason: { type: ['string', 'null'] },
  },
} as const;

const personViewProps = {
  id: { type: 'string' },
  name: { type: 'string' },
  roles: { type: 'array', items: { type: 'string' } },
  teamId: { type: ['string', 'null'] },
  region: { type: ['string', 'null'] },
  managerId: { type: ['string', 'null'] },
  productLines: { type: 'array', items: { type: 'string' } },
  models: { type: 'array', items: { type: 'string' } },
  email: { type: ['string', 'null'] },
  mobile: { type: ['string', 'null'] },
  wecomId: { type: ['string', 'null'] },
  dingtalkId: { type: ['string', 'null'] },
  feishuId: { type: ['string', 'null'] },
  calendarId: { type: ['string', 'null'] },
  locale: { type: 'string' },
  active: { type: 'boolean' },
  preferences: { type: 'object', additionalProperties: true },
  createdAt: instant,
  updatedAt: instant,
} as const;

export const personView = {
  type: 'object',
  required: Object.keys(personViewProps),
  properties: personViewProps,
} as const;

const personDetail = {
  type: 'object',
  required: [...Object.keys(personViewProps), 'absences', 'chain'],
  properties: {
    ...personViewProps,
    absences: { type: 'array', items: absenceView, description: 'absences not yet over' },
    chain: {
      type: 'array',
      description: 'the escalation chain above the person: team lead, managers, upper management',
      items: {
        type: 'object',
        required: ['personId', 'position'],
        properties: { personId: { type: 'string' }, position: { type: 'string' } },
      },
    },
  },
} as const;

export const personParams = {
  type: 'object',
  required: ['id'],
  properties: { id: id('person id') },
} as const;

export const absenceParams = {
  type: 'object',
  required: ['id', 'absenceId'],
  properties: { id: id('person id'), absenceId: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } },
} as const;

const limit = {
  type: 'string',
  pattern: '^(?:[1-9][0-9]?|100|[1-9][0-9]{2}|1000)$',
  description: '1–1000, default 100',
} as const;
const cursor = { type: 'string', maxLength: 200, description: 'nextCursor of the previous page' } as const;

export const peopleQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    teamId: id('team'),
    role: { type: 'string', enum: PERSON_ROLES },
    region: text(100),
    active: { type: 'string', enum: ['true', 'false'] },
    limit,
    cursor,
  },
} as const;

export const absenceBody = {
  type: 'object',
  required: ['startsAt', 'endsAt'],
  additionalProperties: false,
  properties: { startsAt: instant, endsAt: instant, reason: nullableText(200, 'e.g. 年假, 培训') },
} as const;

const robotUrl = {
  type: 'string',
  minLength: 1,
  maxLength: 2000,
  description: 'the robot webhook address',
} as const;
const secret = {
  type: 'string',
  minLength: 1,
  maxLength: 200,
  description: 'signing secret (write-only)',
} as const;
export const teamBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: text(200),
    region: nullableText(100),
    leadId: nullableId('team lead (班组长)'),
    autoAssign: {
      type: 'boolean',
      description: 'assign new cases of the region to the top suggestion of this team',
    },
    robots: {
      type: 'object',
      additionalProperties: false,
      properties: {
        wecom: {
          type: 'object',
          required: ['url'],
          additionalProperties: false,
          properties: { url: robotUrl },
        },
        dingtalk: {
          type: 'object',
          required: ['url'],
          additionalProperties: false,
          properties: { url: robotUrl, secret },
        },
        feishu: {
          type: 'object',
          required: ['url'],
          additionalProperties: false,
          properties: { url: robotUrl, secret },
        },
      },
    },
  },
} as const;

const robotView = {
  type: ['object', 'null'],
  required: ['url', 'signed'],
  properties: { url: { type: 'string' }, signed: { type: 'boolean' } },
} as const;
const teamViewProps = {
  id: { type: 'string' },
  name: { type: 'string' },
  region: { type: ['string', 'null'] },
  leadId: { type: ['string', 'null'] },
  autoAssign: { type: 'boolean' },
  robots: {
    type: 'object',
    required: ['wecom', 'dingtalk', 'feishu'],
    properties: { wecom: robotView, dingtalk: robotView, feishu: robotView },
  },
  members: { type: 'integer' },
  createdAt: instant,
  updatedAt: instant,
} as const;
export const teamView = {
  type: 'object',
  required: Object.keys(teamViewProps),
  properties: teamViewProps,
} as const;

export const shiftBody = {
  type: 'object',
  required: ['personId', 'startsAt', 'endsAt'],
  additionalProperties: false,
  properties: {
    personId: id('who is on call'),
    teamId: nullableId('for this team only; null or absent: for everyone'),
    startsAt: instant,
    endsAt: instant,
  },
} as const;
const shiftView = {
  type: 'object',
  required: ['id', 'personId', 'teamId', 'startsAt', 'endsAt'],
  properties: {
    id: { type: 'integer' },
    personId: { type: 'string' },
    teamId: { type: ['string', 'null'] },
    startsAt: instant,
    endsAt: instant,
  },
} as const;
export const shiftQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    at: { ...instant, description: 'only shifts covering this instant' },
    from: { ...instant, description: 'only shifts ending after this instant (default now)' },
    teamId: id('team'),
  },
} as const;
export const shiftParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } },
} as const;

const inboxItem = {
  type: 'object',
  required: ['id', 'kind', 'caseId', 'severity', 'title', 'body', 'createdAt', 'readAt'],
  properties: {
    id: { type: 'integer' },
    kind: { type: 'string' },
    caseId: { type: ['string', 'null'] },
    severity: { type: ['string', 'null'] },
    title: { type: 'string' },
    body: { type: 'string' },
    createdAt: instant,
    readAt: nullableInstant,
  },
} as const;
export const inboxQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { unread: { type: 'string', enum: ['true', 'false'] }, limit, cursor },
} as const;
export const inboxParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } },
} as const;

const attemptView = {
  type: 'object',
  required: ['id', 'channel', 'at', 'ok', 'error', 'durationMs'],
  properties: {
    id: { type: 'integer' },
    channel: { type: 'string' },
    at: instant,
    ok: { type: 'boolean' },
    error: { type: ['string', 'null'] },
    durationMs: { type: 'integer' },
  },
} as const;
const deliveryView = {
  type: 'object',
  required: [
    'id',
    'notificationKey',
    'kind',
    'caseId',
    'purchaseOrderId',
    'personId',
    'reason',
    'channels',
    'status',
    'notBefore',
    'channel',
    'attempts',
    'lastError',
    'createdAt',
    'deliveredAt',
    'log',
  ],
  properties: {
    id: { type: 'integer' },
    notificationKey: { type: 'string' },
    kind: { type: 'string' },
    caseId: {
      type: ['string', 'null'],
      description: 'the case (complaint, quality issue); null for a reorder purchase order',
    },
    purchaseOrderId: { type: ['string', 'null'], description: 'the purchase order it is about, if any' },
    personId: { type: 'string' },
    reason: { type: 'string' },
    channels: { type: 'array', items: { type: 'string' } },
    status: { type: 'string', enum: ['pending', 'deferred', 'delivered', 'failed'] },
    notBefore: nullableInstant,
    channel: { type: ['string', 'null'], description: 'the channel that delivered it (inbox: none could)' },
    attempts: { type: 'integer' },
    lastError: { type: ['string', 'null'] },
    createdAt: instant,
    deliveredAt: nullableInstant,
    log: { type: 'array', items: attemptView, description: 'every try of every channel' },
  },
} as const;
export const deliveryQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    caseId: { type: 'string', pattern: '^C[0-9]{7,}$' },
    purchaseOrderId: { type: 'string', pattern: '^PO[0-9]{7,}$' },
    personId: id('recipient'),
    status: { type: 'string', enum: ['pending', 'deferred', 'delivered', 'failed'] },
    kind: text(100),
    limit,
    cursor,
  },
} as const;

export const suggestionQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    region: { ...text(100), description: "the case's region (default: the region its intake names, if any)" },
    teamId: id('only engineers of this team'),
    limit: { type: 'string', pattern: '^(?:[1-9][0-9]?|100)$', description: '1–100, default 10' },
  },
} as const;
const suggestionView = {
  type: 'object',
  required: [
    'rank',
    'personId',
    'name',
    'teamId',
    'available',
    'skill',
    'regionMatch',
    'openCases',
    'reasons',
  ],
  properties: {
    rank: { type: 'integer' },
    personId: { type: 'string' },
    name: { type: 'string' },
    teamId: { type: ['string', 'null'] },
    available: { type: 'boolean' },
    skill: { type: 'string', enum: ['model', 'product-line', 'none'] },
    regionMatch: { type: 'boolean' },
    openCases: { type: 'integer' },
    reasons: { type: 'array', items: { type: 'string' } },
  },
} as const;

const page = (item: object) =>
  ({
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: { items: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] } },
  }) as const;

const importResult = {
  type: 'object',
  required: ['created', 'updated'],
  properties: { created: { type: 'integer' }, updated: { type: 'integer' } },
} as const;

export const peopleResponses = {
  list: { 200: page(personView), ...problemResponses(400, 401, 403) },
  detail: { 200: personDetail, ...problemResponses(400, 401, 403, 404) },
  put: { 200: personDetail, 201: personDetail, ...problemResponses(400, 401, 403, 422) },
  absence: { 201: absenceView, ...problemResponses(400, 401, 403, 404, 422) },
  deleted: { 204: { type: 'null', description: 'deleted' }, ...problemResponses(400, 401, 403, 404) },
  importCsv: { 200: importResult, ...problemResponses(400, 401, 403, 415, 422) },
  exportCsv: {
    200: {
      description: 'people as CSV (UTF-8, header row)',
      content: { 'text/csv': { schema: { type: 'string' } } },
    },
    ...problemResponses(401, 403),
  },
  teams: {
    200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: teamView } } },
    ...problemResponses(401, 403),
  },
  team: { 200: teamView, ...problemResponses(400, 401, 403, 404) },
  teamPut: { 200: teamView, 201: teamView, ...problemResponses(400, 401, 403, 422) },
  shifts: {
    200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: shiftView } } },
    ...problemResponses(400, 401, 403),
  },
  shift: { 201: shiftView, ...problemResponses(400, 401, 403, 422) },
  inbox: {
    200: {
      ...page(inboxItem),
      required: ['items', 'nextCursor', 'unread'],
      properties: { ...page(inboxItem).properties, unread: { type: 'integer' } },
    },
    ...problemResponses(400, 401, 403),
  },
  inboxItem: { 200: inboxItem, ...problemResponses(400, 401, 403, 404) },
  readAll: {
    200: { type: 'object', required: ['marked'], properties: { marked: { type: 'integer' } } },
    ...problemResponses(401, 403),
  },
  preferences: { 200: preferencesSchema, ...problemResponses(400, 401, 403, 404) },
  preferencesPut: { 200: preferencesSchema, ...problemResponses(400, 401, 403, 404, 422) },
  deliveries: { 200: page(deliveryView), ...problemResponses(400, 401, 403) },
  suggestions: {
    200: {
      type: 'object',
      required: ['caseId', 'region', 'items'],
      properties: {
        caseId: { type: 'string' },
        region: { type: ['string', 'null'] },
        items: { type: 'array', items: suggestionView },
      },
    },
    ...problemResponses(400, 401, 403, 404),
  },
};
