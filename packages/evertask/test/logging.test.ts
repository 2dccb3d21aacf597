import { Writable } from 'node:stream';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { pino, type Logger as PinoLogger } from 'pino';
import { EverTask, defineTask, fieldsFirstLogger, noRetry, type EverTaskOptions, type FieldsFirstLogger, type Logger } from '../src/index.js';
import { templateFields } from '../src/logs/template-fields.js';
import { waitFor } from './support/wait-for.js';

/** A real pino logger writing JSON lines into memory. */
function pinoLines(): { logger: PinoLogger; lines: () => Record<string, unknown>[] } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const logger: PinoLogger = pino({ level: 'debug' }, stream);
  const lines = () =>
    text
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines };
}

const engines: EverTask[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop({ timeout: 0 });
});

describe('the application logger', () => {
  it('accepts pino, console and any debug/info/warn/error object at the type level', () => {
    expectTypeOf(pino()).toExtend<Logger>();
    expectTypeOf(console).toExtend<Logger>();
    expectTypeOf(pino()).toExtend<FieldsFirstLogger>();
    expectTypeOf<{ logger: ReturnType<typeof pino> }>().toExtend<Pick<EverTaskOptions, 'logger'>>();
    expectTypeOf<{ logger: Console }>().toExtend<Pick<EverTaskOptions, 'logger'>>();
    // @ts-expect-error a logger needs all four methods
    const incomplete: Logger = { info() {}, warn() {}, error() {} };
    void incomplete;
  });

  it('gives pino the fields first, so task logs keep taskId, task and the template fields, and errors keep their stack', async () => {
    const { logger, lines } = pinoLines();
    const mailer = defineTask({
      name: 'mailer',
      retry: noRetry(),
      handler: (_payload: object, ctx) => {
        ctx.logger.information('Sent {count} mails to {user}', 3, 'ada');
        ctx.logger.error('Bounce from {address}', 'x@y.z', new Error('mailbox full'));
        throw new Error('smtp refused');
      },
    });
    expect(() => new EverTask({ tasks: [mailer], logger: pino({ level: 'silent' }) })).not.toThrow();
    const engine = new EverTask({ tasks: [mailer], logger, defaults: { logs: { enabled: true } } });
    engines.push(engine);
    // an event listener that throws: the engine's own error log, with the error
    engine.on('task:failed', () => {
      throw new Error('listener broke');
    });
    await engine.start();
    const id = await engine.dispatch(mailer, {});
    await waitFor(() => lines().some((l) => l.msg === 'An event listener threw; the engine carries on.'), 10_000, 'the listener error line');
    const sent = lines().find((l) => l.msg === 'Sent 3 mails to ada');
    expect(sent).toMatchObject({ level: 30, taskId: id, task: 'mailer', count: 3, user: 'ada' });
    const bounce = lines().find((l) => l.msg === 'Bounce from x@y.z');
    expect(bounce).toMatchObject({ level: 50, taskId: id, address: 'x@y.z', err: { type: 'Error', message: 'mailbox full' } });
    expect(String((bounce?.err as { stack?: string }).stack)).toContain('mailbox full');
    const listener = lines().find((l) => l.msg === 'An event listener threw; the engine carries on.');
    expect(listener).toMatchObject({ level: 50, err: { message: 'listener broke' } });
    // the saved execution log keeps the rendered messages
    const saved = await engine.getTaskLogs(id);
    expect(saved.items.map((entry) => entry.message)).toEqual(['Sent 3 mails to ada', 'Bounce from x@y.z']);
  });

  it('gives console-style loggers the message first and the fields second', async () => {
    const calls: [string, string, Record<string, unknown> | undefined][] = [];
    const record = (level: string) => (message: string, meta?: Record<string, unknown>) => calls.push([level, message, meta]);
    const logger: Logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
    const job = defineTask({
      name: 'counter',
      handler: (_payload: object, ctx) => ctx.logger.warning('Took {ms:0.0} ms for {@order} ({0})', 12.5, { id: 7 }, 'positional'),
    });
    const engine = new EverTask({ tasks: [job], logger });
    engines.push(engine);
    await engine.start();
    const done = engine.once('task:completed');
    const id = await engine.dispatch(job, {});
    await done;
    const warning = calls.find(([level]) => level === 'warn');
    expect(warning).toEqual(['warn', 'Took 12.5 ms for {"id":7} (positional)', { ms: 12.5, order: { id: 7 }, taskId: id, task: 'counter' }]);
  });

  it('fieldsFirstLogger adapts another fields-first logger', () => {
    const seen: unknown[][] = [];
    const bunyanLike: FieldsFirstLogger = {
      debug: (...args) => seen.push(['debug', ...args]),
      info: (...args) => seen.push(['info', ...args]),
      warn: (...args) => seen.push(['warn', ...args]),
      error: (...args) => seen.push(['error', ...args]),
    };
    const adapted = fieldsFirstLogger(bunyanLike);
    const error = new Error('x');
    adapted.info('plain');
    adapted.error('failed', { error, taskId: 't' });
    expect(seen).toEqual([
      ['info', {}, 'plain'],
      ['error', { taskId: 't', err: error }, 'failed'],
    ]);
  });

  it('names the missing methods of a bad logger', () => {
    expect(() => new EverTask({ tasks: [], logger: { info() {} } as never })).toThrow(/lacks debug, warn, error/);
    expect(() => new EverTask({ tasks: [], logger: 'pino' as never })).toThrow(/must be an object with debug, info, warn and error functions.*received string/);
  });
});

describe('template fields', () => {
  it('takes the named placeholders in order, never the reserved names or an Error', () => {
    expect(templateFields('Sent {count} to {user}', [3, 'ada'])).toEqual({ count: 3, user: 'ada' });
    expect(templateFields('{taskId} {error} {value}', ['a', 'b', 'c'])).toEqual({ value: 'c' });
    expect(templateFields('Failed {reason}', [new Error('e')])).toBeUndefined();
    expect(templateFields('No placeholders', [1])).toBeUndefined();
    expect(templateFields('{a} {b}', [1])).toEqual({ a: 1 });
    expect(templateFields('{a}', [])).toBeUndefined();
    expect(templateFields('{ spaced } {9lives} {x-y}', [1, 2, 3])).toEqual({ spaced: 1 });
  });
});
