/** Entry of the postgres suite in a child process on Node 22 (see postgres.ts): prints progress, then the rows. */
import { parseArgs } from 'node:util';
import { postgresRows } from './postgres-suite.js';
import { ROW_MARKER } from './postgres.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const rows = await postgresRows(Number(values.runs), (line) => console.log(line));
for (const row of rows) process.stdout.write(`${ROW_MARKER}${JSON.stringify(row)}\n`);
