import { useEffect, useRef, useState } from 'react';
import type { LiveEvent } from '@evertask/monitor';

/** The event names the monitor's stream sends (docs/monitor.md, Live events). */
export const LIVE_EVENT_TYPES = [
  'task:dispatched', 'task:started', 'task:completed', 'task:failed', 'task:retrying', 'task:cancelled', 'task:stopped',
  'task:recovered', 'task:poisoned', 'task:rate-limited', 'rate-limit:fail-open', 'recurring:missed', 'hook:error', 'storage:error', 'remote:rejected',
] as const;

const KEEP = 200;

/**
 * The latest `KEEP` live events, newest first, from `api/events` (the session cookie goes with
 * it). While `paused`, events keep arriving but the list shown stays as it was.
 */
export function useLiveEvents(paused: boolean): { events: LiveEvent[]; connected: boolean } {
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const [connected, setConnected] = useState(false);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  useEffect(() => {
    const source = new EventSource('api/events');
    source.addEventListener('ready', () => setConnected(true));
    source.addEventListener('error', () => setConnected(false));
    const onEvent = (message: MessageEvent<string>) => {
      if (pausedRef.current) return;
      const event = JSON.parse(message.data) as LiveEvent;
      setEvents((previous) => [event, ...previous].slice(0, KEEP));
    };
    for (const type of LIVE_EVENT_TYPES) source.addEventListener(type, onEvent);
    return () => source.close();
  }, []);
  return { events, connected };
}
