import { waitUntil } from './http-client.js';

export interface ReceivedEvent {
  event: string;
  id: string | undefined;
  data: Record<string, unknown>;
}

/** A live-event connection read by the test. */
export interface EventStreamReader {
  readonly status: number;
  readonly events: ReceivedEvent[];
  /** Comment lines (heartbeats) received. */
  readonly comments: number;
  waitFor(predicate: (event: ReceivedEvent) => boolean, what: string): Promise<ReceivedEvent>;
  close(): void;
}

/** Opens `GET /api/events` with fetch and parses the stream as it arrives. */
export async function openEventStream(url: string, headers: Record<string, string>): Promise<EventStreamReader> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const events: ReceivedEvent[] = [];
  let comments = 0;
  if (response.ok && response.body) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const fields: Record<string, string> = {};
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) comments++;
              const colon = line.indexOf(':');
              if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
            }
            if (fields.data !== undefined) events.push({ event: fields.event ?? 'message', id: fields.id, data: JSON.parse(fields.data) as Record<string, unknown> });
          }
        }
      } catch {
        // aborted by close()
      }
    })();
  }
  return {
    status: response.status,
    events,
    get comments() {
      return comments;
    },
    async waitFor(predicate, what) {
      await waitUntil(() => events.some(predicate), what);
      return events.find(predicate) as ReceivedEvent;
    },
    close: () => controller.abort(),
  };
}
