/** One statement of a migration and the delimiter that ends it in the file (and for the mysql client). */
export interface MigrationStatement {
  sql: string;
  /** `;`, or the delimiter a `DELIMITER` line chose (a stored procedure's body holds `;` itself). */
  delimiter: string;
}

/** `DELIMITER //`: the mysql client's command, which the migration files use around stored programs. */
const DELIMITER_LINE = /^\s*DELIMITER\s+(\S+)\s*$/i;

/**
 * Splits a migration's SQL into statements the way the mysql command-line client reads a file: a
 * statement ends at a line that ends with the current delimiter (`;` until a `DELIMITER` line
 * changes it). Lines starting with `--` are comments and dropped.
 */
export function splitMigrationSql(sql: string): MigrationStatement[] {
  const statements: MigrationStatement[] = [];
  let delimiter = ';';
  let lines: string[] = [];
  const flush = (): void => {
    const text = lines.join('\n').trim();
    if (text !== '') statements.push({ sql: text, delimiter });
    lines = [];
  };
  for (const line of sql.split(/\r?\n/)) {
    const change = DELIMITER_LINE.exec(line);
    if (change !== null) {
      flush();
      delimiter = change[1] as string;
      continue;
    }
    if (line.trim().startsWith('--')) continue;
    const trimmed = line.trimEnd();
    if (trimmed.endsWith(delimiter)) {
      lines.push(trimmed.slice(0, trimmed.length - delimiter.length));
      flush();
    } else {
      lines.push(line);
    }
  }
  flush();
  return statements;
}

/** A statement as the mysql client reads it: `stmt;`, or wrapped in `DELIMITER` lines when its body holds `;`. */
export function clientStatement(statement: MigrationStatement): string {
  if (statement.delimiter === ';') return `${statement.sql};`;
  return `DELIMITER ${statement.delimiter}\n${statement.sql} ${statement.delimiter}\nDELIMITER ;`;
}
