import type { Redis } from 'ioredis';
import { RedisEvictionPolicyError } from './redis-errors.js';

/** Policies that may evict a key that has no TTL: a task could disappear. */
const EVICTING_POLICIES = new Set(['allkeys-lru', 'allkeys-lfu', 'allkeys-random']);

/**
 * Reads `maxmemory-policy` and throws `RedisEvictionPolicyError` for a policy that may evict
 * keys without a TTL. `noeviction` and the `volatile-*` policies are accepted: EverTask sets no
 * TTL, so a volatile policy never picks its keys. A server with CONFIG disabled (managed services
 * rename it) only draws a warning, since the policy cannot be read.
 */
export async function checkEvictionPolicy(client: Redis, warn: (message: string) => void): Promise<void> {
  let reply: unknown;
  try {
    reply = await client.config('GET', 'maxmemory-policy');
  } catch (error) {
    warn(
      `RedisStorage could not read the server's maxmemory-policy (${(error as Error).message}). Make sure it is "noeviction" ` +
        '(or a volatile-* policy): with allkeys-* Redis may evict tasks when memory runs out.',
    );
    return;
  }
  const values = Array.isArray(reply) ? (reply as unknown[]) : [];
  const policy = values[1];
  if (typeof policy === 'string' && EVICTING_POLICIES.has(policy)) throw new RedisEvictionPolicyError(policy);
}
