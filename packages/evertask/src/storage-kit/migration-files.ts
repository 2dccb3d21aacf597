/**
 * Reading a SQL adapter's versioned migrations from `.sql` files shipped beside its code: one file
 * per version, `NNNN-slug.sql`, numbered 1, 2, 3… without a gap, each starting with a line
 * `-- name: <what it does>`. Never edit a file that shipped: add a new version.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StorageError } from '../errors.js';

/** One versioned migration as read from its file (the SQL keeps the adapter's placeholders). */
export interface MigrationFile {
  version: number;
  name: string;
  sql: string;
}

/** `0001-initial.sql`: four digits of version, a slug. */
const FILE_NAME = /^(\d{4})-[a-z0-9-]+\.sql$/;
/** The first line of every file: `-- name: <what the migration does>`. */
const NAME_LINE = /^-- name: (.+)\r?\n/;

/**
 * Reads `directory/*.sql`, oldest first, checking the numbering and the name line; every problem
 * is a `StorageError` naming `packageName`, the file and the fix.
 */
export function loadMigrationFiles(packageName: string, directory: URL): MigrationFile[] {
  const path = fileURLToPath(directory);
  let files: string[];
  try {
    files = readdirSync(directory).filter((file) => file.endsWith('.sql')).sort();
  } catch (error) {
    throw new StorageError(
      `${packageName} cannot read its migrations in ${path}: ${(error as Error).message}. ` +
        `The build copies src/migrations to dist/migrations (npm run build -w packages/${packageName.replace(/^@evertask\//, '')}); reinstall the package if they are missing.`,
      { cause: error },
    );
  }
  return files.map((file, index) => {
    const version = Number(FILE_NAME.exec(file)?.[1]);
    if (version !== index + 1) {
      throw new StorageError(
        `${packageName} migration file ${JSON.stringify(file)} in ${path} should be version ${index + 1} ` +
          `(files are named NNNN-slug.sql and numbered 0001, 0002… without gaps).`,
      );
    }
    const text = readFileSync(new URL(file, directory), 'utf8');
    const name = NAME_LINE.exec(text);
    if (name === null) {
      throw new StorageError(`${packageName} migration file ${JSON.stringify(file)} must start with a line "-- name: <what it does>".`);
    }
    return { version, name: name[1] as string, sql: text.slice(name[0].length) };
  });
}
