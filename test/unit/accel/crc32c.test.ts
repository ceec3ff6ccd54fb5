// CRC32C parity: known vectors, seed chaining, and random unaligned ranges from 0 B to 4 MiB,
// every implementation against the js reference, and js against a bit-at-a-time CRC.
import { describe, expect, it } from 'vitest';
import { loadedAccels, referenceAccel, SeededRandom, unaligned } from './implementations.js';

const accels = loadedAccels();
const SEED = 0x5eed_c3c;

/** Bit-at-a-time CRC32C, independent of the table-driven code under test. */
function bitwiseCrc32c(buf: Buffer, start: number, end: number, seed = 0): number {
  let crc = ~seed >>> 0;
  for (let i = start; i < end; i++) {
    crc ^= buf[i]!;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return ~crc >>> 0;
}

const SIZES_BYTES = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255, 1000, 4099, 65_536, 65_537, 1_048_579, 4 * 1_048_576];

describe.each(accels.map((accel) => [accel.implementation, accel] as const))('crc32c [%s]', (_name, accel) => {
  it('matches the known vectors', () => {
    expect(accel.crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(accel.crc32c(Buffer.alloc(0))).toBe(0);
    expect(accel.crc32c(Buffer.alloc(32, 0))).toBe(0x8a9136aa);
    expect(accel.crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
  });

  it('honours start and end', () => {
    const buf = Buffer.from('xx123456789yy');
    expect(accel.crc32c(buf, 2, 11)).toBe(0xe3069283);
    expect(accel.crc32c(buf, 5, 5)).toBe(0);
    expect(accel.crc32c(buf.subarray(2), 0, 9)).toBe(0xe3069283);
  });

  it('chains through the seed', () => {
    const random = new SeededRandom(SEED);
    const data = random.bytes(10_000);
    const whole = accel.crc32c(data);
    for (const split of [0, 1, 7, 8, 4096, 9_999, 10_000]) {
      const first = accel.crc32c(data, 0, split);
      expect(accel.crc32c(data, split, data.length, first), `split at ${split}`).toBe(whole);
    }
    expect(accel.crc32c(Buffer.from('56789'), 0, 5, accel.crc32c(Buffer.from('1234')))).toBe(0xe3069283);
  });

  it('matches the reference on random unaligned ranges from 0 B to 4 MiB', () => {
    const random = new SeededRandom(SEED + 1);
    const reference = referenceAccel();
    for (const sizeBytes of SIZES_BYTES) {
      const { buf, start, end } = unaligned(random.bytes(sizeBytes), random);
      const seed = random.nextU32();
      const context = `size ${sizeBytes} range [${start}, ${end}) seed ${seed}`;
      expect(accel.crc32c(buf, start, end), context).toBe(reference.crc32c(buf, start, end));
      expect(accel.crc32c(buf, start, end, seed), context).toBe(reference.crc32c(buf, start, end, seed));
      expect(accel.crc32c(buf.subarray(start, end)), context).toBe(reference.crc32c(buf, start, end));
    }
  });
});

describe('crc32c js reference', () => {
  it('matches a bit-at-a-time CRC32C on random ranges and seeds', () => {
    const random = new SeededRandom(SEED + 2);
    const js = referenceAccel();
    for (let round = 0; round < 300; round++) {
      const { buf, start, end } = unaligned(random.bytes(random.below(300)), random);
      const seed = random.nextU32();
      expect(js.crc32c(buf, start, end, seed), `round ${round}`).toBe(bitwiseCrc32c(buf, start, end, seed));
    }
    const big = random.bytes(70_001);
    expect(js.crc32c(big, 3, 70_000)).toBe(bitwiseCrc32c(big, 3, 70_000));
  });

  it('rejects a range outside the buffer', () => {
    const js = referenceAccel();
    expect(() => js.crc32c(Buffer.alloc(4), 0, 5)).toThrow(RangeError);
    expect(() => js.crc32c(Buffer.alloc(4), 3, 2)).toThrow(RangeError);
    expect(() => js.crc32c(Buffer.alloc(4), -1, 2)).toThrow(RangeError);
  });
});

/** Caller bugs (bad ranges, seeds, caps, codec names) raise the same error class everywhere. */
const CALLER_BUGS: [string, (accel: import('../../../src/accel/index.js').Accel) => unknown][] = [
  ['crc32c end beyond the buffer', (accel) => accel.crc32c(Buffer.alloc(4), 0, 5)],
  ['crc32c start after end', (accel) => accel.crc32c(Buffer.alloc(4), 3, 2)],
  ['crc32c fractional start', (accel) => accel.crc32c(Buffer.alloc(4), 0.5, 4)],
  ['crc32c negative seed', (accel) => accel.crc32c(Buffer.alloc(4), 0, 4, -1)],
  ['crc32c seed of 2^32', (accel) => accel.crc32c(Buffer.alloc(4), 0, 4, 2 ** 32)],
  ['encodeVarints fraction', (accel) => accel.encodeVarints([0.5])],
  ['encodeVarints 2^53', (accel) => accel.encodeVarints([2 ** 53])],
  ['decodeVarints negative count', (accel) => accel.decodeVarints(Buffer.alloc(4), 0, -1)],
  ['decodeVarints offset beyond the buffer', (accel) => accel.decodeVarints(Buffer.alloc(4), 5, 0)],
  ['decompress with a negative cap', (accel) => accel.decompress('lz4', Buffer.alloc(8), -1)],
  ['compress with an unknown codec', (accel) => accel.compress('brotli' as never, Buffer.from('x'))],
  ['decompress with an unknown codec', (accel) => accel.decompress('none' as never, Buffer.from('x'))],
];

function errorName(fn: () => unknown): string {
  try {
    fn();
    return 'no error';
  } catch (err) {
    return (err as Error).name;
  }
}

describe.each(accels.map((accel) => [accel.implementation, accel] as const))('caller bugs [%s]', (_name, accel) => {
  it.each(CALLER_BUGS)('%s raises what js raises', (_label, call) => {
    const expected = errorName(() => call(referenceAccel()));
    expect(expected).not.toBe('no error');
    expect(errorName(() => call(accel))).toBe(expected);
  });
});
