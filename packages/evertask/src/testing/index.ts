/**
 * Test helpers: the storage and engine conformance suites (Vitest) and `ManualClock`.
 *
 * @packageDocumentation
 * @module evertask/testing
 */
export { ManualClock, settle } from './manual-clock.js';
export { describeStorageConformance, makeStoredTask } from './storage-conformance/index.js';
export type { ConformanceOptions } from './storage-conformance/index.js';
export { describeEngineConformance } from './engine-conformance.js';
export type { EngineConformanceOptions } from './engine-conformance.js';
