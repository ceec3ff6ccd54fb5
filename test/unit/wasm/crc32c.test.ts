// WASM crc32c: known vectors, seed chaining, alignment, and chunked processing of inputs
// larger than the arena chunk (limits.wasmCrcChunkBytes).
import { beforeAll, describe, expect, it } from 'vitest';
import { limits } from '../../../src/config/limits.js';
import type { WasmAccel } from '../../../src/accel/wasm.js';
import { jsAccel, newWasmAccel, randomBytes, runWasmSuite } from './helpers.js';

describe.runIf(runWasmSuite)('wasm crc32c', () => {
  let wasm: WasmAccel;
  beforeAll(() => {
    wasm = newWasmAccel();
  });

  it('matches the published CRC32C check values', () => {
    expect(wasm.crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(wasm.crc32c(Buffer.alloc(0))).toBe(0);
    // RFC 3720 (iSCSI) appendix B.4 vectors.
    expect(wasm.crc32c(Buffer.alloc(32, 0))).toBe(0x8a9136aa);
    expect(wasm.crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(wasm.crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i)))).toBe(0x46dd794e);
    expect(wasm.crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)))).toBe(0x113fdb5c);
  });

  it('chains through the seed: crc(a + b) == crc(b, seed = crc(a))', () => {
    const data = randomBytes(10_000, 11);
    const whole = wasm.crc32c(data);
    for (const cut of [0, 1, 7, 16, 4095, 9999, 10_000]) {
      const first = wasm.crc32c(data, 0, cut);
      expect(wasm.crc32c(data, cut, data.length, first)).toBe(whole);
    }
  });

  it('agrees with the JS reference at every alignment and short length', () => {
    const data = randomBytes(300, 12);
    for (let start = 0; start < 20; start++) {
      for (let end = start; end <= start + 70; end += 3) {
        expect(wasm.crc32c(data, start, end, 0x1234)).toBe(jsAccel.crc32c(data, start, end, 0x1234));
      }
    }
  });

  it('processes inputs larger than the arena chunk in chunks, without growing past one chunk', () => {
    const data = randomBytes(3 * limits.wasmCrcChunkBytes + 13, 13);
    const before = wasm.arenaBytes();
    const expected = jsAccel.crc32c(data, 5, data.length - 3);
    expect(wasm.crc32c(data, 5, data.length - 3)).toBe(expected);
    const grown = wasm.arenaBytes() - before;
    expect(grown).toBeLessThanOrEqual(limits.wasmCrcChunkBytes + 65536);
    expect(wasm.crc32c(data, 5, data.length - 3)).toBe(expected);
    expect(wasm.arenaBytes() - before).toBe(grown);
  });

  it('rejects ranges outside the buffer and bad seeds with RangeError', () => {
    const data = Buffer.alloc(10);
    expect(() => wasm.crc32c(data, 0, 11)).toThrow(RangeError);
    expect(() => wasm.crc32c(data, 5, 4)).toThrow(RangeError);
    expect(() => wasm.crc32c(data, -1, 4)).toThrow(RangeError);
    expect(() => wasm.crc32c(data, 0, 4, -1)).toThrow(RangeError);
    expect(() => wasm.crc32c(data, 0, 4, 2 ** 32)).toThrow(RangeError);
  });
});
