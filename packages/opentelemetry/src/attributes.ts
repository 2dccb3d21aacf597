/**
 * The names this package gives spans, metrics and attributes. The `messaging.*` attributes follow
 * the OpenTelemetry messaging semantic conventions (EverTask is the messaging system, a queue the
 * destination); the `evertask.*` ones carry what those conventions have no name for.
 */

/** `messaging.system` of every span. */
export const MESSAGING_SYSTEM = 'evertask';

export const ATTR = {
  messagingSystem: 'messaging.system',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  destination: 'messaging.destination.name',
  messageId: 'messaging.message.id',
  batchCount: 'messaging.batch.message_count',
  taskName: 'evertask.task.name',
  taskId: 'evertask.task.id',
  taskKey: 'evertask.task.key',
  queue: 'evertask.queue',
  attempt: 'evertask.attempt',
  outcome: 'evertask.outcome',
  willRetry: 'evertask.will_retry',
  recurring: 'evertask.recurring',
  instance: 'evertask.instance.id',
  status: 'evertask.task.status',
  errorType: 'error.type',
} as const;

export const METRIC = {
  queueDepth: 'evertask.queue.depth',
  startLatency: 'evertask.task.start_latency',
  duration: 'evertask.task.duration',
  outcomes: 'evertask.task.outcomes',
} as const;

/** Bucket boundaries (seconds) of the latency and duration histograms: 1 ms to 10 minutes. */
export const SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600];
