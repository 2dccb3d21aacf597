import { describe, expect, it } from 'vitest';
import { toMilliseconds } from '../src/duration.js';
import { InvalidArgumentError } from '../src/errors.js';
import { uuidv7, isUuid } from '../src/ids.js';

describe('toMilliseconds', () => {
  it.each([
    [0, 0],
    [1500, 1500],
    ['500ms', 500],
    ['5s', 5000],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1.5h', 5_400_000],
    ['1h30m', 5_400_000],
    ['250', 250],
  ] as const)('converts %s', (input, expected) => {
    expect(toMilliseconds(input, 'delay')).toBe(expected);
  });

  it.each([-1, Number.NaN, Infinity, '5 parsecs', '', 'ms', '-5s', '5x'])('rejects %s naming the option', (input) => {
    expect(() => toMilliseconds(input as never, 'delay')).toThrow(InvalidArgumentError);
    expect(() => toMilliseconds(input as never, 'delay')).toThrow(/delay/);
  });
});

describe('uuidv7', () => {
  it('produces valid, time-ordered, unique ids', () => {
    const ids = Array.from({ length: 10_000 }, () => uuidv7(1_700_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids.slice(0, 10)) {
      expect(isUuid(id)).toBe(true);
      expect(id[14]).toBe('7');
    }
    expect(uuidv7(1_800_000_000_000) > ids.at(-1)!).toBe(true);
  });
});
