// Response schemas of the case API: the shapes api/case-read-model.ts answers with. They are registered
// as shared schemas (components of the OpenAPI document: Case, CaseSummary, Clock, Escalation,
// TimelineEvent) and also serialise the answers — Fastify drops any property a response schema does
// not name, so every field the read model shows is listed here (test/integration/openapi-contract.test.ts
// fails when one is missing).
import {
  CHANNELS,
  COMPLEXITIES,
  CONTACT_OUTCOMES,
  REPAIR_MODES,
  SEVERITIES,
  STAGES,
} from '../domain/case.js';
import { CLOCKS, PAUSE_REASONS } from '../domain/sla-policy.js';
import { dateTime, nullableDateTime, nullableString } from './schema-parts.js';

const OUTCOMES = ['resolved_at_intake', 'survey_answered', 'survey_expired', 'cancelled'] as const;
const TARGET_UNITS = ['hours', 'business_hours', 'working_days'] as const;

const object = (properties: Record<string, unknown>, required: string[] = Object.keys(properties)) =>
  ({ type: 'object', additionalProperties: false, required, properties }) as const;

const nullable = <T extends { properties: unknown }>(schema: T) => ({ ...schema, type: ['object', 'null'] });

/** Who did a step and when (server time). */
const stamp = {
  at: dateTime,
  by: { type: 'string', description: 'person id, or key:<id> for a key without one' },
};

const partLine = object(
  {
    partNumber: { type: 'string' },
    quantity: { type: 'integer' },
    description: { type: 'string' },
    faultySerial: { type: 'string', description: 'replaced serial-tracked parts: the faulty unit' },
    replacementSerial: { type: 'string', description: 'replaced serial-tracked parts: the new unit' },
    defectiveReturned: { type: 'boolean', description: 'the defective part came back (旧件返回)' },
  },
  ['partNumber', 'quantity'],
);

/** A person an escalation reached or skipped, with their place in the chain and why. */
const notifiedPerson = {
  type: 'object',
  required: ['personId', 'name', 'position', 'reason'],
  properties: {
    personId: { type: 'string' },
    name: { type: 'string' },
    position: { type: 'string' },
    reason: { type: 'string' },
  },
} as const;

/** Who an escalation (of a case, a complaint or a quality issue) reached, once its notification was resolved. */
export const NOTIFIED_SCHEMA = {
  type: ['object', 'null'],
  description:
    'who the escalation reached and why (null until its notification is resolved, moments after it fired): recipients with their place in the chain, people skipped (absent, inactive) with the reason',
  required: ['target', 'recipients', 'skipped', 'note', 'at'],
  properties: {
    target: { type: 'string' },
    recipients: { type: 'array', items: notifiedPerson },
    skipped: { type: 'array', items: notifiedPerson },
    note: { type: ['string', 'null'] },
    at: { type: 'string', format: 'date-time' },
  },
} as const;

export const ESCALATION_SCHEMA = {
  $id: 'Escalation',
  description: 'A warning or escalation an SLA clock fired',
  ...object(
    {
      id: { type: 'integer' },
      caseId: { type: 'string' },
      clock: { type: 'string', enum: CLOCKS },
      cycle: { type: 'integer', description: 'clock cycle (a restarted clock counts again)' },
      level: { type: 'integer', description: '1 = warning, 2 = breach, 3 = escalation …' },
      name: { type: 'string', description: 'the step name of the SLA policy, e.g. warning, breach' },
      dueAt: { ...dateTime, description: 'the instant the step fell due' },
      firedAt: { ...dateTime, description: 'the instant it fired' },
      latenessMs: { type: 'integer', description: 'firedAt − dueAt' },
      recipient: {
        type: 'string',
        description:
          "who was notified: the policy's recipient; for 'assignee', the assigned engineer, or 'service-desk' when nobody is assigned",
      },
      assignee: { ...nullableString, description: 'the assignee when it fired' },
      severity: { type: 'string', enum: SEVERITIES },
      notified: NOTIFIED_SCHEMA,
      imported: {
        type: 'boolean',
        description:
          'overdue when its imported case arrived: recorded as fired, nobody notified, no sla.* webhook',
      },
    },
    [
      'id',
      'caseId',
      'clock',
      'cycle',
      'level',
      'name',
      'dueAt',
      'firedAt',
      'latenessMs',
      'recipient',
      'assignee',
      'severity',
      'imported',
    ],
  ),
} as const;

