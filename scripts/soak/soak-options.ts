import { InvalidArgumentError } from 'evertask';

/** The storages a soak run can put under load. */
export const SOAK_STORAGES = ['sqlite', 'postgres'] as const;
export type SoakStorageName = (typeof SOAK_STORAGES)[number];

/** Options of one soak run (`npm run soak -- …`). */
export interface SoakOptions {
  /** How long the load runs, in seconds (`--minutes 30` or `--seconds 50`). @defaultValue 1800 (30 minutes) */
  durationSeconds: number;
  /** Storages soaked one after the other (`--storage sqlite,postgres`). @defaultValue ['sqlite', 'postgres'] */
  storages: SoakStorageName[];
  /** Tasks dispatched per second, below the engine's capacity (`--rate 100`). @defaultValue 100 */
  rate: number;
  /** Seconds between two full garbage collections that measure the live heap (`--live-heap-every 10`). @defaultValue 10 */
  liveHeapEverySeconds: number;
  /** Folder the report is written to (`--out DIR`). @defaultValue soak-report/<UTC timestamp> */
  outDir: string | undefined;
  /** Print the result as one JSON line on stdout as well (`--json`). @defaultValue false */
  json: boolean;
}

/** A soak option that is unknown, missing its value, or out of range. */
export class SoakOptionError extends InvalidArgumentError {}

const USAGE = 'usage: npm run soak -- [--minutes N | --seconds N] [--storage sqlite,postgres] [--rate N] [--live-heap-every N] [--out DIR] [--json]';

function positiveNumber(flag: string, value: string | undefined, max: number): number {
  const n = value === undefined ? Number.NaN : Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > max) {
    throw new SoakOptionError(`${flag} takes a number above 0 and at most ${max}; received ${JSON.stringify(value ?? null)}. ${USAGE}`);
  }
  return n;
}

function storages(value: string | undefined): SoakStorageName[] {
  const names = (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = names.filter((s) => !SOAK_STORAGES.includes(s as SoakStorageName));
  if (names.length === 0 || bad.length > 0) {
    throw new SoakOptionError(`--storage takes a comma-separated list of ${SOAK_STORAGES.join(', ')}; received ${JSON.stringify(value ?? null)}.`);
  }
  return [...new Set(names)] as SoakStorageName[];
}

/** Parses the command line of `npm run soak`; throws `SoakOptionError` naming the bad flag. */
export function parseSoakArgs(argv: readonly string[]): SoakOptions {
  const options: SoakOptions = { durationSeconds: 1800, storages: [...SOAK_STORAGES], rate: 100, liveHeapEverySeconds: 10, outDir: undefined, json: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const value = (): string | undefined => argv[++i];
    switch (flag) {
      case '--minutes':
        options.durationSeconds = Math.round(positiveNumber(flag, value(), 24 * 60) * 60);
        break;
      case '--seconds':
        options.durationSeconds = Math.round(positiveNumber(flag, value(), 24 * 3600));
        break;
      case '--storage':
        options.storages = storages(value());
        break;
      case '--rate':
        options.rate = positiveNumber(flag, value(), 10_000);
        break;
      case '--live-heap-every':
        options.liveHeapEverySeconds = Math.round(positiveNumber(flag, value(), 3600));
        break;
      case '--out': {
        const dir = value();
        if (dir === undefined || dir === '' || dir.startsWith('--')) throw new SoakOptionError(`--out takes a folder; received ${JSON.stringify(dir ?? null)}.`);
        options.outDir = dir;
        break;
      }
      case '--json':
        options.json = true;
        break;
      default:
        throw new SoakOptionError(`Unknown soak option ${JSON.stringify(flag)}. ${USAGE}`);
    }
  }
  if (options.durationSeconds < 10) {
    throw new SoakOptionError(`A soak run lasts at least 10 seconds (the second half is measured); received ${options.durationSeconds} s.`);
  }
  return options;
}
