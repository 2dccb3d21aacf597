import type { ExecutionLogEntry, LogLevel } from '../ports/task-record.js';
import { LOG_LEVELS } from '../ports/task-record.js';
import type { Logger } from '../logger.js';
import { describeError } from '../errors.js';
import { uuidv7 } from '../ids.js';
import { templateFields } from './template-fields.js';

/**
 * `ctx.logger`: message templates with arguments, e.g.
 * `ctx.logger.information('Sent {count} mails to {user}', 3, 'ada')`. A trailing `Error` argument
 * is recorded as the entry's exception. Entries always reach the application logger, with the
 * named placeholders' values as structured fields beside `taskId` and `task` (`{ count: 3, user:
 * 'ada', taskId, task }`), and, when capture is on, are saved with the task's final status.
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
  /**
   * Entries saved per execution. Past it the first half and the last half are kept (so the final
   * error line survives) with one warning marker between them saying how many were cut.
   * @defaultValue 1000
   */
  maxPerTask?: number;
  /**
   * Characters kept of one saved message; a longer one is cut and ends with a marker saying how
   * many characters were dropped (the application logger still gets the whole message).
   * @defaultValue 4000
   */
  maxMessageLength?: number;
}

export interface ResolvedLogCapture {
  enabled: boolean;
  minLevel: LogLevel;
  maxPerTask: number;
  maxMessageLength: number;
}

/** `message` cut to `max` characters, ending with a marker naming what was dropped. */
export function capMessage(message: string, max: number): string {
  if (message.length <= max) return message;
  const marker = (cut: number) => `… [EverTask: ${cut} characters cut, maxMessageLength ${max}]`;
  const keep = Math.max(0, max - marker(message.length).length);
  return `${message.slice(0, keep)}${marker(message.length - keep)}`;
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
  /** The first `floor(maxPerTask / 2)` entries. */
  #head: ExecutionLogEntry[] = [];
  /** The latest entries after the head, a ring of at most `ceil(maxPerTask / 2)` starting at `#tailStart`. */
  #tail: ExecutionLogEntry[] = [];
  #tailStart = 0;
  /** Entries cut between head and tail, and the first of them (its place marks the cut). */
  #cut = 0;
  #firstCut: ExecutionLogEntry | undefined;
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

  /**
   * The captured entries in order. When more than `maxPerTask` were logged: the head, one marker
   * (with the time and sequence of the first cut entry, so it sorts between), then the tail.
   */
  drain(): ExecutionLogEntry[] {
    const out = this.#head;
    if (this.#firstCut !== undefined) {
      const { id, at, sequence } = this.#firstCut;
      const kept = `the first ${this.#head.length} and the last ${this.#tail.length} are kept`;
      const message = `[EverTask] ${this.#cut} log entries cut here: maxPerTask (${this.#capture.maxPerTask}) reached; ${kept}`;
      out.push({ id, taskId: this.#taskId, at, level: 'warning', message, exception: null, sequence });
    }
    out.push(...this.#tail.slice(this.#tailStart), ...this.#tail.slice(0, this.#tailStart));
    this.#head = [];
    this.#tail = [];
    this.#tailStart = 0;
    this.#cut = 0;
    this.#firstCut = undefined;
    return out;
  }

  /** Keeps an entry in the head, else in the tail ring, evicting the oldest tail entry into the cut. */
  #keep(entry: ExecutionLogEntry): void {
    const headSize = Math.floor(this.#capture.maxPerTask / 2);
    const tailSize = this.#capture.maxPerTask - headSize;
    if (this.#head.length < headSize) this.#head.push(entry);
    else if (this.#tail.length < tailSize) this.#tail.push(entry);
    else {
      const evicted = this.#tail[this.#tailStart] as ExecutionLogEntry;
      this.#tail[this.#tailStart] = entry;
      this.#tailStart = (this.#tailStart + 1) % tailSize;
      this.#firstCut ??= evicted;
      this.#cut++;
    }
  }

  #entry(level: LogLevel, message: string, exception: string | null): ExecutionLogEntry {
    const at = this.#now();
    return { id: uuidv7(at), taskId: this.#taskId, at, level, message, exception, sequence: this.#sequence++ };
  }

  #log(level: LogLevel, template: string, args: unknown[]): void {
    const last = args.at(-1);
    const error = last instanceof Error ? last : undefined;
    const message = renderTemplate(String(template), args);
    const fields = typeof template === 'string' ? templateFields(template, args) : undefined;
    const meta = { ...fields, taskId: this.#taskId, task: this.#taskName, ...(error ? { error } : {}) };
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
    this.#keep(this.#entry(level, capMessage(message, this.#capture.maxMessageLength), error ? describeError(error) : null));
  }
}
