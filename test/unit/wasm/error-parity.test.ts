// Mutated lz4 and snappy inputs give the same outcome from WASM as from the JS reference: the
// same output, or a CompressionError of the same kind (never a trap or another error).
import { describe, expect, it } from 'vitest';
import { CompressionError } from '../../../src/accel/types.js';
import { jsAccel, newWasmAccel, randomBytes, runWasmSuite, textBytes } from './helpers.js';

function outcome(run: () => Buffer): string {
  try {
    return `ok ${run().toString('base64')}`;
  } catch (err) {
    return err instanceof CompressionError ? err.kind : `not a CompressionError: ${String(err)}`;
  }
}

describe.runIf(runWasmSuite)('wasm decompression errors match the JS reference', () => {
  for (const codec of ['lz4', 'snappy'] as const) {
    it(`${codec}: 1 to 3 mutated bytes, 2000 inputs`, () => {
      const wasm = newWasmAccel();
      const frame = jsAccel.compress(codec, Buffer.concat([textBytes(20_000, 71), randomBytes(3000, 72)]));
      const noise = randomBytes(2000 * 8, 73);
      for (let i = 0; i < 2000; i++) {
        const mutated = Buffer.from(frame);
        const changes = 1 + (noise[i * 8]! % 3);
        for (let k = 0; k < changes; k++) {
          const at = ((noise[i * 8 + 1 + 2 * k]! << 8) | noise[i * 8 + 2 + 2 * k]!) * (k + 1);
          mutated[at % mutated.length] = noise[i * 8 + 7 - k]!;
        }
        const expected = outcome(() => jsAccel.decompress(codec, mutated, 1 << 20));
        expect(outcome(() => wasm.decompress(codec, mutated, 1 << 20))).toBe(expected);
      }
    });
  }
});
