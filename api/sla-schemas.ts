// JSON schemas of the SLA administration API: business calendars, SLA policies, escalations.
// Request schemas reject unknown fields; the rules a schema cannot state (HH:MM times, overlapping
// periods, time zones, dates inside the year, escalation order…) are checked by the domain validators
// and answered with 422 listing every problem. Response schemas document the shapes in OpenAPI.
import { SEVERITIES } from '../domain/case.js';
import { CLOCKS } from '../domain/sla-policy.js';
import { problemResponses, text } from './schema-parts.js';

export const SLUG_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$';
const YEAR_PATTERN = '^(?:19[7-9][0-9]|2[0-9]{3})$';

/** A list without filters still rejects query parameters it does not know. */
export const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const;

// ---- calendars -------------------------------------------------------------------------------------------

const period = {
  type: 'object',
  required: ['start', 'end'],
  additionalProperties: false,
  properties: {
    start: { type: 'string', maxLength: 20, description: 'local HH:MM' },
    end: { type: 'string', maxLength: 20, description: "local HH:MM ('24:00' allowed)" },
  },
} as const;

const periods = { type: 'array', maxItems: 24, items: period } as const;

const weekly = {
  type: 'array',
  maxItems: 14,
  items: periods,
  description: 'working periods per weekday, 7 entries: index 0 = Sunday … 6 = Saturday; [] = day off',
} as const;

const override = {
  type: 'object',
  required: ['date', 'kind'],
  additionalProperties: false,
  properties: {
    date: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'local date YYYY-MM-DD' },
    kind: {
      type: 'string',
      enum: ['holiday', 'workday'],
      description: 'holiday: no working time; workday: a make-up working day (调休)',
    },
    name: { type: 'string', maxLength: 100, description: 'e.g. 国庆节' },
    periods: { ...periods, description: "workday only; default: the weekday's or the workday periods" },
  },
} as const;

export const calendarIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: SLUG_PATTERN, description: "calendar id, e.g. 'cn'" } },
} as const;

export const calendarYearParams = {
  type: 'object',
  required: ['id', 'year'],
  properties: {
    id: calendarIdParams.properties.id,
    year: { type: 'string', pattern: YEAR_PATTERN, description: 'year, 1970–2999' },
  },
} as const;

export const calendarQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    year: { type: 'string', pattern: YEAR_PATTERN, description: 'only the overrides of this year' },
  },
} as const;

export const calendarBody = {
  type: 'object',
  required: ['name', 'timeZone', 'weekly', 'workdayPeriods'],
  additionalProperties: false,
  properties: {
    name: text(200),
    timeZone: {
      type: 'string',
      minLength: 1,
      maxLength: 100,
      description: "IANA zone, e.g. 'Asia/Shanghai'",
    },
    weekly,
    workdayPeriods: { ...periods, description: 'periods of a make-up working day that falls on a day off' },
  },
  examples: [
    {
      name: '苏州工厂日历',
      timeZone: 'Asia/Shanghai',
      weekly: [
        [],
        ...Array.from({ length: 5 }, () => [
          { start: '08:30', end: '12:00' },
          { start: '13:00', end: '17:30' },
        ]),
        [],
      ],
      workdayPeriods: [
        { start: '08:30', end: '12:00' },
        { start: '13:00', end: '17:30' },
      ],
    },
  ],
} as const;

export const yearBody = {
  type: 'object',
  required: ['overrides'],
  additionalProperties: false,
  properties: {
    overrides: {
      type: 'array',
      maxItems: 366,
      items: override,
      description: "the year's holidays and make-up working days; replaces what the year had",
    },
  },
} as const;

export const importBody = {
  type: 'object',
  required: ['source'],
  additionalProperties: false,
  properties: {
    source: {
      type: 'string',
      enum: ['chinese-days'],
      description: 'chinese-days: the State Council arrangements from the installed chinese-days package',
    },
  },
} as const;

