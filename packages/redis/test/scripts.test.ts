import { describe, expect, it } from 'vitest';
import { TASK_COLUMNS } from 'evertask/storage-kit';
import { SCRIPT_NAMES, storageScripts } from '../src/scripts.js';

describe('the storage scripts', () => {
  const scripts = storageScripts();

  it('loads one script per name, each with the shared prelude and the column list of the field table', () => {
    expect([...scripts.keys()]).toEqual([...SCRIPT_NAMES]);
    for (const [name, script] of scripts) {
      expect(script.source, name).toContain(`local COLUMNS = { ${TASK_COLUMNS.map((c) => `'${c}'`).join(', ')} }`);
      expect(script.source, name).toContain('local function reindex(');
      expect(script.sha, name).toMatch(/^[0-9a-f]{40}$/);
    }
  });

  it('never walks the keyspace (no KEYS or SCAN) and builds every key under KEYS[1], the hash tag', () => {
    for (const [name, script] of scripts) {
      expect(script.source, name).not.toMatch(/redis\.call\(\s*'(KEYS|SCAN)'/i);
      for (const match of script.source.matchAll(/redis\.call\(\s*'[A-Z]+',\s*([^,)]+)/g)) {
        const key = (match[1] as string).trim();
        // the key argument is built by a helper or from P (KEYS[1]); never a literal or an ARGV
        expect(key, `${name}: ${match[0]}`).not.toMatch(/^(['"]|ARGV)/);
      }
    }
  });
});
