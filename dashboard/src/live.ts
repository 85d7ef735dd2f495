// The live connection: server-sent events from GET /api/v1/events/stream. EventSource cannot send the
// API key, so every (re)connection first asks for a one-use ticket (POST /api/v1/events/tickets) and
// opens the stream with it. EventSource's own reconnect would reuse the spent ticket, so this reconnects
// itself, passing the id of the last event it saw as lastEventId: the API resumes after it and nothing
// in between is lost.
import { ApiError, api, type CaseStreamEvent } from './api';

export type LiveState = 'connecting' | 'live' | 'reconnecting';

export interface LiveHandlers {
  /** The stream is open; `resumed` when it picked up after a break (missed events follow). */
  onReady(resumed: boolean): void;
  onEvent(event: CaseStreamEvent): void;
  onState(state: LiveState): void;
  /** The key was refused: sign in again. */
  onUnauthorized(): void;
}

export function connectLive(h: LiveHandlers): () => void {
  let lastId: string | undefined;
  let source: EventSource | undefined;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let backoffMs = 1000;

  const reconnect = () => {
    if (stopped) return;
    h.onState('reconnecting');
    timer = setTimeout(open, backoffMs);
    backoffMs = Math.min(backoffMs * 2, 30_000);
  };

  async function open() {
    if (stopped) return;
    if (!lastId) h.onState('connecting');
    let streamUrl: string;
    try {
      ({ streamUrl } = await api<{ streamUrl: string }>('/api/v1/events/tickets', { method: 'POST' }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return h.onUnauthorized();
      return reconnect();
    }
    if (stopped) return;
    const es = new EventSource(lastId ? `${streamUrl}&lastEventId=${encodeURIComponent(lastId)}` : streamUrl);
    source = es;
    es.addEventListener('ready', (m) => {
      const resumed = lastId !== undefined;
      lastId = (m as MessageEvent).lastEventId;
      backoffMs = 1000;
      h.onState('live');
      h.onReady(resumed);
    });
    es.addEventListener('case', (m) => {
      const message = m as MessageEvent<string>;
      lastId = message.lastEventId;
      h.onEvent(JSON.parse(message.data) as CaseStreamEvent);
    });
    es.addEventListener('heartbeat', (m) => {
      lastId = (m as MessageEvent).lastEventId;
    });
    es.onerror = () => {
      es.close();
      if (source === es) source = undefined;
      reconnect();
    };
  }

  void open();
  return () => {
    stopped = true;
    clearTimeout(timer);
    source?.close();
  };
}