const calendarSummaryProps = {
  id: { type: 'string' },
  name: { type: 'string' },
  timeZone: { type: 'string' },
  weekly: { type: 'array', items: periods },
  workdayPeriods: periods,
  coveredYears: { type: 'array', items: { type: 'integer' }, description: 'years with override data' },
  warnings: {
    type: 'array',
    items: { type: 'string' },
    description: 'the current or next year (in the calendar time zone) has no override data',
  },
  updatedAt: { type: 'string', format: 'date-time' },
} as const;

const calendarSummary = {
  type: 'object',
  required: Object.keys(calendarSummaryProps),
  properties: calendarSummaryProps,
} as const;

const calendarDetail = {
  type: 'object',
  required: [...Object.keys(calendarSummaryProps), 'years', 'overrides'],
  properties: {
    ...calendarSummaryProps,
    years: {
      type: 'array',
      items: {
        type: 'object',
        required: ['year', 'source', 'importedAt'],
        properties: {
          year: { type: 'integer' },
          source: { type: 'string', description: "'chinese-days' or 'api'" },
          importedAt: { type: 'string', format: 'date-time' },
        },
      },
    },
    overrides: { type: 'array', items: override },
  },
} as const;

export const calendarResponses = {
  list: {
    200: {
      type: 'object',
      required: ['items'],
      properties: { items: { type: 'array', items: calendarSummary } },
    },
    ...problemResponses(400),
  },
  detail: { 200: calendarDetail, ...problemResponses(400, 404) },
  put: { 200: calendarDetail, 201: calendarDetail, ...problemResponses(400, 422) },
  year: { 200: calendarDetail, ...problemResponses(400, 404, 422) },
};

// ---- SLA policies ----------------------------------------------------------------------------------------

const target = {
  type: 'object',
  required: ['amount', 'unit'],
  additionalProperties: false,
  properties: {
    amount: { type: 'number', description: 'greater than 0' },
    unit: {
      type: 'string',
      enum: ['hours', 'business_hours', 'working_days'],
      description:
        'hours: 24×7; business_hours: working periods only; working_days: end of the Nth working day after the start day',
    },
  },
} as const;

const pair = (a: string, b: string) =>
  ({
    type: 'object',
    required: [a, b],
    additionalProperties: false,
    properties: { [a]: target, [b]: target },
  }) as const;

const targets = {
  type: 'object',
  required: ['response', 'arrival', 'repair'],
  additionalProperties: false,
  properties: {
    response: pair('normal', 'emergency'),
    arrival: {
      type: 'object',
      required: ['emergency'],
      additionalProperties: false,
      properties: { emergency: target },
    },
    repair: pair('ordinary', 'complex'),
  },
} as const;

const escalation = {
  type: 'array',
  minItems: 1,
  maxItems: 9,
  items: {
    type: 'object',
    required: ['level', 'at', 'recipient', 'name'],
    additionalProperties: false,
    properties: {
      level: { type: 'integer', minimum: 1, maximum: 9, description: '1 = warning, 2 = breach, 3 = …' },
      at: { type: 'number', description: 'fraction of the clock target, e.g. 0.75, 1, 1.5' },
      recipient: text(100, "'assignee', or a role / person id"),
      name: text(100, 'e.g. warning, breach, escalation'),
    },
  },
  description:
    'steps in increasing order of `at`, one of them at 1 (the breach); default 75 % / 100 % / 150 %',
} as const;

const clockList = {
  type: 'array',
  maxItems: CLOCKS.length,
  uniqueItems: true,
  items: { type: 'string', enum: CLOCKS },
};

const pauses = {
  type: 'object',
  required: ['customer', 'parts'],
  additionalProperties: false,
  properties: { customer: clockList, parts: clockList },
  description: 'which clocks each wait pauses; default: customer pauses all, parts pauses repair',
} as const;

const match = {
  type: 'object',
  additionalProperties: false,
  properties: {
    severity: { type: 'string', enum: SEVERITIES },
    productLine: text(100),
    customerTier: text(100),
  },
  description:
    'criteria the case must meet; omitted = any. The most specific policy wins: product line > customer tier > severity',
} as const;

