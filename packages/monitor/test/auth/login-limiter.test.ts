import { describe, expect, it } from 'vitest';
import { LoginLimiter } from '../../src/auth/login-limiter.js';

describe('LoginLimiter', () => {
  it('refuses an address after maxAttempts failures until its window ends', () => {
    const limiter = new LoginLimiter(2, 1000);
    expect(limiter.retryAfter('a', 0)).toBe(0);
    limiter.recordFailure('a', 0);
    expect(limiter.retryAfter('a', 10)).toBe(0);
    limiter.recordFailure('a', 100);
    expect(limiter.retryAfter('a', 200)).toBe(800);
    expect(limiter.retryAfter('b', 200)).toBe(0);
    expect(limiter.retryAfter('a', 1000)).toBe(0);
    limiter.recordFailure('a', 1000);
    expect(limiter.retryAfter('a', 1001)).toBe(0);
  });

  it('clears an address on success and forgets the oldest beyond its bound', () => {
    const limiter = new LoginLimiter(1, 1000, 2);
    limiter.recordFailure('a', 0);
    limiter.recordSuccess('a');
    expect(limiter.retryAfter('a', 1)).toBe(0);
    limiter.recordFailure('a', 0);
    limiter.recordFailure('b', 0);
    limiter.recordFailure('c', 0);
    expect(limiter.retryAfter('a', 1)).toBe(0);
    expect(limiter.retryAfter('c', 1)).toBe(999);
  });
});