export const CLOCK_SCHEMA = {
  $id: 'Clock',
  description: 'An SLA clock as it stands now; instants carry the offset of the calendar time zone',
  ...object({
    name: { type: 'string', enum: CLOCKS },
    target: object({ amount: { type: 'number' }, unit: { type: 'string', enum: TARGET_UNITS } }),
    state: { type: 'string', enum: ['running', 'paused', 'stopped', 'breached'] },
    breached: { type: 'boolean', description: 'the deadline passed (also when the clock has stopped since)' },
    startedAt: dateTime,
    deadline: { ...nullableDateTime, description: 'null while paused or stopped' },
    stoppedAt: nullableDateTime,
    elapsedMs: {
      type: 'integer',
      description: 'clock time used, in ms of the clock unit (working time unless the unit is hours)',
    },
    remainingMs: { type: 'integer', description: 'clock time left; negative once overdue' },
    pausedMs: {
      ...object(Object.fromEntries(PAUSE_REASONS.map((r) => [r, { type: 'integer' }]))),
      description: 'wall time spent paused, per reason',
    },
    pausedFor: { type: 'array', items: { type: 'string', enum: PAUSE_REASONS } },
    cycle: { type: 'integer' },
    steps: {
      type: 'array',
      items: object({
        level: { type: 'integer' },
        name: { type: 'string' },
        at: { type: 'number', description: 'fraction of the target' },
        recipient: { type: 'string' },
        dueAt: nullableDateTime,
        firedAt: nullableDateTime,
      }),
    },
  }),
} as const;

export const CLOCK_SUMMARY_SCHEMA = {
  $id: 'ClockSummary',
  description:
    'An SLA clock as lists show it: enough to count it down. A running clock counts to its deadline; a paused or stopped one shows the clock time it has left',
  ...object({
    name: { type: 'string', enum: CLOCKS },
    state: { type: 'string', enum: ['running', 'paused', 'stopped', 'breached'] },
    breached: { type: 'boolean', description: 'the deadline passed (also when the clock has stopped since)' },
    deadline: {
      ...nullableDateTime,
      description: 'when a running clock runs out (also when that is past); null while paused or stopped',
    },
    remainingMs: {
      type: ['integer', 'null'],
      description:
        'clock time left of a paused or stopped clock, in ms of its unit (negative: overdue by that much); null while running',
    },
  }),
} as const;

export const TIMELINE_EVENT_SCHEMA = {
  $id: 'TimelineEvent',
  description: 'One transition of the case, in the order of the workflow (seq)',
  ...object({
    seq: { type: 'integer', description: 'position in the case history, from 1' },
    type: {
      type: 'string',
      description:
        'created, assigned, reassigned, resolved_at_intake, diagnosed, parts_ready, scheduled, rescheduled, checked_in, repair_completed, repair_accepted, repair_disputed, survey_sent, survey_answered, survey_expired, waiting_for_customer, customer_responded, customer_replied, contact_attempted, cancelled, sla_warning, sla_breached, sla_escalated',
    },
    fromStage: { type: ['string', 'null'], enum: [...STAGES, null] },
    toStage: { type: 'string', enum: STAGES },
    actor: { type: 'string', description: "who did it; 'system' for timers" },
    at: dateTime,
    data: { type: 'object', additionalProperties: true, description: 'what the step recorded' },
  }),
} as const;

const externalRef = object({ system: { type: 'string' }, id: { type: 'string' } });

