/**
 * The monitoring REST API (Hono): `createMonitor` to mount in a server, `startMonitorServer` standalone, and its response types.
 *
 * @packageDocumentation
 * @module @evertask/monitor
 */
export { createMonitor } from './create-monitor.js';
export type { Monitor, NodeHandler } from './create-monitor.js';
export { startMonitorServer, isLoopback } from './start-monitor-server.js';
export type { MonitorServer, MonitorServerOptions } from './start-monitor-server.js';
export type { MonitorOptions, MonitorAuthOptions, MonitorUser } from './options.js';
export type { MonitorSource, MonitorCapabilities, EngineEvent, ExecutionLogSlice } from './data/monitor-source.js';
export type { MonitorEnv } from './monitor-env.js';
export type { Session } from './auth/session-token.js';
export { MonitorError, MonitorOptionsError, UnsafeBindError, ApiError } from './errors.js';
export type { MonitorErrorCode } from './errors.js';
export type * from './api-types.js';
