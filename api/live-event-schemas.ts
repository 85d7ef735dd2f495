// Schemas of the live event stream (GET /api/v1/events/stream) and its tickets. The stream is
// text/event-stream; the JSON in each event's data line is one of the shared schemas below, registered
// as components (CaseStreamEvent, StreamPosition) so clients and tests check events against the document.
import { STAGES } from '../domain/case.js';
import { FIRED_STEP_KINDS } from '../domain/escalation-step.js';
import { CLOCKS } from '../domain/sla-policy.js';
import { dateTime, problemResponses } from './schema-parts.js';

const position = {
  type: 'string',
  pattern: '^[0-9]{1,20}\\.[0-9]{1,16}$',
  description: 'stream position (also the SSE id): pass it back as Last-Event-ID to resume after it',
} as const;

export const CASE_STREAM_EVENT_SCHEMA = {
  $id: 'CaseStreamEvent',
  description:
    'A transition of a case the stream client may read (SSE event "case"); fetch the case for its data',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'caseId', 'seq', 'transition', 'stage', 'previousStage', 'actor', 'at', 'escalation'],
  properties: {
    id: position,
    caseId: { type: 'string' },
    seq: { type: 'integer', description: 'position in the case timeline (TimelineEvent.seq)' },
    transition: { type: 'string', description: 'the TimelineEvent type: created, assigned, sla_breached…' },
    stage: { type: 'string', enum: STAGES, description: 'the stage after the transition' },
    previousStage: { type: ['string', 'null'], enum: [...STAGES, null] },
    actor: { type: 'string' },
    at: dateTime,
    escalation: {
      type: ['object', 'null'],
      description: 'for sla_warning, sla_breached and sla_escalated: the step that fired',
      additionalProperties: false,
      required: ['clock', 'level', 'kind', 'dueAt', 'recipient'],
      properties: {
        clock: { type: 'string', enum: CLOCKS },
        level: { type: 'integer' },
        kind: { type: 'string', enum: FIRED_STEP_KINDS },
        dueAt: dateTime,
        recipient: { type: 'string' },
      },
    },
  },
} as const;

export const STREAM_POSITION_SCHEMA = {
  $id: 'StreamPosition',
  description: 'The data of the SSE events "ready" (first event of a stream) and "heartbeat"',
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: position },
} as const;

export const LIVE_EVENT_SCHEMAS = [CASE_STREAM_EVENT_SCHEMA, STREAM_POSITION_SCHEMA];

export const ticketResponses = {
  201: {
    description: 'A one-use ticket for GET /api/v1/events/stream?ticket=…',
    type: 'object',
    additionalProperties: false,
    required: ['ticket', 'expiresAt', 'streamUrl'],
    properties: {
      ticket: { type: 'string', description: 'est_ and 32 characters; valid once, until expiresAt' },
      expiresAt: dateTime,
      streamUrl: { type: 'string', description: 'the stream path with the ticket' },
    },
  },
} as const;

export const streamQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ticket: {
      type: 'string',
      maxLength: 100,
      description: 'a ticket from POST /api/v1/events/tickets, in place of the API key (browsers)',
    },
    lastEventId: {
      ...position,
      description:
        'resume after this position, like the Last-Event-ID header (a new EventSource cannot send that header)',
    },
  },
} as const;

export const streamHeaders = {
  type: 'object',
  properties: {
    'last-event-id': { ...position, description: 'resume after this position (sent by EventSource)' },
  },
} as const;

export const streamResponses = {
  200: {
    description:
      'text/event-stream, open until the client leaves. Events: "ready" first (data StreamPosition: where ' +
      'the stream starts), then "case" for each transition (data CaseStreamEvent), and "heartbeat" when ' +
      'idle (data StreamPosition). Every event carries its position as the SSE id.',
    content: {
      'text/event-stream': {
        schema: {
          type: 'string',
          description: 'SSE events; the data of each is the schema of its name in $defs',
          $defs: {
            ready: { $ref: 'StreamPosition#' },
            case: { $ref: 'CaseStreamEvent#' },
            heartbeat: { $ref: 'StreamPosition#' },
          },
        },
      },
    },
  },
  ...problemResponses(400, 503),
} as const;
