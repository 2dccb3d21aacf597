import { InvalidArgumentError } from './errors.js';

/** The application logger EverTask writes to. `console` fits; so do pino and winston loggers. */
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
  return logger as Logger;
}
