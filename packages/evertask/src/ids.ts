import { randomFillSync } from 'node:crypto';
import { Buffer } from 'node:buffer';

const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;
let lastMs = -1;
let sequence = 0;
const ID_BYTES = new Uint8Array(16);
const HEX_CODES = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
/** The 36 characters of an id being formatted; the dashes never change. */
const TEXT_BUFFER = Buffer.from('00000000-0000-0000-0000-000000000000', 'latin1');
const TEXT: Uint8Array = TEXT_BUFFER;

function randomBytes(count: number): Uint8Array {
  if (poolOffset + count > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const slice = pool.subarray(poolOffset, poolOffset + count);
  poolOffset += count;
  return slice;
}

/**
 * A UUIDv7 (RFC 9562): 48-bit millisecond timestamp, then a 12-bit counter that keeps ids from one
 * process strictly increasing within a millisecond, then random bits. Ids sort by creation time,
 * which keeps database indexes compact.
 */
export function uuidv7(now: number = Date.now()): string {
  let ms = now;
  if (ms <= lastMs) {
    ms = lastMs;
    sequence++;
    if (sequence > 0xfff) {
      ms = lastMs + 1;
      sequence = 0;
    }
  } else {
    sequence = 0;
  }
  lastMs = ms;
  const rnd = randomBytes(8);
  const b = ID_BYTES;
  b[0] = Math.floor(ms / 2 ** 40) & 0xff;
  b[1] = Math.floor(ms / 2 ** 32) & 0xff;
  b[2] = (ms >>> 24) & 0xff;
  b[3] = (ms >>> 16) & 0xff;
  b[4] = (ms >>> 8) & 0xff;
  b[5] = ms & 0xff;
  b[6] = 0x70 | ((sequence >>> 8) & 0x0f);
  b[7] = sequence & 0xff;
  b[8] = 0x80 | ((rnd[0] as number) & 0x3f);
  for (let i = 1; i < 8; i++) b[8 + i] = rnd[i] as number;
  // one flat string from a byte buffer, instead of twenty concatenations
  const out = TEXT;
  let o = 0;
  for (let i = 0; i < 16; i++) {
    const byte = b[i] as number;
    out[o++] = HEX_CODES[byte >> 4] as number;
    out[o++] = HEX_CODES[byte & 15] as number;
    if (i === 3 || i === 5 || i === 7 || i === 9) o++; // '-' stays in place
  }
  return TEXT_BUFFER.toString('latin1', 0, 36);
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value);
}
