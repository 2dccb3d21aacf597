import { it } from 'vitest';
import { expectShortSoakWithinBounds } from './soak-run.js';

it('a 50 s soak on SQLite stays within the memory and row bounds', () => expectShortSoakWithinBounds('sqlite'), 240_000);
