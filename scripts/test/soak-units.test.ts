import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from 'evertask';
import { parseSoakArgs, SoakOptionError } from '../soak/soak-options.js';
import { leastSquaresSlope, summarize, type SoakSample } from '../soak/soak-stats.js';
import { SOAK_BOUNDS, soakViolations } from '../soak/soak-bounds.js';
import { soakSvg } from '../soak/svg-plot.js';

/** 60 one-second samples; `liveAt` and `storedAt` shape the memory and rows. */
function run(liveAt: (t: number) => number, storedAt: (t: number) => number = () => 1000, rssAt: (t: number) => number = () => 120): SoakSample[] {
  return Array.from({ length: 60 }, (_, k) => {
    const t = k + 1;
    return { t, rssMb: rssAt(t), heapUsedMb: liveAt(t) + 3, liveHeapMb: t % 2 === 0 ? liveAt(t) : undefined, lagP99Ms: 5, lagMaxMs: 9, throughput: 105, storedTasks: t % 10 === 0 ? storedAt(t) : undefined } as SoakSample;
  });
}

describe('soak statistics', () => {
  it('least squares recovers a known slope and is 0 for one point', () => {
    expect(leastSquaresSlope([0, 1, 2, 3].map((x) => ({ x, y: 2 * x + 7 })))).toBeCloseTo(2, 10);
    expect(leastSquaresSlope([{ x: 1, y: 5 }])).toBe(0);
    expect(leastSquaresSlope([{ x: 1, y: 5 }, { x: 1, y: 9 }])).toBe(0);
  });

  it('summarises start, middle, end, max and the second-half slope per minute', () => {
    const s = summarize(run((t) => 10 + (t > 30 ? (t - 30) / 6 : 0)), 'liveHeapMb');
    expect(s?.start).toBeCloseTo(10, 5);
    expect(s?.max).toBeCloseTo(15, 5);
    expect(s?.slopePerMinute).toBeCloseTo(10, 0);
    expect(summarize([], 'rssMb')).toBeUndefined();
  });
});

describe('soak bounds', () => {
  it('a flat run keeps every bound', () => {
    expect(soakViolations(run(() => 12), 105)).toEqual([]);
  });

  it('a live heap leaking 10 MB/min breaks the heap bound', () => {
    const problems = soakViolations(run((t) => 12 + t / 6), 105);
    expect(problems.join()).toMatch(/live heap grows 10\.\d\d MB\/min/);
  });

  it('RSS rising by 100 MB in the second half breaks the RSS bound', () => {
    expect(soakViolations(run(() => 12, undefined, (t) => (t > 40 ? 220 : 120)), 105).join()).toMatch(/RSS rose 100\.0 MB/);
  });

  it('tables growing without retention break the row bound', () => {
    expect(soakViolations(run(() => 12, (t) => t * 105), 105).join()).toMatch(/retention is not keeping up/);
    expect(SOAK_BOUNDS.storedSecondsOfLoad * 105).toBeLessThan(60 * 105);
  });

  it('a run with no samples, or without live-heap or row samples, is a violation', () => {
    expect(soakViolations([], 100)).toEqual(['no samples were taken']);
    const bare = run(() => 12).map(({ liveHeapMb: _l, storedTasks: _s, ...rest }) => rest);
    expect(soakViolations(bare, 100)).toEqual(['the live heap was never measured', 'the stored tasks were never counted']);
  });
});

describe('soak options', () => {
  it('defaults to 30 minutes on SQLite and PostgreSQL at 100 tasks/s', () => {
    expect(parseSoakArgs([])).toMatchObject({ durationSeconds: 1800, storages: ['sqlite', 'postgres'], rate: 100 });
    expect(parseSoakArgs(['--minutes', '2', '--storage', 'postgres', '--rate', '20', '--json'])).toMatchObject({ durationSeconds: 120, storages: ['postgres'], rate: 20, json: true });
  });

  it.each([
    [['--minutes', '-1'], /--minutes takes a number above 0/],
    [['--minutes'], /received null/],
    [['--seconds', 'abc'], /--seconds takes a number/],
    [['--seconds', '5'], /at least 10 seconds/],
    [['--storage', 'mongo'], /--storage takes a comma-separated list of sqlite, postgres; received "mongo"/],
    [['--storage', ''], /--storage takes/],
    [['--rate', '0'], /--rate takes a number above 0/],
    [['--out', '--json'], /--out takes a folder/],
    [['--fast'], /Unknown soak option "--fast"/],
  ])('refuses %j with a SoakOptionError naming the flag', (argv, message) => {
    expect(() => parseSoakArgs(argv)).toThrow(message);
    expect(() => parseSoakArgs(argv)).toThrow(SoakOptionError);
    expect(() => parseSoakArgs(argv)).toThrow(InvalidArgumentError);
  });
});

describe('soak plot', () => {
  it('draws one path per sampled series and escapes the title', () => {
    const svg = soakSvg('a <b> & "c"', run(() => 12));
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('a &lt;b&gt; &amp; &quot;c&quot;');
    // RSS, heap used, live heap, p99, max, throughput, stored tasks (five panels)
    expect(svg.match(/<path /g)?.length).toBe(7);
  });
});
