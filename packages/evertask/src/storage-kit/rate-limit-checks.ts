import { InvalidArgumentError, StorageError } from '../errors.js';
import { describeValue } from '../describe-value.js';
import type { RateLimitKeyState, RateLimitRequest } from '../ports/rate-limit-store.js';
import { isTime } from './field-types.js';

/** Longest policy key (a task name) and budget key a rate-limit store accepts. */
export const RATE_LIMIT_KEY_LENGTH = 256;
/** The longest reservation id (a task id). */
const RESERVATION_ID_LENGTH = 200;
/** Longest horizon and interval accepted (a year), so every sum stays an exact integer. */
const MAX_SPAN_MS = 366 * 86_400_000;

function invalid(operation: string, field: string, value: unknown, expected: string): InvalidArgumentError {
  return new InvalidArgumentError(`${operation}: ${field} must be ${expected}; got ${describeValue(value)}.`);
}

function isText(value: unknown, min: number, max: number): value is string {
  return typeof value === 'string' && value.length >= min && value.length <= max;
}

function isSpan(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= MAX_SPAN_MS;
}

/** Throws `InvalidArgumentError` naming the field unless `value` is a reservation id (1–200 characters). */
export function checkReservationId(value: unknown, operation: string): string {
  if (!isText(value, 1, RESERVATION_ID_LENGTH)) throw invalid(operation, 'reservationId', value, `a string of 1–${RESERVATION_ID_LENGTH} characters`);
  return value;
}

/**
 * Throws `InvalidArgumentError` naming the request and field unless every request is a complete
 * `RateLimitRequest`: what every `RateLimitStore.acquire` checks before touching a row.
 */
export function checkRateLimitRequests(value: unknown, operation: string): readonly RateLimitRequest[] {
  if (!Array.isArray(value)) throw invalid(operation, 'requests', value, 'an array of RateLimitRequest');
  value.forEach((request: unknown, i) => {
    const at = `requests[${i}]`;
    if (typeof request !== 'object' || request === null) throw invalid(operation, at, request, 'a RateLimitRequest object');
    const r = request as Record<string, unknown>;
    if (!isText(r.policyKey, 1, RATE_LIMIT_KEY_LENGTH)) throw invalid(operation, `${at}.policyKey`, r.policyKey, `a string of 1–${RATE_LIMIT_KEY_LENGTH} characters`);
    if (!isText(r.key, 0, RATE_LIMIT_KEY_LENGTH)) throw invalid(operation, `${at}.key`, r.key, `a string of at most ${RATE_LIMIT_KEY_LENGTH} characters`);
    checkReservationId(r.reservationId, operation);
    if (!isTime(r.now)) throw invalid(operation, `${at}.now`, r.now, 'an integer number of epoch milliseconds');
    if (!isSpan(r.intervalMs, Number.MIN_VALUE)) throw invalid(operation, `${at}.intervalMs`, r.intervalMs, 'a positive number of ms up to a year');
    if (!isSpan(r.toleranceMs, 0)) throw invalid(operation, `${at}.toleranceMs`, r.toleranceMs, 'a non-negative number of ms up to a year');
    if (!isSpan(r.horizonMs, 0)) throw invalid(operation, `${at}.horizonMs`, r.horizonMs, 'a non-negative number of ms up to a year');
    if (typeof r.startEmpty !== 'boolean') throw invalid(operation, `${at}.startEmpty`, r.startEmpty, 'true or false');
  });
  return value as readonly RateLimitRequest[];
}

/** Throws `InvalidArgumentError` unless `value` is undefined or a whole number from 1 to 10,000. */
export function checkIntrospectLimit(value: unknown, operation: string): number {
  if (value === undefined) return 100;
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 10_000) throw invalid(operation, 'limit', value, 'a whole number from 1 to 10000');
  return value as number;
}

/** Reads back one tracked budget row, throwing `StorageError` naming the column when it is malformed. */
export function readRateLimitKeyRow(row: Record<string, unknown>, storageName: string): RateLimitKeyState {
  const policyKey = row.policy_key;
  const key = row.budget_key;
  const nextSlotAt = Number(row.next_slot_at);
  const reserved = Number(row.reserved);
  const bad = (column: string, value: unknown): StorageError =>
    new StorageError(`${storageName}: a stored rate-limit row has an invalid ${column} (${describeValue(value)}); the table was changed outside EverTask.`);
  if (!isText(policyKey, 1, RATE_LIMIT_KEY_LENGTH)) throw bad('policy_key', policyKey);
  if (!isText(key, 0, RATE_LIMIT_KEY_LENGTH)) throw bad('budget_key', key);
  if (!isTime(nextSlotAt)) throw bad('next_slot_at', row.next_slot_at);
  if (!Number.isInteger(reserved) || reserved < 0) throw bad('reserved', row.reserved);
  return { policyKey, key, nextSlotAt, reserved };
}
