// Mutated lz4 and snappy inputs give the same outcome from WASM as from the JS reference: the
// same output, or a CompressionError of the same kind (never a trap or another error).
import { describe, expect, it } from 'vitest';
import { CompressionError } from '../../../src/accel/types.js';
import { xxh32 } from '../../../src/accel/js/index.js';
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

  it('lz4: frames around random block bodies (random tokens, offsets and lengths), 3000 inputs', () => {
    const wasm = newWasmAccel();
    const noise = randomBytes(3000 * 4, 74);
    for (let i = 0; i < 3000; i++) {
      const flg = noise[4 * i]! & 1 ? 0x60 : 0x40; // independent or linked blocks
      const header = Buffer.from([0x04, 0x22, 0x4d, 0x18, flg, 0x40, 0]);
      header[6] = (xxh32(header, 4, 6, 0) >>> 8) & 0xff;
      const blocks: Buffer[] = [header];
      const blockCount = 1 + (noise[4 * i + 1]! % 3);
      for (let b = 0; b < blockCount; b++) {
        const body = randomBytes(1 + ((noise[4 * i + 2]! * (b + 1)) % 200), i * 7 + b);
        const size = Buffer.alloc(4);
        size.writeUInt32LE(body.length);
        blocks.push(size, body);
      }
      blocks.push(Buffer.alloc(4));
      const frame = Buffer.concat(blocks);
      const expected = outcome(() => jsAccel.decompress('lz4', frame, 1 << 20));
      expect(outcome(() => wasm.decompress('lz4', frame, 1 << 20))).toBe(expected);
    }
  });

  it('snappy: random element streams after a declared length, 3000 inputs', () => {
    const wasm = newWasmAccel();
    const noise = randomBytes(3000 * 2, 75);
    for (let i = 0; i < 3000; i++) {
      const declared = (noise[2 * i]! << 2) | (noise[2 * i + 1]! & 3);
      const length = Buffer.from(declared < 128 ? [declared] : [(declared & 0x7f) | 0x80, declared >>> 7]);
      const block = Buffer.concat([length, randomBytes(1 + (noise[2 * i + 1]! % 100), 1000 + i)]);
      const expected = outcome(() => jsAccel.decompress('snappy', block, 1 << 20));
      expect(outcome(() => wasm.decompress('snappy', block, 1 << 20))).toBe(expected);
    }
  });
});
