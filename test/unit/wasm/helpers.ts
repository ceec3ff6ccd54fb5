// Shared by the WASM tests: load the module, or skip when wasm/build is missing, except under
// CI=true, where a missing build must fail.
import { existsSync } from 'node:fs';
import { createJsAccel } from '../../../src/accel/js/index.js';
import { WasmAccel, wasmModulePath } from '../../../src/accel/wasm.js';

export const wasmBuilt = existsSync(wasmModulePath());
export const mustHaveWasm = process.env.CI === 'true';
/** Run the suite if the module is built, or if CI requires it (then a missing build fails). */
export const runWasmSuite = wasmBuilt || mustHaveWasm;

export function newWasmAccel(): WasmAccel {
  return new WasmAccel();
}

export const jsAccel = createJsAccel();

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
export function randomBytes(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

/** Compressible text-like bytes: words from a small vocabulary, chosen pseudo-randomly. */
export function textBytes(length: number, seed: number): Buffer {
  const words = ['kafka', 'broker', 'record', 'batch', 'offset', 'partition', 'topic', 'leader', '{"id":', '},\n'];
  const picks = randomBytes(length, seed);
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < length; i++) {
    const word = words[picks[i % length]! % words.length]!;
    parts.push(word, ' ');
    size += word.length + 1;
  }
  return Buffer.from(parts.join('').slice(0, length));
}
