import { StorageError } from 'evertask';
import { NETWORK_ERROR_CODES, wrapDriverError } from 'evertask/storage-kit';

/** Server replies that mean the server is busy, starting or failing over: the same command may succeed later. */
const TRANSIENT_REPLIES = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|NOREPLICAS)\b/;

/** ioredis errors of a connection that failed, was cut or is not up yet (besides Node's NETWORK_ERROR_CODES). */
const CONNECTION_MESSAGES = /Connection is closed|Stream isn't writeable|Reached the max retries per request limit|connect ETIMEDOUT|Command timed out/;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A lost or refused connection (ioredis retries it; the operation may have to be sent again). */
export function isConnectionError(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) || CONNECTION_MESSAGES.test(messageOf(error));
}

/** Whether the same operation may succeed later: a busy or loading server, a lost connection. */
export function isTransientRedisError(error: unknown): boolean {
  return TRANSIENT_REPLIES.test(messageOf(error)) || isConnectionError(error);
}

/** `NOSCRIPT`: the server does not know a script (restarted, or `SCRIPT FLUSH`): load it and send again. */
export function isNoScriptError(error: unknown): boolean {
  return messageOf(error).startsWith('NOSCRIPT');
}

/** A driver error as a `StorageError` naming the operation (transient when it may pass). */
export function toStorageError(operation: string, error: unknown): Error {
  return wrapDriverError('RedisStorage', operation, error, { transient: isTransientRedisError(error) });
}

/**
 * The server may evict keys without a TTL (`maxmemory-policy` `allkeys-*`): tasks could vanish.
 * The storage refuses to open on such a server.
 */
export class RedisEvictionPolicyError extends StorageError {
  /** The server's policy. */
  readonly policy: string;

  constructor(policy: string) {
    super(
      `RedisStorage refuses to open: the server's maxmemory-policy is "${policy}", which lets Redis evict any key when memory ` +
        'runs out, tasks and their history included. Set "maxmemory-policy noeviction" (redis.conf, or CONFIG SET ' +
        'maxmemory-policy noeviction); a volatile-* policy is also safe: the only keys with a TTL are rate-limit reservations, which expire anyway. Or pass ' +
        '{ checkEvictionPolicy: false } if this server never reaches maxmemory.',
    );
    this.policy = policy;
  }
}
