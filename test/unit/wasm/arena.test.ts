// The WASM arena grows to the high-water mark its calls need and is then reused: repeated
// calls of the same size (or smaller) never grow linear memory again.
import { beforeAll, describe, expect, it } from 'vitest';
import { limits } from '../../../src/config/limits.js';
import type { WasmAccel } from '../../../src/accel/wasm.js';
import { newWasmAccel, randomBytes, runWasmSuite, textBytes } from './helpers.js';

describe.runIf(runWasmSuite)('wasm arena', () => {
  let wasm: WasmAccel;
  beforeAll(() => {
    wasm = newWasmAccel();
  });

  /** Runs op once to reach its high-water mark, then 20 more times; returns the growth after the first. */
  function growthAfterWarmup(op: () => unknown): number {
    op();
    const warm = wasm.arenaBytes();
    for (let i = 0; i < 20; i++) op();
    return wasm.arenaBytes() - warm;
  }

  it('does not grow on repeated same-size calls of every operation', () => {
    const text = textBytes(300_000, 51);
    const lz4 = wasm.compress('lz4', text);
    const snappy = wasm.compress('snappy', text);
    const records = Array.from({ length: 1000 }, (_, i) => ({ key: randomBytes(16, i), value: text.subarray(i * 100, i * 100 + 200) }));
    const body = wasm.encodeRecords(records);
    const values = Array.from({ length: 5000 }, (_, i) => i * 7919 - 1_000_000);
    const varints = wasm.encodeVarints(values);
    const operations: Record<string, () => unknown> = {
      crc32c: () => wasm.crc32c(text),
      lz4Compress: () => wasm.compress('lz4', text),
      lz4Decompress: () => wasm.decompress('lz4', lz4),
      snappyCompress: () => wasm.compress('snappy', text),
      snappyDecompress: () => wasm.decompress('snappy', snappy),
      encodeRecords: () => wasm.encodeRecords(records),
      decodeRecords: () => wasm.decodeRecords(body, 0, body.length, records.length),
      scanRecords: () => wasm.scanRecords(body, 0, body.length, records.length),
      encodeVarints: () => wasm.encodeVarints(values),
      decodeVarints: () => wasm.decodeVarints(varints, 0, values.length),
    };
    for (const [name, op] of Object.entries(operations)) {
      expect({ name, growth: growthAfterWarmup(op) }).toEqual({ name, growth: 0 });
    }
  });

  it('scans a body larger than the arena cap with the reference instead of failing', () => {
    const records = Array.from({ length: 300 }, (_, i) => ({ key: i % 7 === 0 ? null : randomBytes(8, i), value: randomBytes(200, i + 1), timestampDelta: i - 150 }));
    const body = wasm.encodeRecords(records);
    const capped = newWasmAccel();
    const mutableLimits = limits as { wasmArenaBytesMax: number };
    const arenaBytesMax = mutableLimits.wasmArenaBytesMax;
    mutableLimits.wasmArenaBytesMax = 4096;
    try {
      expect({ ...capped.scanRecords(body, 0, body.length, records.length) }).toEqual({ timestampDeltaMin: -150, timestampDeltaMax: 149, nullKeyCount: 43, offsetDeltaMismatchIndex: -1 });
    } finally {
      mutableLimits.wasmArenaBytesMax = arenaBytesMax;
    }
  });

  it('keeps its high-water mark: smaller calls after a large one do not grow memory', () => {
    const large = textBytes(2_000_000, 52);
    wasm.decompress('lz4', wasm.compress('lz4', large));
    const highWater = wasm.arenaBytes();
    for (let size = 1000; size < 1_000_000; size *= 3) {
      const data = textBytes(size, size);
      expect(wasm.decompress('snappy', wasm.compress('snappy', data)).equals(data)).toBe(true);
      expect(wasm.decompress('lz4', wasm.compress('lz4', data)).equals(data)).toBe(true);
    }
    expect(wasm.arenaBytes()).toBe(highWater);
  });

  it('sizes LZ4 output by what the frame decodes to, not by the cap', () => {
    const fresh = newWasmAccel();
    const before = fresh.arenaBytes();
    const data = randomBytes(100_000, 53);
    expect(fresh.decompress('lz4', fresh.compress('lz4', data), 256 << 20).equals(data)).toBe(true);
    expect(fresh.arenaBytes() - before).toBeLessThan(4 << 20);
  });
});