const policyProps = {
  name: text(200),
  match,
  calendarId: { type: 'string', pattern: SLUG_PATTERN, description: 'an existing calendar' },
  targets,
  escalation,
  pauses,
  repairOnDispute: {
    type: 'string',
    enum: ['continue', 'restart'],
    description: 'a disputed repair continues the repair clock (default) or restarts it in full',
  },
} as const;

export const policyIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: SLUG_PATTERN, description: 'policy id' } },
} as const;

export const policyVersionParams = {
  type: 'object',
  required: ['id', 'version'],
  properties: {
    id: policyIdParams.properties.id,
    version: { type: 'string', pattern: '^[1-9][0-9]{0,5}$' },
  },
} as const;

export const policyPutBody = {
  type: 'object',
  required: ['name', 'match', 'calendarId', 'targets'],
  additionalProperties: false,
  properties: policyProps,
} as const;

export const policyPostBody = {
  type: 'object',
  required: ['id', ...policyPutBody.required],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: SLUG_PATTERN, description: 'lower-case letters, digits and dashes' },
    ...policyProps,
  },
  examples: [
    {
      id: 'gold-customers',
      name: '金牌客户服务标准',
      match: { customerTier: 'gold' },
      calendarId: 'cn',
      targets: {
        response: { normal: { amount: 2, unit: 'business_hours' }, emergency: { amount: 1, unit: 'hours' } },
        arrival: { emergency: { amount: 4, unit: 'hours' } },
        repair: {
          ordinary: { amount: 2, unit: 'working_days' },
          complex: { amount: 5, unit: 'working_days' },
        },
      },
    },
  ],
} as const;

const versionProps = {
  version: { type: 'integer' },
  createdAt: { type: 'string', format: 'date-time' },
  retiredAt: { type: ['string', 'null'], format: 'date-time' },
} as const;

const policyViewProps = {
  id: { type: 'string' },
  ...policyProps,
  ...versionProps,
  current: { type: 'boolean', description: 'this is the version new cases get' },
} as const;

const policyView = {
  type: 'object',
  required: Object.keys(policyViewProps),
  properties: policyViewProps,
} as const;

const policyDetail = {
  type: 'object',
  required: [...Object.keys(policyViewProps), 'versions'],
  properties: {
    ...policyViewProps,
    versions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['version', 'name', 'createdAt', 'retiredAt'],
        properties: { ...versionProps, name: { type: 'string' } },
      },
    },
  },
} as const;

export const policyResponses = {
  list: {
    200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: policyView } } },
    ...problemResponses(400),
  },
  detail: { 200: policyDetail, ...problemResponses(400, 404) },
  version: { 200: policyView, ...problemResponses(400, 404) },
  create: { 201: policyView, ...problemResponses(400, 409, 422) },
  replace: { 200: policyView, ...problemResponses(400, 404, 409, 422) },
  retire: { 200: policyView, ...problemResponses(400, 404, 409) },
};

// ---- escalations -----------------------------------------------------------------------------------------

export const escalationQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    level: { type: 'string', pattern: '^[1-9]$', description: '1 = warning, 2 = breach, 3 = …' },
    clock: { type: 'string', enum: CLOCKS },
    from: { type: 'string', format: 'date-time', description: 'due at or after' },
    to: { type: 'string', format: 'date-time', description: 'due before' },
    assignee: { type: 'string', minLength: 1, maxLength: 100 },
    caseId: { type: 'string', pattern: '^C[0-9]{7,}$' },
    limit: { type: 'string', pattern: '^(?:[1-9][0-9]?|100)$', description: '1–100, default 50' },
    cursor: { type: 'string', maxLength: 200, description: 'nextCursor of the previous page' },
  },
} as const;

export const escalationResponses = {
  list: {
    200: {
      type: 'object',
      required: ['items', 'nextCursor'],
      properties: {
        items: { type: 'array', items: { $ref: 'Escalation#' } },
        nextCursor: {
          type: ['string', 'null'],
          description: 'pass as cursor for the next page; null on the last',
        },
      },
    },
    ...problemResponses(400, 422),
  },
};
