// The WASM module must be built where CI runs; elsewhere its absence skips the WASM suites.
import { describe, expect, it } from 'vitest';
import { loadWasmAccel } from '../../../src/accel/wasm.js';
import { mustHaveWasm, runWasmSuite, wasmBuilt } from './helpers.js';

describe('wasm module build', () => {
  it.runIf(mustHaveWasm)('is present under CI=true', () => {
    expect(wasmBuilt).toBe(true);
  });

  it.runIf(runWasmSuite)('loads as the wasm implementation and delegates file I/O', () => {
    const accel = loadWasmAccel();
    expect(accel.implementation).toBe('wasm');
    expect(typeof accel.file.open).toBe('function');
  });

  it.runIf(runWasmSuite)('refuses zstd with CompressionError unsupported', async () => {
    const accel = loadWasmAccel();
    expect(() => accel.compress('zstd', Buffer.from('x'))).toThrow(expect.objectContaining({ name: 'CompressionError', kind: 'unsupported' }));
    await expect(accel.decompressAsync('zstd', Buffer.from('x'))).rejects.toMatchObject({ kind: 'unsupported' });
  });

  it.runIf(runWasmSuite)('round-trips gzip through node:zlib and caps its output', async () => {
    const accel = loadWasmAccel();
    const input = Buffer.alloc(100_000, 0x61);
    const compressed = accel.compress('gzip', input);
    expect(accel.decompress('gzip', compressed).equals(input)).toBe(true);
    expect((await accel.decompressAsync('gzip', await accel.compressAsync('gzip', input))).equals(input)).toBe(true);
    expect(() => accel.decompress('gzip', compressed, 1000)).toThrow(expect.objectContaining({ kind: 'too-large' }));
  });
});
