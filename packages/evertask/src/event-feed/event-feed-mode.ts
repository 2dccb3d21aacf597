import { InvalidArgumentError } from '../errors.js';
import { describeValue } from '../describe-value.js';

/**
 * When an engine publishes its task events to the other processes sharing the storage:
 * `'when-watched'` only while some engine on the storage has a `remote:task` subscriber (a
 * monitor), `'always'`, or `'off'`.
 */
export type EventFeedMode = 'off' | 'when-watched' | 'always';

const EVENT_FEED_MODES: readonly EventFeedMode[] = ['when-watched', 'always', 'off'];

/** The `eventFeed` engine option, defaulted and checked. */
export function resolveEventFeed(value: unknown): EventFeedMode {
  if (value === undefined) return 'when-watched';
  if (!EVENT_FEED_MODES.includes(value as EventFeedMode)) {
    throw new InvalidArgumentError(`eventFeed must be one of ${EVENT_FEED_MODES.map((m) => `'${m}'`).join(', ')}; received ${describeValue(value)}.`);
  }
  return value as EventFeedMode;
}
