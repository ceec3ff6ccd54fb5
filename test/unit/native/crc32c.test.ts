// Native CRC32C: known vectors, seed chaining, the three-lane SSE4.2 path against a plain table
// CRC written here, lane-boundary sizes, the portable path, and range checks.
import { describe, expect, it } from 'vitest';
import { addon, nativeMissing, randomBytes } from './native-addon.js';

const MiB = 1_048_576;

/** Byte-at-a-time table CRC32C, independent of the code under test. */
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
    table[byte] = crc >>> 0;
  }
  return table;
})();

function tableCrc32c(buf: Buffer, seed = 0): number {
  let crc = ~seed >>> 0;
  for (let i = 0; i < buf.length; i++) crc = TABLE[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** Sizes around the lane boundaries (3 x 256 and 3 x 4096 bytes) and the 8-byte word size. */
const BOUNDARY_SIZES = [0, 1, 7, 8, 9, 767, 768, 769, 775, 776, 1024, 1536, 12_287, 12_288, 12_289, 13_056, 24_576 + 767, 65_536];

describe.skipIf(nativeMissing)('native crc32c', () => {
  const crc = (buf: Buffer, start = 0, end = buf.length, seed = 0) => addon().crc32c(buf, start, end, seed);

  it('matches the known vectors', () => {
    expect(crc(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc(Buffer.alloc(0))).toBe(0);
    expect(addon().crc32cPortable(Buffer.from('123456789'), 0, 9, 0)).toBe(0xe3069283);
    expect(addon().crc32cPortable(Buffer.alloc(0), 0, 0, 0)).toBe(0);
  });

  it('chains through the seed: crc(a + b) == crc(b, seed = crc(a))', () => {
    const data = randomBytes(50_000, 11);
    const whole = crc(data);
    for (const split of [0, 1, 8, 767, 768, 12_288, 30_001, 50_000]) {
      const first = crc(data, 0, split);
      expect(crc(data, split, data.length, first), `split ${split}`).toBe(whole);
      expect(addon().crc32cPortable(data, split, data.length, first), `portable split ${split}`).toBe(whole);
    }
  });

  it('the three-lane path on a 4 MiB random buffer equals a plain table CRC', () => {
    const data = randomBytes(4 * MiB, 4242);
    const expected = tableCrc32c(data);
    expect(crc(data)).toBe(expected);
    expect(addon().crc32cPortable(data, 0, data.length, 0)).toBe(expected);
  });

  it('agrees with the table CRC at lane-boundary sizes and unaligned starts', () => {
    const data = randomBytes(70_000, 99);
    for (const size of BOUNDARY_SIZES) {
      for (const start of [0, 1, 3, 7]) {
        const slice = data.subarray(start, start + size);
        const expected = tableCrc32c(slice, 0x1234_5678);
        expect(crc(data, start, start + size, 0x1234_5678), `size ${size} start ${start}`).toBe(expected);
        expect(crc(slice, 0, size, 0x1234_5678), `view size ${size} start ${start}`).toBe(expected);
        expect(addon().crc32cPortable(data, start, start + size, 0x1234_5678), `portable size ${size}`).toBe(expected);
      }
    }
  });

  it('reads only [start, end) of a Buffer view', () => {
    const backing = Buffer.from('xx123456789yy');
    expect(crc(backing.subarray(2, 11))).toBe(0xe3069283);
    expect(crc(backing, 2, 11)).toBe(0xe3069283);
    expect(crc(backing, 5, 5)).toBe(0);
  });

  it('rejects bad ranges and seeds with RangeError', () => {
    const buf = Buffer.alloc(4);
    expect(() => crc(buf, 0, 5)).toThrow(RangeError);
    expect(() => crc(buf, 3, 2)).toThrow(RangeError);
    expect(() => crc(buf, -1, 2)).toThrow(RangeError);
    expect(() => crc(buf, 0.5, 2)).toThrow(RangeError);
    expect(() => crc(buf, 0, 4, -1)).toThrow(RangeError);
    expect(() => crc(buf, 0, 4, 2 ** 32)).toThrow(RangeError);
  });

  it('takes defaults when start, end and seed are left out', () => {
    const data = randomBytes(1000, 5);
    expect(addon().crc32c(data, undefined as unknown as number, undefined as unknown as number, undefined as unknown as number)).toBe(tableCrc32c(data));
  });
});
