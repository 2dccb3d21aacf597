/** The short chaos run on a SQLite file shared by worker processes (`evertask/test/support/chaos/`). */
import { describe } from 'vitest';
import { testChaos } from '../../evertask/test/support/chaos/chaos-test.js';
import { sqliteChaos } from './chaos/chaos-adapter.js';

describe('EverTask on SQLite under chaos', () => {
  testChaos(sqliteChaos);
});
