import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { EverTaskEventName, EverTaskEvents } from 'evertask';
import type { LiveEvent } from './api-types.js';
import type { MonitorEnv } from './monitor-env.js';
import type { EngineEvent, MonitorSource } from './data/monitor-source.js';
import { ENGINE_EVENT_NAMES } from './data/engine-source.js';
import { ApiError } from './errors.js';
import { parseQuery } from './validation.js';
import { z } from 'zod';

const SEVERITY: Partial<Record<EverTaskEventName, LiveEvent['severity']>> = {
  'task:failed': 'error',
  'task:poisoned': 'error',
  'hook:error': 'error',
  'storage:error': 'error',
  'task:retrying': 'warning',
  'task:rate-limited': 'warning',
  'rate-limit:fail-open': 'warning',
  'task:stopped': 'warning',
  'task:recovered': 'warning',
  'recurring:missed': 'warning',
  'remote:rejected': 'warning',
};

/** Writes queued to one slow client before the monitor drops it. */
const MAX_PENDING_WRITES = 1000;

/** The engine event as the stream sends it: ISO times, errors as their message. */
export function toLiveEvent(engineEvent: EngineEvent): LiveEvent {
  if (engineEvent.type === 'remote:task') return toRemoteLiveEvent(engineEvent.event);
  const { type, event } = engineEvent;
  const details: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (key === 'taskId' || key === 'taskName' || key === 'queue' || key === 'at') continue;
    details[key] = value instanceof Error ? value.message : value;
  }
  const task = 'taskId' in event ? { taskId: event.taskId, taskName: event.taskName, queue: event.queue } : {};
  return { type, at: new Date(event.at).toISOString(), ...task, severity: SEVERITY[type] ?? 'information', details };
}

/** Another engine's task event (the storage's event feed), under its own type, with the instance that sent it. */
function toRemoteLiveEvent(entry: EverTaskEvents['remote:task']): LiveEvent {
  const { type, taskId, taskName, queue, at, instanceId, ...details } = entry;
  const severity = SEVERITY[type as EverTaskEventName] ?? 'information';
  return { type, at: new Date(at).toISOString(), taskId, taskName, queue, severity, instanceId, remote: true, details };
}

const listText = z.string().transform((text) => text.split(',').map((part) => part.trim()).filter((part) => part.length > 0));

const filterQuery = z.strictObject({
  types: listText.pipe(z.array(z.enum(ENGINE_EVENT_NAMES as [EverTaskEventName, ...EverTaskEventName[]], { error: `types must be among ${ENGINE_EVENT_NAMES.join(', ')}` }))).optional(),
  queue: z.string().min(1).max(100).optional(),
  taskId: z.string().min(1).max(100).optional(),
  taskName: z.string().min(1).max(200).optional(),
});

type LiveFilter = z.output<typeof filterQuery>;

function matches(filter: LiveFilter, live: LiveEvent): boolean {
  if (filter.types !== undefined && filter.types.length > 0 && !filter.types.includes(live.type as EverTaskEventName)) return false;
  if (filter.queue !== undefined && live.queue !== filter.queue) return false;
  if (filter.taskId !== undefined && live.taskId !== filter.taskId) return false;
  if (filter.taskName !== undefined && live.taskName !== filter.taskName) return false;
  return true;
}

/**
 * `GET /events`: Server-Sent Events of the engine's events. Each connection has its own filter
 * (`types`, `queue`, `taskId`, `taskName`), gets a `ready` event first and a comment line every
 * heartbeat, and is unsubscribed from the engine as soon as it closes.
 */
export class LiveEventStreams {
  readonly #source: MonitorSource;
  readonly #heartbeatMs: number;
  readonly #maxConnections: number;
  readonly #open = new Set<() => void>();

  constructor(source: MonitorSource, heartbeatMs: number, maxConnections: number) {
    this.#source = source;
    this.#heartbeatMs = heartbeatMs;
    this.#maxConnections = maxConnections;
  }

  /** Connections open now. */
  get connections(): number {
    return this.#open.size;
  }

  handle(c: Context<MonitorEnv>): Response {
    const filter = parseQuery(filterQuery, c.req.queries());
    if (this.#open.size >= this.#maxConnections) {
      throw new ApiError('ERR_UNAVAILABLE', `The monitor already serves ${this.#maxConnections} live-event connections (maxSseConnections); try again later.`);
    }
    c.header('Cache-Control', 'no-cache, no-transform');
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      let sequence = 0;
      let pending = 0;
      let chain: Promise<unknown> = Promise.resolve();
      let finish: () => void = () => undefined;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      const write = (send: () => Promise<unknown>) => {
        if (pending >= MAX_PENDING_WRITES) {
          close();
          return;
        }
        pending++;
        chain = chain.then(send).catch(() => close()).finally(() => pending--);
      };
      const unsubscribe = this.#source.subscribe((engineEvent) => {
        const live = toLiveEvent(engineEvent);
        if (!matches(filter, live)) return;
        write(() => stream.writeSSE({ event: live.type, id: String(++sequence), data: JSON.stringify(live) }));
      }, { remote: true });
      const heartbeat = setInterval(() => write(() => stream.write(': heartbeat\n\n')), this.#heartbeatMs);
      heartbeat.unref();
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        unsubscribe();
        clearInterval(heartbeat);
        this.#open.delete(close);
        finish();
        void stream.close();
      };
      this.#open.add(close);
      stream.onAbort(close);
      write(() => stream.writeSSE({ event: 'ready', data: JSON.stringify({ at: new Date(this.#source.now()).toISOString(), heartbeatMs: this.#heartbeatMs }) }));
      await finished;
    });
  }

  /** Ends every open connection (`monitor.close()`). */
  closeAll(): void {
    for (const close of [...this.#open]) close();
  }
}
