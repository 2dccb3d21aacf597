import { describe, expect, it } from 'vitest';
import { StorageLifecycle } from 'evertask/storage-kit';

function recorder(prepare: () => Promise<void> = async () => undefined) {
  const steps: string[] = [];
  const lifecycle = new StorageLifecycle({
    prepare: async () => {
      steps.push('prepare');
      await prepare();
    },
    reopen: () => steps.push('reopen'),
    end: async () => {
      steps.push('end');
    },
  });
  return { steps, lifecycle };
}

describe('StorageLifecycle', () => {
  it('prepares once for concurrent and repeated opens, and ends once for repeated closes', async () => {
    const { steps, lifecycle } = recorder();
    await Promise.all([lifecycle.open(), lifecycle.open()]);
    await lifecycle.open();
    await lifecycle.close();
    await lifecycle.close();
    expect(steps).toEqual(['prepare', 'end']);
  });

  it('reopens the connection and prepares again when opened after a close', async () => {
    const { steps, lifecycle } = recorder();
    await lifecycle.open();
    await lifecycle.close();
    await lifecycle.open();
    expect(steps).toEqual(['prepare', 'end', 'reopen', 'prepare']);
  });

  it('tries the preparation again on the next open after it failed', async () => {
    let fail = true;
    const { steps, lifecycle } = recorder(async () => {
      if (fail) throw new Error('migration failed');
    });
    await expect(lifecycle.open()).rejects.toThrow('migration failed');
    fail = false;
    await lifecycle.open();
    expect(steps).toEqual(['prepare', 'prepare']);
  });
});
