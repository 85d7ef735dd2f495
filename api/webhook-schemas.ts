// JSON schemas of the webhook subscription API. Requests reject unknown fields; what a schema cannot
// state (an http(s) URL, known event types) is checked by the handler and answered with 422.
import { WEBHOOK_EVENT_TYPES, WEBHOOK_FAMILIES } from '../domain/webhooks.js';
import { problemResponses } from './schema-parts.js';

export const SUBSCRIPTION_ID_PATTERN = '^wh_[0-9a-f]{16}$';

const url = {
  type: 'string',
  minLength: 1,
  maxLength: 2000,
  description: 'receiver URL, http or https',
} as const;
const eventTypes = {
  type: 'array',
  maxItems: 20,
  uniqueItems: true,
  items: { type: 'string', minLength: 1, maxLength: 100 },
  description: `at least one of ${WEBHOOK_EVENT_TYPES.join(', ')}; or the wildcards ${WEBHOOK_FAMILIES.map((f) => `${f}.*`).join(', ')} and *`,
} as const;
const description = { type: ['string', 'null'], maxLength: 500 } as const;

export const createSubscriptionBody = {
  type: 'object',
  required: ['url', 'eventTypes'],
  additionalProperties: false,
  properties: { url, eventTypes, description, active: { type: 'boolean', description: 'default true' } },
  examples: [
    {
      url: 'https://helpdesk.example.com/hooks/shouhou',
      eventTypes: ['case.*', 'sla.breached'],
      description: 'Zendesk bridge',
    },
  ],
} as const;

export const updateSubscriptionBody = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: { url, eventTypes, description, active: { type: 'boolean' } },
} as const;

export const subscriptionParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: SUBSCRIPTION_ID_PATTERN, description: 'subscription id' } },
} as const;

export const deliveryParams = {
  type: 'object',
  required: ['id', 'deliveryId'],
  properties: {
    id: { type: 'string', pattern: SUBSCRIPTION_ID_PATTERN },
    deliveryId: {
      type: 'string',
      pattern: '^[1-9][0-9]{0,9}$',
      description: 'delivery id (Shouhou-Delivery)',
    },
  },
} as const;

/** pending until a 2xx answer; failed attempts keep it pending and are retried without limit. */
export const DELIVERY_STATUSES = ['pending', 'delivered'] as const;

export const deliveryQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: {
      type: 'string',
      enum: DELIVERY_STATUSES,
      description:
        'pending: not delivered yet (failed attempts show in attempts, lastStatusCode and lastError; it is retried until it succeeds); delivered: a 2xx answer',
    },
    eventType: { type: 'string', minLength: 1, maxLength: 100 },
    caseId: { type: 'string', pattern: '^C[0-9]{7,}$' },
    limit: { type: 'string', pattern: '^(?:[1-9][0-9]?|100)$', description: '1–100, default 50' },
    cursor: { type: 'string', maxLength: 200, description: 'nextCursor of the previous page' },
  },
} as const;

const nullableString = { type: ['string', 'null'] } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const;

const subscriptionProps = {
  id: { type: 'string' },
  url: { type: 'string' },
  eventTypes: { type: 'array', items: { type: 'string' } },
  description: nullableString,
  active: { type: 'boolean' },
  ownerKeyId: { ...nullableString, description: 'the API key that created it' },
  caseScope: {
    type: 'string',
    enum: ['all', 'own'],
    description:
      'own: only events of cases opened with the owner key (subscriptions a help desk key creates)',
  },
  createdAt: dateTime,
} as const;

const subscription = {
  type: 'object',
  required: Object.keys(subscriptionProps),
  properties: subscriptionProps,
} as const;

const deliveryProps = {
  id: { type: 'integer', description: 'sent as Shouhou-Delivery' },
  subscriptionId: { type: 'string' },
  eventId: { type: 'integer', description: 'the id in the body' },
  eventType: { type: 'string' },
  caseId: nullableString,
  status: { type: 'string', enum: DELIVERY_STATUSES },
  attempts: { type: 'integer' },
  lastAttemptAt: nullableDateTime,
  lastStatusCode: { type: ['integer', 'null'] },
  lastError: nullableString,
  createdAt: dateTime,
  deliveredAt: nullableDateTime,
} as const;

const delivery = { type: 'object', required: Object.keys(deliveryProps), properties: deliveryProps } as const;

const attempt = {
  type: 'object',
  required: ['id', 'at', 'statusCode', 'error', 'durationMs'],
  properties: {
    id: { type: 'integer' },
    at: dateTime,
    statusCode: { type: ['integer', 'null'] },
    error: nullableString,
    durationMs: { type: 'integer' },
  },
} as const;

export const webhookResponses = {
  create: {
    201: {
      description: 'the subscription, with its signing secret (shown only now)',
      type: 'object',
      required: [...Object.keys(subscriptionProps), 'secret'],
      properties: {
        ...subscriptionProps,
        secret: {
          type: 'string',
          description: 'HMAC-SHA256 key of Shouhou-Signature; shown only at creation',
        },
      },
    },
    ...problemResponses(400, 422),
  },
  list: {
    200: {
      type: 'object',
      required: ['items'],
      properties: { items: { type: 'array', items: subscription } },
    },
  },
  one: { 200: subscription, ...problemResponses(400, 404) },
  update: { 200: subscription, ...problemResponses(400, 404, 422) },
  remove: {
    204: { description: 'deleted, with its deliveries', type: 'null' },
    ...problemResponses(400, 404),
  },
  deliveries: {
    200: {
      type: 'object',
      required: ['items', 'nextCursor'],
      properties: { items: { type: 'array', items: delivery }, nextCursor: nullableString },
    },
    ...problemResponses(400, 404),
  },
  delivery: {
    200: {
      type: 'object',
      required: [...Object.keys(deliveryProps), 'payload', 'attemptLog'],
      properties: {
        ...deliveryProps,
        payload: {
          type: 'object',
          additionalProperties: true,
          required: ['id', 'type', 'occurredAt'],
          properties: { id: { type: 'integer' }, type: { type: 'string' }, occurredAt: dateTime },
          description:
            'the JSON body sent: a CaseWebhookEvent or SlaWebhookEvent (see the webhooks of this document)',
        },
        attemptLog: { type: 'array', items: attempt, description: 'every HTTP attempt, oldest first' },
      },
    },
    ...problemResponses(400, 404),
  },
  redeliver: { 202: { description: 'queued again', ...delivery }, ...problemResponses(400, 404, 409) },
};
