import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from 'evertask';
import { SqliteStorage } from '../src/index.js';
import { useFreshStorage } from './fresh-storage.js';

describe('SqliteStorage', () => {
  const fixture = useFreshStorage();

  it('declares its capabilities: a file is persistent and shareable, :memory: is neither', async () => {
    const { storage } = fixture;
    expect(storage.capabilities).toEqual({
      persistent: true,
      multiProcess: true,
      notifications: false,
      transactionalDispatch: false,
    });
    const memory = new SqliteStorage({ filename: ':memory:' });
    expect(memory.capabilities.persistent).toBe(false);
    expect(memory.capabilities.multiProcess).toBe(false);
  });

  it('validates arguments before touching SQLite', async () => {
    const { storage } = fixture;
    await expect(storage.get(42 as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(storage.pending(undefined, -1)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(storage.scheduled(Number.NaN, 1)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(storage.getExecutionLogs('x', 1.5)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(storage.cleanup({ logsBefore: 'yesterday' as never })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(storage.transition('x' as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await storage.transition([])).toEqual([]);
  });
});
