import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, type StoredTask, type TaskStorage } from 'evertask';
import { makeStoredTask } from 'evertask/testing';

/**
 * Text that breaks SQL built by concatenation (quotes, comments, statement ends, LIKE wildcards,
 * placeholders) or key names and patterns built by concatenation (glob characters, hash tags, `:`).
 */
export const INJECTION_TEXTS = [
  "'; DROP TABLE tasks; --",
  "x' OR '1'='1",
  '" OR ""="',
  "\\'; DELETE FROM tasks; --",
  '`; DROP TABLE `tasks`; --',
  '*/ SELECT 1; /*',
  '%',
  '_',
  '\\',
  '$1',
  '?',
  ':name',
  "Robert'); DROP TABLE Students;--",
  'ünïcødé ✓ 😀',
  // key and glob patterns, hash tags and key separators (Redis builds key names and could match patterns)
  '*',
  '[a-z]*',
  '{evertask}:t:*',
  '}{',
  ':s:queued:',
  '\\*',
] as const;

/** Schema, table-prefix and sort values that would be spliced into SQL if they were not checked. */
export const INJECTION_IDENTIFIERS = ['evertask; DROP TABLE x', 'a"b', 'a`b', "a'b", 'a b', 'tasks--', '"', '', '{evertask}', 'a*', 'a?b', '[a]'] as const;

/** One task per injection text, the text in its name, queue, task key and payload. */
export function evilTasks(): StoredTask[] {
  return INJECTION_TEXTS.map((text, i) =>
    makeStoredTask({ name: `n${i}${text}`, queue: `q${i}${text}`, taskKey: `k${i}${text}`, payload: JSON.stringify({ text }), createdAt: 1_700_000_000_000 + i }),
  );
}

export interface InjectionTarget {
  /** An open storage with no tasks. */
  open(): Promise<TaskStorage>;
  close(storage: TaskStorage): Promise<void>;
  /** Constructs the storage with `identifier` as its schema or table prefix (it must throw InvalidArgumentError). */
  withIdentifier(identifier: string): unknown;
  /**
   * Identifiers of INJECTION_IDENTIFIERS this adapter accepts because nothing reads them as syntax
   * (on Redis `tasks--` is a plain key prefix); they must construct without an error. @defaultValue none
   */
  acceptedIdentifiers?: readonly string[];
  /** Names of the adapter's tables as the database lists them (on Redis: its key families), to compare before and after. */
  tables(): Promise<string[]>;
}

/**
 * Injection tried through every string the storage puts in SQL: task names, queue names, task
 * keys, payloads, every text filter and the sort field. Each value must round-trip literally, find
 * exactly the rows holding it (a `%` or `_` is no wildcard), and leave the tables intact.
 */
export function describeSqlInjection(label: string, target: () => InjectionTarget): void {
  describe(`${label}: SQL injection through every string`, () => {
    it('refuses injection in the schema or table prefix with an InvalidArgumentError', () => {
      const accepted = target().acceptedIdentifiers ?? [];
      for (const identifier of INJECTION_IDENTIFIERS) {
        if (accepted.includes(identifier)) expect(() => target().withIdentifier(identifier), identifier).not.toThrow();
        else expect(() => target().withIdentifier(identifier), identifier).toThrow(InvalidArgumentError);
      }
    });

    it('names, queues, keys and payloads round-trip literally; text filters match literally; tables intact', async () => {
      const storage = await target().open();
      try {
        const plain = makeStoredTask({ name: 'plain', queue: 'plain', taskKey: 'plain-key', payload: '"plain"' });
        await storage.add([plain]);
        // after one plain task, so that a storage whose structures appear with the first task (Redis keys) compares like for like
        const tablesBefore = await target().tables();
        const evil = evilTasks();
        await storage.add(evil);
        for (const [i, task] of evil.entries()) {
          const text = INJECTION_TEXTS[i] as string;
          const read = await storage.get(task.id);
          expect(read, text).toMatchObject({ name: task.name, queue: task.queue, taskKey: task.taskKey, payload: task.payload });
          expect((await storage.getByTaskKey(task.taskKey as string))?.id, text).toBe(task.id);
          const only = async (filter: object) => (await storage.query(filter)).items.map((t) => t.id);
          expect(await only({ name: task.name }), text).toEqual([task.id]);
          expect(await only({ queue: task.queue }), text).toEqual([task.id]);
          expect(await only({ taskKey: task.taskKey }), text).toEqual([task.id]);
          expect(await only({ nameContains: `${i}${text}` }), text).toEqual([task.id]);
          expect(await only({ search: `k${i}${text}` }), text).toEqual([task.id]);
          // the bare text finds only the rows that hold it, never `plain`
          const holders = evil.filter((t) => (t.name.toLowerCase()).includes(text.toLowerCase())).map((t) => t.id).sort();
          expect((await only({ nameContains: text })).sort(), text).toEqual(holders);
          expect((await only({ search: text })).includes(plain.id), text).toBe(false);
          expect((await storage.count({ queue: task.queue })).reduce((sum, row) => sum + row.count, 0), text).toBe(1);
        }
        for (const sortBy of INJECTION_IDENTIFIERS) {
          await expect(storage.query({}, { sortBy: sortBy as never }), sortBy).rejects.toThrow(InvalidArgumentError);
        }
        expect((await storage.query({})).total).toBe(evil.length + 1);
        expect(await target().tables()).toEqual(tablesBefore);
      } finally {
        await target().close(storage);
      }
    });
  });
}