const summaryProps = {
  id: { type: 'string', description: 'case id, e.g. C0000042' },
  workflowId: { type: 'string', description: 'the Temporal workflow id, case-<id>' },
  stage: { type: 'string', enum: STAGES },
  stageLabel: { type: 'string', description: 'the stage in Chinese, e.g. 受理' },
  outcome: { type: ['string', 'null'], enum: [...OUTCOMES, null], description: 'how a finished case ended' },
  severity: { type: 'string', enum: SEVERITIES },
  complexity: {
    type: ['string', 'null'],
    enum: [...COMPLEXITIES, null],
    description: 'known after diagnosis',
  },
  assignee: { ...nullableString, description: 'the engineer' },
  channel: { type: 'string', enum: CHANNELS },
  externalRef: { ...nullable(externalRef), description: "the help desk's ticket" },
  customer: object({
    name: { type: 'string' },
    phone: nullableString,
    email: nullableString,
    tier: nullableString,
    region: { ...nullableString, description: 'where the customer is, e.g. 华东' },
  }),
  product: object({
    model: { type: 'string' },
    serialNumber: { type: 'string' },
    purchaseDate: { ...nullableString, description: 'YYYY-MM-DD' },
    line: nullableString,
  }),
  problem: object({ description: { type: 'string' }, severity: { type: 'string', enum: SEVERITIES } }),
  reportedAt: { ...dateTime, description: 'when the customer reported; the SLA clocks start here' },
  createdAt: dateTime,
  updatedAt: dateTime,
  closedAt: nullableDateTime,
  breached: { type: 'boolean', description: 'some SLA clock passed its deadline' },
  imported: {
    type: 'boolean',
    description: 'carried over from another system: steps overdue on arrival paged nobody (docs/process.md)',
  },
  repeatOf: {
    ...nullableString,
    description: 'the earlier case on the same serial whose repair this one repeats within 30 days (返修)',
  },
  slaClocks: {
    type: 'array',
    items: { $ref: 'ClockSummary#' },
    description:
      'the SLA clocks, response, arrival (emergencies) and repair, as they stand now; in a list, empty until the workflow first records the case (a moment after intake)',
  },
  escalationLevel: {
    type: ['integer', 'null'],
    description: "the highest escalation step fired on the case's clocks in their current cycle; null: none",
  },
} as const;

export const CASE_SUMMARY_SCHEMA = {
  $id: 'CaseSummary',
  description: 'A case as lists show it',
  ...object(summaryProps),
} as const;

const survey = object(
  {
    dueAt: { ...dateTime, description: 'when the survey is sent (SURVEY_DELAY after the customer accepted)' },
    sentAt: dateTime,
    expiresAt: { ...dateTime, description: 'unanswered by then, the case closes as survey_expired' },
    response: object(
      {
        serviceQuality: { type: 'integer', minimum: 1, maximum: 5 },
        repairEffect: { type: 'integer', minimum: 1, maximum: 5 },
        attitude: { type: 'integer', minimum: 1, maximum: 5 },
        comment: { type: 'string' },
        via: { type: 'string', enum: ['phone', 'online'] },
        ...stamp,
      },
      ['serviceQuality', 'repairEffect', 'attitude', 'via', 'at', 'by'],
    ),
    expiredAt: dateTime,
  },
  ['dueAt'],
);

/** Structured failure codes beside the free text (docs/quality.md), when the engineer gave them. */
const failureCoding = (withAction: boolean) =>
  object(
    {
      symptomCode: { type: 'string' },
      causeCode: { type: 'string' },
      ...(withAction ? { actionCode: { type: 'string' } } : {}),
      batch: { type: 'string', description: 'production batch (批次)' },
    },
    [],
  );

