// A small server-sent events client for tests: opens a stream with fetch, parses its events as they
// arrive, and waits for the one a test expects.
import { get, type IncomingMessage } from 'node:http';

export interface SseEvent {
  event: string;
  id: string;
  data: unknown;
}

export interface SseStream {
  status: number;
  contentType: string;
  /** Every event received so far, in order. */
  events: SseEvent[];
  /** The first event (received or still to come) after index `from` that matches. */
  waitFor(match: (e: SseEvent) => boolean, timeoutMs?: number, from?: number): Promise<SseEvent>;
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  // Its own connection (no agent): closed with the stream, never left idle for the server to wait on.
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    get(url, { agent: false, headers: { accept: 'text/event-stream', ...headers } }, resolve).on(
      'error',
      reject,
    );
  });
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of waiters) w();
  };
  let done = false;
  const contentType = String(res.headers['content-type'] ?? '');
  const ended = (async () => {
    let buffer = '';
    try {
      for await (const chunk of res) {
        if (!contentType.startsWith('text/event-stream')) continue; // an error answer: read and drop
        buffer += (chunk as Buffer).toString('utf8');
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            if (colon < 0) continue;
            fields[line.slice(0, colon)] = line.slice(colon + 1).replace(/^ /, '');
          }
          if (fields.data !== undefined) {
            events.push({
              event: fields.event ?? 'message',
              id: fields.id ?? '',
              data: JSON.parse(fields.data),
            });
            notify();
          }
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // closed by us (close()) or by the server going away: the stream has ended either way
    } finally {
      done = true;
      notify();
    }
  })();
  return {
    status: res.statusCode ?? 0,
    contentType,
    events,
    ended,
    close: () => res.destroy(),
    waitFor(match, timeoutMs = 30_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.slice(from).find(match);
          if (found) return finish(() => resolve(found));
          if (done) finish(() => reject(new Error('the stream ended before the event came')));
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`no matching event within ${timeoutMs} ms`))),
          timeoutMs,
        );
        const finish = (then: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          then();
        };
        waiters.add(check);
        check();
      });
    },
  };
}
