/**
 * `evertask/storage-kit`: the parts every storage adapter shares — the field table of a stored
 * task, the argument checks of the storage contract, row readers, driver-error wrapping, and the
 * page and sort defaults. See docs/custom-storage.md.
 */
export { describeValue } from '../describe-value.js';
export {
  DEFAULT_STORAGE_LIMITS,
  EXECUTION_LOG_FIELDS,
  PAUSED_QUEUE_FIELDS,
  RUN_AUDIT_FIELDS,
  STATUS_AUDIT_FIELDS,
  STATUS_COUNT_FIELDS,
  expectedOfField,
  expectedOfType,
  fitsField,
  isCount,
  isOfType,
  isTime,
  isUuid,
} from './field-types.js';
export type { FieldSpec, FieldType, StorageLimits } from './field-types.js';
export {
  COLUMN_OF_FIELD,
  SPEC_OF_FIELD,
  STORED_TASK_COLUMNS,
  TASK_COLUMNS,
  TASK_FIELDS,
  TASK_PATCH_FIELDS,
  copyTaskFields,
  taskParameters,
} from './task-fields.js';
export type { PatchableField, TaskColumn, TaskFieldSpec } from './task-fields.js';
export { applyPatch, findLogsProblem, findPatchProblem, findStatusesProblem, findTaskProblem, findTransitionProblem, patchedFields } from './record-checks.js';
export type { Problem } from './record-checks.js';
export { MAX_QUEUE_NAME_LENGTH, StorageChecks } from './storage-checks.js';
export { matchesTaskFilter, taskSortComparator } from './task-filter.js';
export { DEFAULT_LOG_PAGE_SIZE, DEFAULT_TASK_PAGE, TASK_SORT_FIELDS } from './task-page.js';
export type { ResolvedTaskPage } from './task-page.js';
export { readExecutionLogRow, readInstanceRow, readPausedQueueRow, readRow, readRunAuditRow, readStatusAuditRow, readStatusCountRow, readTaskRow, rowReaders } from './row-reader.js';
export type { Row, RowReaders } from './row-reader.js';
export { NETWORK_ERROR_CODES, describeDriverError, driverErrorFields, wrapDriverError } from './driver-errors.js';
export { StorageLifecycle } from './storage-lifecycle.js';
export { CheckedStorage, checkedInstanceRegistry, checkedNotifications, checkedRateLimits } from './checked-storage.js';
export type { OpenClose, UncheckedInstanceRegistry, UncheckedStorageRoles } from './checked-storage.js';
export { formatNotificationPayload, formatNotificationPayloads, parseNotificationPayload, wakeUpPayload } from './notification-payload.js';
export type { LifecycleSteps } from './storage-lifecycle.js';
export type { DriverErrorClass, DriverErrorFields } from './driver-errors.js';
export { checkInstanceId, checkInstanceRecord, compareInstances, INSTANCE_RECORD_RETENTION_MS } from './instance-checks.js';
export { loadMigrationFiles } from './migration-files.js';
export type { MigrationFile } from './migration-files.js';
export { IDLE_BUDGET_AGE_MS, IDLE_BUDGETS_PER_BATCH, applyGcra, isIdleBudget, rateLimitBudgetId, releasedTat } from '../rate-limit/gcra.js';
export type { BudgetState, GcraOutcome } from '../rate-limit/gcra.js';
export { RATE_LIMIT_KEY_LENGTH, checkIntrospectLimit, checkRateLimitRequests, checkReservationId, readRateLimitKeyRow } from './rate-limit-checks.js';
export { FEED_ERROR_MAX_CHARS, FEED_EVENT_STATUS, decodeTaskEvents, encodeTaskEvents, isTaskEventEntry, truncateFeedError } from './task-events-codec.js';
export {
  STATISTICS_ROW_COLUMNS,
  addToTally,
  emptyStatusTotals,
  emptyTally,
  groupsFromRows,
  timelineBucketCount,
  timelineFromRows,
} from './statistics-rows.js';
export { describeConnectionString } from './redact-url.js';
