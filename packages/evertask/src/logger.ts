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
