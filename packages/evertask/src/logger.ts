import { InvalidArgumentError } from './errors.js';

/**
 * The application logger EverTask writes to: a message, then its structured fields. `console` and
 * winston loggers fit as they are; a pino logger (fields first) is recognised and called as pino
 * expects (see `fieldsFirstLogger`).
 */
export interface Logger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** Writes warnings and errors to the console; drops debug and info. */
export const consoleWarningsLogger: Logger = {
  debug() {},
  info() {},
  warn: (message, meta) => console.warn(`[evertask] ${message}`, ...(meta ? [meta] : [])),
  error: (message, meta) => console.error(`[evertask] ${message}`, ...(meta ? [meta] : [])),
};

/** Drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const LOGGER_METHODS = ['debug', 'info', 'warn', 'error'] as const;

/** A logger that takes its structured fields first and the message second: pino, bunyan. */
export interface FieldsFirstLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * A fields-first logger (pino, bunyan) as a `Logger`: the fields go first, an `error` field is
 * passed as `err` (the key their error serializers format, with the stack). `new EverTask` does
 * this by itself for a pino logger; call it for another logger of that style.
 */
export function fieldsFirstLogger(logger: FieldsFirstLogger): Logger {
  const call = (level: (typeof LOGGER_METHODS)[number], message: string, meta: Record<string, unknown> | undefined): void => {
    if (meta === undefined) {
      logger[level]({}, message);
      return;
    }
    if (!('error' in meta)) {
      logger[level](meta, message);
      return;
    }
    const { error, ...rest } = meta;
    logger[level]({ ...rest, err: error }, message);
  };
  return {
    debug: (message, meta) => call('debug', message, meta),
    info: (message, meta) => call('info', message, meta),
    warn: (message, meta) => call('warn', message, meta),
    error: (message, meta) => call('error', message, meta),
  };
}

/** Whether `logger` is a pino logger (pino marks its instances with its serializers symbol). */
function isPino(logger: object): boolean {
  return Symbol.for('pino.serializers') in logger;
}

/**
 * Checks the application logger at construction, so that a missing method fails `new EverTask()`
 * instead of a later dispatch (`logger.warn is not a function`) or silently dropping messages.
 */
export function resolveLogger(logger: unknown): Logger {
  if (logger === null || typeof logger !== 'object') {
    throw new InvalidArgumentError(
      `EverTask option "logger" must be an object with debug, info, warn and error functions (console, pino and winston loggers fit); received ${logger === null ? 'null' : typeof logger}.`,
    );
  }
  const missing = LOGGER_METHODS.filter((name) => typeof (logger as Record<string, unknown>)[name] !== 'function');
  if (missing.length > 0) {
    throw new InvalidArgumentError(
      `EverTask option "logger" lacks ${missing.join(', ')}: it needs debug, info, warn and error functions (console, pino and winston loggers fit; wrap another logger in an object with these four).`,
    );
  }
  return isPino(logger) ? fieldsFirstLogger(logger as FieldsFirstLogger) : (logger as Logger);
}
