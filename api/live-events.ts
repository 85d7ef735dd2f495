// Live case events for the dashboard: every stream client follows the case timeline (db/case-event-
// stream.ts) from its own position, filtered to the cases it may read. Postgres wakes the API when a
// transaction that wrote timeline rows commits (LISTEN/NOTIFY, migration 0011), and the API reads the
// rows itself; the notification carries nothing a client relies on, so one that is lost (the listening
// connection dropped) only delays an event until the next heartbeat reads the timeline anyway.
import type { SQL } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import {
  caseEventsAfter,
  comparePositions,
  type StreamedCaseEvent,
  type StreamPosition,
  streamHorizon,
} from '../db/case-event-stream.js';
import type { Database } from '../db/client.js';

export const CASE_EVENTS_CHANNEL = 'shouhou_case_events';

export interface LiveEventSettings {
  /** How often an idle stream gets a heartbeat (and re-reads the timeline); default 15 s. */
  heartbeatMs: number;
  /** How soon to look again when a committed transaction is still behind the horizon; default 200 ms. */
  horizonRetryMs: number;
  /** Rows read per query; default 200. */
  batchSize: number;
}

export const DEFAULT_LIVE_EVENT_SETTINGS: LiveEventSettings = {
  heartbeatMs: 15_000,
  horizonRetryMs: 200,
  batchSize: 200,
};

export interface Subscription {
  /** Which cases it sees (api/case-access.ts `visibleCases`). */
  visible: SQL | undefined;
  /** Everything before this position has been delivered or was not for it. */
  position: StreamPosition;
  /** Writes one event; false when the client is gone. */
  deliver(event: StreamedCaseEvent): boolean;
  /** Writes a heartbeat naming the position. */
  heartbeat(position: StreamPosition): void;
  /** Ends the stream (the API is shutting down). */
  end(): void;
}

interface Follower extends Subscription {
  reading: boolean;
  again: boolean;
  closed: boolean;
  timer?: NodeJS.Timeout;
}

export class LiveCaseEvents {
  private readonly followers = new Set<Follower>();
  private listening?: Promise<{ unlisten(): Promise<void> }>;
  /** The newest transaction a notification named: the horizon must pass it before its rows show. */
  private notifiedTx = 0n;
  private retry?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly db: Database,
    private readonly settings: LiveEventSettings,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** The position a new stream starts from: after everything committed so far. */
  async start(): Promise<StreamPosition> {
    return { tx: await streamHorizon(this.db), id: 0 };
  }

  /** Follows the timeline for one stream until the returned function is called. */
  async follow(sub: Subscription): Promise<() => void> {
    await this.listen();
    const follower: Follower = { ...sub, reading: false, again: false, closed: false };
    this.followers.add(follower);
    const beat = () => {
      follower.timer = setTimeout(async () => {
        await this.read(follower);
        if (follower.closed) return;
        follower.heartbeat(follower.position);
        beat();
      }, this.settings.heartbeatMs);
    };
    beat();
    void this.read(follower);
    return () => this.drop(follower);
  }

  get size() {
    return this.followers.size;
  }

  /** Ends every stream and stops listening. */
  async close() {
    this.closed = true;
    clearTimeout(this.retry);
    for (const f of [...this.followers]) {
      this.drop(f);
      f.end();
    }
    const listening = this.listening;
    this.listening = undefined;
    if (listening) await (await listening.catch(() => undefined))?.unlisten();
  }

  private drop(f: Follower) {
    f.closed = true;
    clearTimeout(f.timer);
    this.followers.delete(f);
  }

  private listen() {
    this.listening ??= this.db.$client.listen(
      CASE_EVENTS_CHANNEL,
      (payload) => {
        if (/^\d+$/.test(payload)) {
          const tx = BigInt(payload);
          if (tx > this.notifiedTx) this.notifiedTx = tx;
        }
        this.readAll();
      },
      // Also after a reconnect of the listening connection: read what was written meanwhile.
      () => this.readAll(),
    );
    // A database that did not answer: the next stream tries again.
    this.listening.catch(() => {
      this.listening = undefined;
    });
    return this.listening;
  }

  private readAll() {
    for (const f of this.followers) void this.read(f);
  }

  /** Delivers what is new for one stream; a read asked for while one runs runs again after it. */
  private async read(f: Follower): Promise<void> {
    if (f.reading) {
      f.again = true;
      return;
    }
    f.reading = true;
    try {
      do {
        f.again = false;
        const horizon = await streamHorizon(this.db);
        for (;;) {
          const rows = await caseEventsAfter(
            this.db,
            f.position,
            horizon,
            f.visible,
            this.settings.batchSize,
          );
          for (const row of rows) {
            if (f.closed || !f.deliver(row)) return this.drop(f);
            f.position = row.position;
          }
          if (rows.length < this.settings.batchSize) break;
        }
        // Whatever lies below the horizon has been read: later reads start there, not at the last row
        // this stream could see (an engineer may see few of the cases that move).
        const atHorizon = { tx: horizon, id: 0 };
        if (comparePositions(atHorizon, f.position) > 0) f.position = atHorizon;
        // A notified transaction not yet below the horizon waits for an older one still running.
        if (BigInt(horizon) <= this.notifiedTx) this.readSoon();
      } while (f.again && !f.closed);
    } catch (err) {
      if (!this.closed) {
        this.log.warn({ err }, 'live events: reading the case timeline failed; retrying');
        this.readSoon();
      }
    } finally {
      f.reading = false;
    }
  }

  private readSoon() {
    if (this.retry || this.closed) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.readAll();
    }, this.settings.horizonRetryMs);
  }
}
