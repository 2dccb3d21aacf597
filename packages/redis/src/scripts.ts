import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TASK_COLUMNS } from 'evertask/storage-kit';

/** The scripts of the storage, by name (each `scripts/<name>.lua`, shipped in dist). */
export const SCRIPT_NAMES = [
  'add',
  'transition',
  'claim',
  'renew',
  'next-due',
  'update',
  'remove',
  'replace',
  'save-logs',
  'cleanup',
  'prune',
  'heartbeat',
  'rate-limit-acquire',
  'rate-limit-release',
  'rate-limit-introspect',
] as const;

export type ScriptName = (typeof SCRIPT_NAMES)[number];

/** One script as sent to the server: its source and the SHA1 EVALSHA calls it by. */
export interface LoadedScript {
  readonly source: string;
  readonly sha: string;
}

const directory = new URL('./scripts/', import.meta.url);
let loaded: ReadonlyMap<ScriptName, LoadedScript> | undefined;

/**
 * Every script with the shared prelude: the column list (from the kit's field table, so that the
 * scripts and the records never disagree) and `lib.lua`. Read from disk once.
 */
export function storageScripts(): ReadonlyMap<ScriptName, LoadedScript> {
  if (loaded !== undefined) return loaded;
  const columns = `local COLUMNS = { ${TASK_COLUMNS.map((column) => `'${column}'`).join(', ')} }\n`;
  const prelude = columns + readFileSync(new URL('lib.lua', directory), 'utf8');
  const scripts = new Map<ScriptName, LoadedScript>();
  for (const name of SCRIPT_NAMES) {
    const source = `${prelude}\n${readFileSync(new URL(`${name}.lua`, directory), 'utf8')}`;
    scripts.set(name, { source, sha: createHash('sha1').update(source).digest('hex') });
  }
  loaded = scripts;
  return scripts;
}
