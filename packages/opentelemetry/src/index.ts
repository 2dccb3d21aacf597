export { openTelemetry, INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from './open-telemetry.js';
export type { OpenTelemetryOptions } from './options.js';
export { ATTR as ATTRIBUTES, METRIC as METRICS, SECONDS_BUCKETS } from './attributes.js';
export { formatTraceparent, parseTraceparent } from './trace-context.js';
