/** Entry of the postgres suite in a child process on Node 22 (see postgres.ts): prints progress, then the rows. */
import { postgresRows } from './postgres-suite.js';
import { printSuiteRows } from './postgres.js';

await printSuiteRows(postgresRows);