const stages = object({
  resolution: nullable(object({ answer: { type: 'string' }, ...stamp })),
  assignments: {
    type: 'array',
    items: object({ engineer: { type: 'string' }, expectedHandling: { type: 'string' }, ...stamp }, [
      'engineer',
      'at',
      'by',
    ]),
  },
  diagnoses: {
    type: 'array',
    items: object(
      {
        cause: { type: 'string' },
        plan: { type: 'string' },
        complexity: { type: 'string', enum: COMPLEXITIES },
        parts: { type: 'array', items: partLine },
        failure: failureCoding(false),
        round: { type: 'integer', description: 'diagnosis round: 0, then one more per dispute' },
        ...stamp,
      },
      ['cause', 'plan', 'complexity', 'parts', 'round', 'at', 'by'],
    ),
  },
  partsReady: nullable(object({ note: { type: 'string' }, ...stamp }, ['at', 'by'])),
  schedule: nullable(
    object(
      {
        mode: { type: 'string', enum: REPAIR_MODES },
        agreedAt: dateTime,
        address: { type: 'string' },
        note: { type: 'string' },
        ...stamp,
      },
      ['mode', 'agreedAt', 'at', 'by'],
    ),
  ),
  checkIn: nullable(
    object(
      {
        arrivedAt: dateTime,
        mode: { type: 'string', enum: REPAIR_MODES },
        note: { type: 'string' },
        ...stamp,
      },
      ['arrivedAt', 'mode', 'at', 'by'],
    ),
  ),
  repairReports: {
    type: 'array',
    items: object(
      {
        symptom: { type: 'string' },
        cause: { type: 'string' },
        actions: { type: 'string' },
        partsReplaced: { type: 'array', items: partLine },
        test: object({ passed: { type: 'boolean' }, notes: { type: 'string' } }, ['passed']),
        usageExplained: { type: 'boolean' },
        failure: failureCoding(true),
        round: { type: 'integer' },
        ...stamp,
      },
      ['symptom', 'cause', 'actions', 'partsReplaced', 'test', 'usageExplained', 'round', 'at', 'by'],
    ),
  },
  feedback: {
    type: 'array',
    items: object(
      { accepted: { type: 'boolean' }, comment: { type: 'string' }, round: { type: 'integer' }, ...stamp },
      ['accepted', 'round', 'at', 'by'],
    ),
  },
  disputes: { type: 'integer', description: 'how often the customer disputed the repair' },
  survey: nullable(survey),
  cancellation: nullable(object({ reason: { type: 'string' }, ...stamp })),
  contacts: {
    type: 'array',
    description: 'customer replies and contact attempts the help desk reported, oldest first',
    items: object(
      {
        kind: { type: 'string', enum: ['customer_reply', 'contact_attempt'] },
        channel: { type: 'string', enum: CHANNELS },
        message: { type: 'string' },
        outcome: { type: 'string', enum: CONTACT_OUTCOMES },
        occurredAt: { ...dateTime, description: 'when it happened' },
        ...stamp,
      },
      ['kind', 'channel', 'occurredAt', 'at', 'by'],
    ),
  },
});

export const CASE_SCHEMA = {
  $id: 'Case',
  description: 'A case with its SLA clocks, escalations, the data of each stage and its timeline',
  ...object({
    ...summaryProps,
    sla: {
      ...nullable(
        object({
          policy: object({ id: { type: 'string' }, version: { type: 'integer' }, name: { type: 'string' } }),
          calendar: object({
            id: { type: 'string' },
            name: { type: 'string' },
            timeZone: { type: 'string' },
          }),
        }),
      ),
      description: 'the SLA policy version and calendar the case runs under (fixed at intake)',
    },
    clocks: { type: 'array', items: { $ref: 'Clock#' } },
    waitingForCustomer: {
      ...nullable(object({ reason: { type: 'string' }, ...stamp })),
      description: 'set while the case waits on the customer (等待客户)',
    },
    escalations: { type: 'array', items: { $ref: 'Escalation#' } },
    stages: { ...nullable(stages), description: 'the data each step recorded; null until the workflow ran' },
    timeline: { type: 'array', items: { $ref: 'TimelineEvent#' } },
  }),
} as const;

export const CASE_LIST_SCHEMA = {
  $id: 'CaseList',
  ...object({
    items: { type: 'array', items: { $ref: 'CaseSummary#' } },
    nextCursor: { ...nullableString, description: 'pass as cursor for the next page; null on the last' },
  }),
} as const;

/** Shared schemas of the case API, in the order they must be added (referenced ones first). */
export const CASE_SCHEMAS = [
  ESCALATION_SCHEMA,
  CLOCK_SCHEMA,
  CLOCK_SUMMARY_SCHEMA,
  TIMELINE_EVENT_SCHEMA,
  CASE_SUMMARY_SCHEMA,
  CASE_SCHEMA,
  CASE_LIST_SCHEMA,
];

export const caseRef = { $ref: 'Case#' } as const;
