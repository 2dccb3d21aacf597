/**
 * Turns payloads into the text a storage keeps and back. The default is JSON with strict checks:
 * anything JSON would silently drop or mangle is refused at dispatch instead of being lost.
 * Supply your own codec (e.g. superjson) through the `payloadCodec` engine option to carry
 * BigInt, Map, Set or class instances.
 */
export interface PayloadCodec {
  /** Throws `PayloadEncodingError` (or any error) when the value cannot be stored faithfully. */
  serialize(value: unknown): string;
  parse(text: string): unknown;
}

/** Why a payload cannot be serialized; `path` names the offending field. */
export class PayloadEncodingError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(message);
    this.name = 'PayloadEncodingError';
    this.path = path;
  }
}

function describePath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** `ancestors`: the objects on the path to `value` (a cycle is a value that is its own ancestor). */
function check(value: unknown, path: (string | number)[], ancestors: object[]): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) {
        throw new PayloadEncodingError(describePath(path), `${String(value)} is not representable in JSON`);
      }
      return;
    case 'undefined':
      // an object property that is undefined is omitted and reads back undefined: faithful.
      // Anywhere else JSON would turn it into null, so it is refused.
      if (typeof path.at(-1) === 'string') return;
      throw new PayloadEncodingError(
        describePath(path),
        path.length === 0
          ? 'the payload is undefined, which JSON would store as null; pass null (or an object) explicitly'
          : 'undefined in an array would be stored as null; use null',
      );
    case 'bigint':
      throw new PayloadEncodingError(describePath(path), 'BigInt is not serialisable without a codec (pass payloadCodec, or send it as a string)');
    case 'function':
      throw new PayloadEncodingError(describePath(path), 'functions cannot be stored in a payload');
    case 'symbol':
      throw new PayloadEncodingError(describePath(path), 'symbols cannot be stored in a payload');
  }
  if (value === null) return;
  const obj = value as object;
  if (obj instanceof Date) {
    if (Number.isNaN(obj.getTime())) throw new PayloadEncodingError(describePath(path), 'Invalid Date');
    return; // stored as an ISO string
  }
  if (obj instanceof Map || obj instanceof Set || obj instanceof WeakMap || obj instanceof WeakSet || obj instanceof Promise) {
    throw new PayloadEncodingError(describePath(path), `${obj.constructor.name} would be stored as {} by JSON; convert it to an array or object`);
  }
  if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) {
    throw new PayloadEncodingError(describePath(path), 'binary data would be mangled by JSON; encode it as base64 text');
  }
  if (ancestors.includes(obj)) throw new PayloadEncodingError(describePath(path), 'the payload contains a cycle');
  if (typeof (obj as { toJSON?: unknown }).toJSON === 'function') return;
  ancestors.push(obj);
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) {
      path.push(i);
      check(obj[i], path, ancestors);
      path.pop();
    }
  } else {
    for (const key in obj) {
      // own enumerable string keys, as JSON.stringify (for-in allocates no key array)
      if (!Object.hasOwn(obj, key)) continue;
      path.push(key);
      check((obj as Record<string, unknown>)[key], path, ancestors);
      path.pop();
    }
  }
  ancestors.pop();
}

/** Stacks reused by every top-level check (a payload check allocates nothing for flat payloads). */
const PATH: (string | number)[] = [];
const ANCESTORS: object[] = [];
let checking = false;

/** Strict JSON: refuses undefined (but in object properties), BigInt, functions, symbols, cycles, NaN/Infinity, Map/Set and binary data. */
export const jsonPayloadCodec: PayloadCodec = {
  serialize(value) {
    if (checking) check(value, [], []); // re-entered from a getter: fresh stacks
    else {
      checking = true;
      try {
        check(value, PATH, ANCESTORS);
      } finally {
        checking = false;
        PATH.length = 0;
        ANCESTORS.length = 0;
      }
    }
    return JSON.stringify(value);
  },
  parse(text) {
    return JSON.parse(text) as unknown;
  },
};
