/** Codes of the errors the monitor throws or answers with. */
export type MonitorErrorCode =
  | 'ERR_MONITOR_OPTIONS'
  | 'ERR_MONITOR_UNSAFE_BIND'
  | 'ERR_BAD_REQUEST'
  | 'ERR_UNAUTHENTICATED'
  | 'ERR_FORBIDDEN'
  | 'ERR_CSRF'
  | 'ERR_NOT_FOUND'
  | 'ERR_CONFLICT'
  | 'ERR_PAYLOAD_TOO_LARGE'
  | 'ERR_TOO_MANY_REQUESTS'
  | 'ERR_UNAVAILABLE'
  | 'ERR_INTERNAL';

/** Every error of the monitor has a stable `code`. */
export class MonitorError extends Error {
  readonly code: MonitorErrorCode;

  constructor(code: MonitorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A monitor option is invalid; the message names the option, the value and the fix. */
export class MonitorOptionsError extends MonitorError {
  constructor(message: string) {
    super('ERR_MONITOR_OPTIONS', message);
  }
}

/** `startMonitorServer` refused to listen on a non-loopback address without credentials. */
export class UnsafeBindError extends MonitorError {
  constructor(host: string) {
    super(
      'ERR_MONITOR_UNSAFE_BIND',
      `The monitor will not listen on ${JSON.stringify(host)} without credentials: set auth.users, ` +
        `or listen on 127.0.0.1 / ::1 (behind an authenticating proxy if it must be reached from elsewhere).`,
    );
  }
}

const STATUS_OF_CODE: Partial<Record<MonitorErrorCode, number>> = {
  ERR_BAD_REQUEST: 400,
  ERR_UNAUTHENTICATED: 401,
  ERR_FORBIDDEN: 403,
  ERR_CSRF: 403,
  ERR_NOT_FOUND: 404,
  ERR_CONFLICT: 409,
  ERR_PAYLOAD_TOO_LARGE: 413,
  ERR_TOO_MANY_REQUESTS: 429,
  ERR_UNAVAILABLE: 503,
};

/** An error answered to an HTTP client as `{ error: { code, message, field? } }` with its status. */
export class ApiError extends MonitorError {
  readonly status: number;
  /** The request field at fault (query parameter, path parameter or body property). */
  readonly field: string | undefined;

  constructor(code: MonitorErrorCode, message: string, field?: string) {
    super(code, message);
    this.status = STATUS_OF_CODE[code] ?? 500;
    this.field = field;
  }
}
