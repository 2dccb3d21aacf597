import { Redis } from 'ioredis';
import { isNoScriptError, toStorageError } from './redis-errors.js';
import { storageScripts, type ScriptName } from './scripts.js';
import type { KeyNames } from './keys.js';

/** How the storage reaches its server (already validated, see `resolveRedisOptions`). */
export interface RedisConnectionOptions {
  url: string | undefined;
  client: Redis | undefined;
}

/** What every group of operations needs: the connection and the key names. */
export interface QueryContext {
  readonly connection: RedisConnection;
  readonly keys: KeyNames;
}

/**
 * The storage's command connection: creates and closes an ioredis client from a URL, or borrows
 * the user's (never closed). Runs the storage's scripts by EVALSHA, loading them again when the
 * server answers NOSCRIPT (a restart or SCRIPT FLUSH), and wraps driver errors as `StorageError`s
 * naming the operation (transient for lost connections and busy or loading servers).
 */
export class RedisConnection {
  readonly #options: RedisConnectionOptions;
  readonly #keys: KeyNames;
  readonly #owns: boolean;
  #client: Redis;

  constructor(options: RedisConnectionOptions, keys: KeyNames) {
    this.#options = options;
    this.#keys = keys;
    this.#owns = options.client === undefined;
    this.#client = options.client ?? this.#createClient();
  }

  /** The client commands go to. */
  get client(): Redis {
    return this.#client;
  }

  #createClient(): Redis {
    const client = new Redis(this.#options.url as string, { lazyConnect: true, enableAutoPipelining: true });
    // while the server is away ioredis reconnects by itself and each command fails or waits on its
    // own; without a listener every failed reconnect would be printed as an unhandled error
    client.on('error', () => undefined);
    return client;
  }

  /** Connects an owned client (a borrowed one is the user's to connect) and loads the scripts. */
  async open(): Promise<void> {
    try {
      if (this.#owns && (this.#client.status === 'wait' || this.#client.status === 'end')) {
        if (this.#client.status === 'end') this.#client = this.#createClient();
        await this.#client.connect();
      }
      await this.#loadScripts();
    } catch (error) {
      throw toStorageError('open', error);
    }
  }

  async #loadScripts(): Promise<void> {
    const pipeline = this.#client.pipeline();
    for (const script of storageScripts().values()) pipeline.script('LOAD', script.source);
    const results = (await pipeline.exec()) ?? [];
    for (const [error] of results) if (error) throw error;
  }

  /** Runs script `name` with the deployment's key base as KEYS[1]. */
  async script<T>(operation: string, name: ScriptName, args: readonly (string | number)[]): Promise<T> {
    const script = storageScripts().get(name);
    if (script === undefined) throw new Error(`unknown script ${name}`);
    try {
      try {
        // call() with one array: a batch may carry more arguments than a spread call can take
        return (await this.#client.call('EVALSHA', [script.sha, 1, this.#keys.base].concat(args))) as T;
      } catch (error) {
        if (!isNoScriptError(error)) throw error;
        return (await this.#client.call('EVAL', [script.source, 1, this.#keys.base].concat(args))) as T;
      }
    } catch (error) {
      throw toStorageError(operation, error);
    }
  }

  /** Runs plain commands (`run(client => …)`) with errors wrapped. */
  async run<T>(operation: string, body: (client: Redis) => Promise<T>): Promise<T> {
    try {
      return await body(this.#client);
    } catch (error) {
      throw toStorageError(operation, error);
    }
  }

  /** A new connection with the same settings, named `evertask:<prefix>:<role>` (seen in CLIENT LIST); the caller closes it. */
  duplicate(role: string): Redis {
    return this.#client.duplicate({ lazyConnect: true, enableAutoPipelining: false, connectionName: `evertask:${this.#keys.prefix}:${role}` });
  }

  /** Closes an owned client; leaves a borrowed one as it is. */
  async close(): Promise<void> {
    if (!this.#owns) return;
    const client = this.#client;
    if (client.status === 'end' || client.status === 'wait') return;
    await client.quit().catch(() => client.disconnect());
  }
}
