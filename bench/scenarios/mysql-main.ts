/** Entry of the mysql suite in a child process on Node 22 (see postgres.ts): prints progress, then the rows. */
import { mySqlRows } from './mysql-suite.js';
import { printSuiteRows } from './postgres.js';

await printSuiteRows(mySqlRows);
