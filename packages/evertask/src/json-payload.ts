/**
 * Compile-time check that a payload type survives the default JSON codec unchanged: strings,
 * finite numbers, booleans, null, arrays and plain objects of those (optional properties
 * included). `JsonPayload<P>` maps each part of `P` that JSON would drop or turn into something
 * else — `Date` (read back as a string), `Map`, `Set`, `bigint`, functions, symbols, binary data,
 * `undefined` outside an object property — to `never`, so `P` is not assignable to it for such a
 * type and `defineTask` reports it where the task is defined (`JsonPayloadCheck`).
 *
 * `unknown` and `any` pass (the handler checks the value itself). To carry richer values, give the
 * task a schema that turns the stored JSON back into them (e.g. `z.coerce.date()`).
 */
export type JsonPayload<T> = unknown extends T
  ? T
  : T extends string | number | boolean | null
    ? T
    : T extends NotJson
      ? never
      : T extends readonly unknown[]
        ? { [K in keyof T]: JsonPayload<T[K]> }
        : T extends object
          ? { [K in keyof T]: K extends string | number ? JsonPayload<T[K]> | (undefined extends T[K] ? undefined : never) : never }
          : never;

/** Values JSON cannot store faithfully. */
export type NotJson =
  | undefined
  | bigint
  | symbol
  | ((...args: never[]) => unknown)
  | Date
  | RegExp
  | Map<unknown, unknown>
  | Set<unknown>
  | WeakMap<object, unknown>
  | WeakSet<object>
  | Promise<unknown>
  | ArrayBuffer
  | ArrayBufferView;

/**
 * Accepts a handler-typed definition whose payload type is a JSON value; otherwise demands a
 * property no definition has, so the compile error names the problem.
 */
export type JsonPayloadCheck<P> = [P] extends [JsonPayload<P>]
  ? unknown
  : { readonly payloadTypeError: 'The payload type is not a JSON value (a Date, Map, Set, bigint, function or undefined in it would not reach the handler as typed); use strings, numbers, booleans, null, arrays and plain objects, or give the task a schema.' };
