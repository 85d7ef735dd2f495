// The live event stream (server-sent events) of the cases a key may read, and the tickets a browser
// opens it with. docs/dashboard.md describes both.
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import {
  formatPosition,
  parsePosition,
  type StreamedCaseEvent,
  type StreamPosition,
} from '../../db/case-event-stream.js';
import { firedStepKind, isFiredStepTransition } from '../../domain/escalation-step.js';
import type { AppDeps } from '../app.js';
import type { StreamTickets } from '../auth/stream-tickets.js';
import { visibleCases } from '../case-access.js';
import { streamHeaders, streamQuery, streamResponses, ticketResponses } from '../live-event-schemas.js';
import type { LiveCaseEvents } from '../live-events.js';
import { Problem } from '../problem.js';

export const EVENT_STREAM_PATH = '/api/v1/events/stream';
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** The data of a "case" event (the CaseStreamEvent schema). */
export function caseStreamEvent(e: StreamedCaseEvent) {
  const d = e.data as { clock?: string; level?: number; at?: number; dueAt?: string; recipient?: string };
  return {
    id: formatPosition(e.position),
    caseId: e.caseId,
    seq: e.seq,
    transition: e.type,
    stage: e.toStage,
    previousStage: e.fromStage,
    actor: e.actor,
    at: e.at.toISOString(),
    escalation:
      isFiredStepTransition(e.type) && d.clock && d.level !== undefined
        ? {
            clock: d.clock,
            level: d.level,
            kind: firedStepKind({ level: d.level, at: d.at }),
            dueAt: d.dueAt ?? e.at.toISOString(),
            recipient: d.recipient ?? '',
          }
        : null,
  };
}

/** One SSE event: its name, its position as id, JSON data on one line. */
const sse = (event: string, position: StreamPosition, data: unknown) =>
  `event: ${event}\nid: ${formatPosition(position)}\ndata: ${JSON.stringify(data)}\n\n`;

export async function eventRoutes(
  app: FastifyInstance,
  deps: AppDeps & { liveEvents: LiveCaseEvents; streamTickets: StreamTickets },
) {
  const { liveEvents, streamTickets } = deps;

  app.post(
    '/api/v1/events/tickets',
    {
      schema: {
        operationId: 'issueEventStreamTicket',
        tags: ['events'],
        summary: 'A one-use ticket that opens the event stream where headers cannot be sent (EventSource)',
        description:
          'The ticket stands for the calling key on GET /api/v1/events/stream?ticket=… only, once, and ' +
          'for a minute (EVENT_TICKET_TTL). It is never logged. Ask for a new one for every (re)connection.',
        response: ticketResponses,
      },
      config: { permission: 'cases.read' },
    },
    async (req, reply) => {
      const { ticket, expiresAt } = await streamTickets.issue(req.principal!);
      return reply.code(201).send({
        ticket,
        expiresAt: expiresAt.toISOString(),
        streamUrl: `${EVENT_STREAM_PATH}?ticket=${ticket}`,
      });
    },
  );

  app.get<{
    Querystring: { ticket?: string; lastEventId?: string };
    Headers: { 'last-event-id'?: string };
  }>(
    EVENT_STREAM_PATH,
    {
      schema: {
        operationId: 'streamCaseEvents',
        tags: ['events'],
        summary:
          'Server-sent events: the transitions, breaches and escalations of the cases the key may read',
        description:
          'Authenticate with the API key in a header, or (browsers) with ?ticket= from POST ' +
          '/api/v1/events/tickets. An engineer sees the events of the cases assigned to them, a help desk ' +
          'key those of the cases it opened (ENGINEER_CASE_SCOPE). Resume after a break with the ' +
          'Last-Event-ID header or ?lastEventId=: nothing committed in between is lost. Without either, ' +
          'the stream starts now; load the current state after the "ready" event.',
        querystring: streamQuery,
        headers: streamHeaders,
        response: streamResponses,
      },
      config: { permission: 'cases.read', acceptsStreamTicket: true },
    },
    async (req, reply) => {
      const resumeFrom = req.headers['last-event-id'] ?? req.query.lastEventId;
      let position: StreamPosition | undefined;
      if (resumeFrom !== undefined) {
        position = parsePosition(resumeFrom);
        if (!position)
          throw new Problem(
            400,
            'invalid-request',
            'Bad request',
            `Last-Event-ID ${resumeFrom} is not a position`,
          );
      }
      position ??= await liveEvents.start();
      const principal = req.principal!;

      const body = new PassThrough();
      let stop: (() => void) | undefined;
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        stop?.();
        body.end();
      };
      reply.raw.once('close', end);
      body.write(`retry: 3000\n\n${sse('ready', position, { id: formatPosition(position) })}`);
      const following = liveEvents.follow({
        visible: visibleCases(principal),
        position,
        deliver: (e) => {
          if (ended) return false;
          // A client that stops reading is let go rather than buffered without end; it reconnects
          // with its last id and loses nothing.
          if (body.writableLength > MAX_BUFFERED_BYTES) {
            end();
            return false;
          }
          body.write(sse('case', e.position, caseStreamEvent(e)));
          return true;
        },
        heartbeat: (at) => {
          if (ended) return;
          body.write(sse('heartbeat', at, { id: formatPosition(at) }));
          // A key revoked while its stream is open loses the stream at the next heartbeat.
          void streamTickets.keyIsValid(principal.keyId).then(
            (valid) => valid || end(),
            () => {},
          );
        },
        end,
      });
      try {
        stop = await following;
      } catch (err) {
        req.log.warn({ err }, 'live events: cannot listen to the database');
        body.destroy();
        throw new Problem(
          503,
          'events-unavailable',
          'Service unavailable',
          'the database did not answer; retry',
        );
      }
      if (ended) stop();
      return (
        reply
          .type('text/event-stream; charset=utf-8')
          .header('x-accel-buffering', 'no')
          // The connection is the stream's: when the stream ends (the API shutting down), so does it,
          // instead of idling as a keep-alive connection the server would wait for.
          .header('connection', 'close')
          .send(body)
      );
    },
  );
}
