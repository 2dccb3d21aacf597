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
  /** Rejects of the operations waiting for a reply on the owned client (see `#send`). */
  readonly #inFlight = new Set<(error: Error) => void>();
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
    const client = new Redis(this.#options.url as string, {
      lazyConnect: true,
      // not auto-pipelining: ioredis's automatic pipelines wait forever for a connection that
      // comes back when the offline queue is off (seen in test/engine-faults.test.ts)
      enableAutoPipelining: false,
      // while the connection is down a command fails at once (a transient StorageError the engine
      // retries with its own backoff) instead of waiting in ioredis's queue, and a command whose
      // reply was lost is not sent again behind the engine's back
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
    });
    // while the server is away ioredis reconnects by itself and each command fails on its own;
    // without a listener every failed reconnect would be printed as an unhandled error
    client.on('error', () => undefined);
    // ioredis drops (and never settles) the commands a cut connection left without a reply, when
    // it does not resend them: they fail here instead, as transient errors the engine retries
    client.on('close', () => {
      const waiting = [...this.#inFlight];
      this.#inFlight.clear();
      for (const reject of waiting) reject(new Error('Connection is closed: the reply was lost (the command may or may not have run).'));
    });
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
        return (await this.#send(() => this.#client.call('EVALSHA', [script.sha, 1, this.#keys.base].concat(args)))) as T;
      } catch (error) {
        if (!isNoScriptError(error)) throw error;
        return (await this.#send(() => this.#client.call('EVAL', [script.source, 1, this.#keys.base].concat(args)))) as T;
      }
    } catch (error) {
      throw toStorageError(operation, error);
    }
  }

  /** Runs plain commands (`run(client => …)`) with errors wrapped. */
  async run<T>(operation: string, body: (client: Redis) => Promise<T>): Promise<T> {
    try {
      return await this.#send(() => body(this.#client));
    } catch (error) {
      throw toStorageError(operation, error);
    }
  }

  /** Sends on the owned client, settling when the reply comes or when the connection closes first. */
  #send<T>(command: () => Promise<T>): Promise<T> {
    if (!this.#owns) return command();
    return new Promise<T>((resolve, reject) => {
      this.#inFlight.add(reject);
      command().then(resolve, reject).finally(() => this.#inFlight.delete(reject));
    });
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
