/**
 * Type-level tests of the public API: checked by `tsc` (npm run typecheck), where a failed
 * `expectTypeOf` or an unused `@ts-expect-error` is a compile error. The runtime bodies only
 * call what is safe to call.
 */
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  defineTask,
  EverTask,
  exponentialRetry,
  linearRetry,
  type DispatchManyOptions,
  type DispatchOptions,
  type Duration,
  type EverTaskOptions,
  type JsonPayload,
  type PayloadOf,
  type QueueOptions,
  type RetryPolicy,
  type StopOptions,
  type TaskContext,
  type TaskDefinition,
  type TaskHistory,
  type TaskInfo,
  type TaskLogPage,
  type TaskLogQuery,
  type LogLevel,
} from '../src/index.js';

describe('payload types', () => {
  it('infers the payload from the handler, from a schema, and null for a handler without one', () => {
    const typed = defineTask({ name: 'typed', handler: (p: { email: string; tags?: string[] }) => void p });
    expectTypeOf(typed).toEqualTypeOf<TaskDefinition<{ email: string; tags?: string[] }>>();
    expectTypeOf<PayloadOf<typeof typed>>().toEqualTypeOf<{ email: string; tags?: string[] }>();

    const schemaTask = defineTask({ name: 'schema', schema: z.object({ n: z.coerce.number() }), handler: (p) => void p.n.toFixed() });
    expectTypeOf(schemaTask).toEqualTypeOf<TaskDefinition<{ n: unknown }>>();

    const bare = defineTask({ name: 'bare', handler: () => {} });
    expectTypeOf(bare).toEqualTypeOf<TaskDefinition<null>>();

    const loose = defineTask({ name: 'loose', handler: (_p: unknown) => {} });
    expectTypeOf(loose).toEqualTypeOf<TaskDefinition<unknown>>();
  });

  it('accepts JSON values: interfaces, unions, arrays, tuples, nested and optional fields', () => {
    interface Order { id: string; lines: { sku: string; qty: number }[]; note?: string; paid: boolean | null }
    defineTask({ name: 'order', handler: (_p: Order) => {} });
    defineTask({ name: 'union', handler: (_p: { kind: 'a'; a: number } | { kind: 'b'; b: string }) => {} });
    defineTask({ name: 'tuple', handler: (_p: readonly [string, number]) => {} });
    defineTask({ name: 'scalar', handler: (_p: string) => {} });
    expectTypeOf<JsonPayload<Order>>().toEqualTypeOf<{ id: string; lines: { sku: string; qty: number }[]; note?: string; paid: boolean | null }>();
  });

  it('rejects payload types JSON would not give back as typed', () => {
    // @ts-expect-error a Date reaches the handler as a string
    defineTask({ name: 'date', handler: (_p: { when: Date }) => {} });
    // @ts-expect-error a Map is stored as {}
    defineTask({ name: 'map', handler: (_p: { byId: Map<string, number> }) => {} });
    // @ts-expect-error bigint is not JSON
    defineTask({ name: 'big', handler: (_p: { n: bigint }) => {} });
    // @ts-expect-error functions are not stored
    defineTask({ name: 'fn', handler: (_p: { callback: () => void }) => {} });
    // @ts-expect-error an undefined payload would be stored as null
    defineTask({ name: 'undef', handler: (_p: undefined) => {} });
    // @ts-expect-error a Set deep inside an array
    defineTask({ name: 'deep', handler: (_p: { rows: { ids: Set<string> }[] }) => {} });
  });

  it('type-checks dispatch payloads against the definition', () => {
    const typed = defineTask({ name: 'typed', handler: (p: { email: string }) => void p });
    const bare = defineTask({ name: 'bare', handler: () => {} });
    const engine = new EverTask({ tasks: [typed, bare] });
    type Dispatch = typeof engine.dispatch;
    expectTypeOf(engine.dispatch<{ email: string }>).parameter(1).toEqualTypeOf<{ email: string }>();
    expectTypeOf<ReturnType<Dispatch>>().toEqualTypeOf<Promise<string>>();
    expectTypeOf(engine.dispatchMany<{ email: string }>).parameter(1).toEqualTypeOf<readonly { email: string }[]>();
    const never = (): void => {
      // @ts-expect-error wrong payload shape
      void engine.dispatch(typed, { mail: 'x' });
      // @ts-expect-error a task without payload takes null, not undefined
      void engine.dispatch(bare, undefined);
      void engine.dispatch(bare, null);
    };
    void never;
  });
});

describe('option types', () => {
  it('types dispatch, queue, engine and stop options', () => {
    expectTypeOf<DispatchOptions['delay']>().toEqualTypeOf<Duration | undefined>();
    expectTypeOf<DispatchOptions['runAt']>().toEqualTypeOf<Date | undefined>();
    expectTypeOf<DispatchOptions['taskKey']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<DispatchManyOptions>().not.toHaveProperty('taskKey');
    expectTypeOf<DispatchManyOptions>().not.toHaveProperty('recurring');
    expectTypeOf<QueueOptions['whenFull']>().toEqualTypeOf<'wait' | 'fallback' | 'throw' | undefined>();
    expectTypeOf<EverTaskOptions>().toHaveProperty('tasks');
    expectTypeOf<StopOptions['timeout']>().toEqualTypeOf<number | string | undefined>();
    expectTypeOf(exponentialRetry).returns.toExtend<RetryPolicy>();
    expectTypeOf(linearRetry).returns.toExtend<RetryPolicy>();
    expectTypeOf<TaskContext['occurrence']>().toEqualTypeOf<{ readonly scheduledAt: number; readonly runCount: number } | undefined>();
  });

  it('types the task reads with Dates', () => {
    expectTypeOf<TaskInfo['createdAt']>().toEqualTypeOf<Date>();
    expectTypeOf<TaskHistory['statuses'][number]['at']>().toEqualTypeOf<Date>();
    expectTypeOf<TaskHistory['runs'][number]['at']>().toEqualTypeOf<Date>();
    expectTypeOf<TaskLogPage['items'][number]['at']>().toEqualTypeOf<Date>();
    expectTypeOf<EverTask['getTaskLogs']>().parameter(1).toEqualTypeOf<TaskLogQuery | undefined>();
    expectTypeOf<TaskLogQuery['level']>().toEqualTypeOf<LogLevel | undefined>();
  });

  it('flags unknown option keys at compile time', () => {
    const bare = defineTask({ name: 'bare', handler: () => {} });
    const never = (): void => {
      // @ts-expect-error typo in an engine option
      void new EverTask({ tasks: [bare], queus: {} });
      // @ts-expect-error typo in a dispatch option
      void new EverTask({ tasks: [bare] }).dispatch(bare, null, { dealy: 5 });
    };
    void never;
  });
});
