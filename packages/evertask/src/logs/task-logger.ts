import type { ExecutionLogEntry, LogLevel } from '../ports/task-record.js';
import { LOG_LEVELS } from '../ports/task-record.js';
import type { Logger } from '../logger.js';
import { describeError } from '../errors.js';
import { uuidv7 } from '../ids.js';

/**
 * `ctx.logger`: message templates with arguments, e.g.
 * `ctx.logger.information('Sent {count} mails to {user}', 3, 'ada')`. A trailing `Error` argument
 * is recorded as the entry's exception. Entries always reach the application logger and, when
 * capture is on, are saved with the task's final status.
 */
export interface TaskLogger {
  trace(template: string, ...args: unknown[]): void;
  debug(template: string, ...args: unknown[]): void;
  information(template: string, ...args: unknown[]): void;
  /** Alias of `information`. */
  info(template: string, ...args: unknown[]): void;
  warning(template: string, ...args: unknown[]): void;
  /** Alias of `warning`. */
  warn(template: string, ...args: unknown[]): void;
  error(template: string, ...args: unknown[]): void;
  critical(template: string, ...args: unknown[]): void;
}

/** Execution-log capture settings. */
export interface LogCaptureOptions {
  /** Save entries with the task. @defaultValue false */
  enabled?: boolean;
  /** Lowest level saved (all levels still reach the application logger). @defaultValue 'information' */
  minLevel?: LogLevel;
  /** Entries saved per execution; past it one warning marker is saved instead. @defaultValue 1000 */
  maxPerTask?: number;
}

export interface ResolvedLogCapture {
  enabled: boolean;
  minLevel: LogLevel;
  maxPerTask: number;
}

const RANK = new Map<LogLevel, number>(LOG_LEVELS.map((l, i) => [l, i]));

/** Renders `{name}` placeholders with the arguments in order; never throws. */
export function renderTemplate(template: string, args: readonly unknown[]): string {
  let i = 0;
  try {
    return template.replace(/\{[^{}]+\}/g, (placeholder) => {
      if (i >= args.length) return placeholder;
      const value = args[i++];
      if (typeof value === 'string') return value;
      if (value instanceof Error) return value.message;
      try {
        return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
      } catch {
        return String(value);
      }
    });
  } catch {
    return template;
  }
}

/** Collects the entries of one execution. */
export class TaskLogCollector implements TaskLogger {
  readonly #taskId: string;
  readonly #taskName: string;
  readonly #appLogger: Logger;
  readonly #capture: ResolvedLogCapture;
  readonly #now: () => number;
  #entries: ExecutionLogEntry[] = [];
  #dropped = 0;
  #sequence = 0;

  constructor(taskId: string, taskName: string, appLogger: Logger, capture: ResolvedLogCapture, now: () => number) {
    this.#taskId = taskId;
    this.#taskName = taskName;
    this.#appLogger = appLogger;
    this.#capture = capture;
    this.#now = now;
  }

  trace(template: string, ...args: unknown[]): void {
    this.#log('trace', template, args);
  }
  debug(template: string, ...args: unknown[]): void {
    this.#log('debug', template, args);
  }
  information(template: string, ...args: unknown[]): void {
    this.#log('information', template, args);
  }
  info(template: string, ...args: unknown[]): void {
    this.#log('information', template, args);
  }
  warning(template: string, ...args: unknown[]): void {
    this.#log('warning', template, args);
  }
  warn(template: string, ...args: unknown[]): void {
    this.#log('warning', template, args);
  }
  error(template: string, ...args: unknown[]): void {
    this.#log('error', template, args);
  }
  critical(template: string, ...args: unknown[]): void {
    this.#log('critical', template, args);
  }

  /** The captured entries, with a truncation marker when the cap was reached. */
  drain(): ExecutionLogEntry[] {
    const out = this.#entries;
    if (this.#dropped > 0) {
      out.push(
        this.#entry(
          'warning',
          `[EverTask] ${this.#dropped} log entries truncated: maxPerTask (${this.#capture.maxPerTask}) reached`,
          null,
        ),
      );
    }
    this.#entries = [];
    this.#dropped = 0;
    return out;
  }

  #entry(level: LogLevel, message: string, exception: string | null): ExecutionLogEntry {
    const at = this.#now();
    return { id: uuidv7(at), taskId: this.#taskId, at, level, message, exception, sequence: this.#sequence++ };
  }

  #log(level: LogLevel, template: string, args: unknown[]): void {
    const last = args.at(-1);
    const error = last instanceof Error ? last : undefined;
    const message = renderTemplate(String(template), args);
    const meta = { taskId: this.#taskId, task: this.#taskName, ...(error ? { error } : {}) };
    try {
      if (level === 'trace' || level === 'debug') this.#appLogger.debug(message, meta);
      else if (level === 'information') this.#appLogger.info(message, meta);
      else if (level === 'warning') this.#appLogger.warn(message, meta);
      else this.#appLogger.error(message, meta);
    } catch {
      // an application logger that throws must not fail the task
    }
    if (!this.#capture.enabled) return;
    if ((RANK.get(level) ?? 0) < (RANK.get(this.#capture.minLevel) ?? 0)) return;
    if (this.#entries.length >= this.#capture.maxPerTask) {
      this.#dropped++;
      return;
    }
    this.#entries.push(this.#entry(level, message.slice(0, 4000), error ? describeError(error) : null));
  }
}
