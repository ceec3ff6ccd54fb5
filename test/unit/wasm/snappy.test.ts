// WASM snappy: raw blocks checked against libsnappy (through a tiny C helper compiled with
// gcc when the machine has gcc and libsnappy-dev), the xerial framing, and corrupt, truncated
// and bomb inputs mapped to CompressionError.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompressionError } from '../../../src/accel/types.js';
import type { WasmAccel } from '../../../src/accel/wasm.js';
import { jsAccel, newWasmAccel, randomBytes, runWasmSuite, textBytes } from './helpers.js';

const HELPER_SOURCE = `
#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
  size_t cap = 1 << 20, len = 0, n;
  char *in = malloc(cap);
  while ((n = fread(in + len, 1, cap - len, stdin)) > 0) {
    len += n;
    if (len == cap) in = realloc(in, cap *= 2);
  }
  size_t outLen;
  char *out;
  if (argc > 1 && strcmp(argv[1], "d") == 0) {
    if (snappy_uncompressed_length(in, len, &outLen) != SNAPPY_OK) return 2;
    out = malloc(outLen + 1);
    if (snappy_uncompress(in, len, out, &outLen) != SNAPPY_OK) return 3;
  } else {
    outLen = snappy_max_compressed_length(len);
    out = malloc(outLen);
    if (snappy_compress(in, len, out, &outLen) != SNAPPY_OK) return 4;
  }
  fwrite(out, 1, outLen, stdout);
  return 0;
}
`;

const XERIAL_HEADER = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);

/** Frames raw snappy blocks the way the xerial SnappyOutputStream does. */
function xerial(blocks: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [XERIAL_HEADER];
  for (const block of blocks) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(block.length);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

function expectCompressionError(run: () => unknown, kinds: readonly string[]): void {
  let thrown: unknown;
  try {
    run();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(CompressionError);
  expect(kinds).toContain((thrown as CompressionError).kind);
}

describe.runIf(runWasmSuite)('wasm snappy', () => {
  let wasm: WasmAccel;
  let dir: string;
  let helper: string | undefined;
  const input = Buffer.concat([textBytes(300_000, 31), Buffer.alloc(70_000, 7), randomBytes(50_000, 32)]);

  beforeAll(() => {
    wasm = newWasmAccel();
    dir = mkdtempSync(join(tmpdir(), 'rill-wasm-snappy-'));
    try {
      writeFileSync(join(dir, 'helper.c'), HELPER_SOURCE);
      execFileSync('gcc', ['-O1', '-o', join(dir, 'helper'), join(dir, 'helper.c'), '-lsnappy'], { stdio: 'ignore' });
      helper = join(dir, 'helper');
    } catch {
      helper = undefined;
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const libsnappy = (mode: 'c' | 'd', data: Buffer): Buffer =>
    execFileSync(helper!, [mode], { input: data, maxBuffer: 64 << 20 });

  it('decodes blocks libsnappy wrote and writes blocks libsnappy decodes', (context) => {
    if (helper === undefined) return context.skip();
    for (const data of [Buffer.alloc(0), Buffer.from('x'), textBytes(100, 33), input]) {
      expect(wasm.decompress('snappy', libsnappy('c', data)).equals(data)).toBe(true);
      expect(libsnappy('d', wasm.compress('snappy', data)).equals(data)).toBe(true);
    }
  });

  it('round-trips with the JS reference in both directions', () => {
    for (const data of [Buffer.alloc(0), Buffer.from('a'), randomBytes(17, 1), textBytes(65_536, 2), textBytes(65_537, 3), input]) {
      expect(jsAccel.decompress('snappy', wasm.compress('snappy', data)).equals(data)).toBe(true);
      expect(wasm.decompress('snappy', jsAccel.compress('snappy', data)).equals(data)).toBe(true);
    }
  });

  it('reads the xerial framing, including an empty stream', () => {
    const chunks = [input.subarray(0, 32_768), input.subarray(32_768, 200_000), input.subarray(200_000)];
    const framed = xerial(chunks.map((chunk) => wasm.compress('snappy', chunk)));
    expect(wasm.decompress('snappy', framed).equals(input)).toBe(true);
    expect(wasm.decompress('snappy', XERIAL_HEADER).length).toBe(0);
  });

  it('reports truncated xerial streams and blocks as CompressionError', () => {
    const first = wasm.compress('snappy', textBytes(2000, 34));
    const framed = xerial([first, wasm.compress('snappy', randomBytes(300, 35))]);
    // A cut right after the header or after a whole block leaves a valid, shorter stream.
    const validCuts = new Set([16, 16 + 4 + first.length]);
    for (let length = 8; length < framed.length; length++) {
      if (validCuts.has(length)) continue;
      expectCompressionError(() => wasm.decompress('snappy', framed.subarray(0, length)), ['truncated', 'corrupt']);
    }
  });

  it('reports every truncation of a raw block as CompressionError', () => {
    const block = wasm.compress('snappy', Buffer.concat([textBytes(3000, 36), randomBytes(100, 37)]));
    for (let length = 0; length < block.length; length++) {
      expectCompressionError(() => wasm.decompress('snappy', block.subarray(0, length)), ['truncated', 'corrupt']);
    }
  });

  it('rejects copies before the output start, zero offsets and overruns as corrupt', () => {
    // length 8; literal "ab"; copy-1 of 4 bytes at offset 3 (only 2 bytes written so far).
    expectCompressionError(() => wasm.decompress('snappy', Buffer.from([8, 0x04, 0x61, 0x62, 0x01, 0x03])), ['corrupt']);
    // copy-2 with offset 0.
    expectCompressionError(() => wasm.decompress('snappy', Buffer.from([8, 0x04, 0x61, 0x62, 0x0e, 0, 0])), ['corrupt']);
    // literal of 3 bytes into a declared length of 2.
    expectCompressionError(() => wasm.decompress('snappy', Buffer.from([2, 0x08, 0x61, 0x62, 0x63])), ['corrupt']);
    // a length varint longer than 5 bytes.
    expectCompressionError(() => wasm.decompress('snappy', Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])), ['corrupt']);
  });

  it('stops a declared length above the cap before allocating (too-large)', () => {
    // declares 0xffffffff bytes: above the default cap and above the arena bound.
    const bomb = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]);
    const before = wasm.arenaBytes();
    expectCompressionError(() => wasm.decompress('snappy', bomb), ['too-large']);
    expectCompressionError(() => wasm.decompress('snappy', bomb, 2 ** 40), ['too-large']);
    expect(wasm.arenaBytes() - before).toBeLessThan(1 << 20);
    const zeros = wasm.compress('snappy', Buffer.alloc(1 << 20));
    expectCompressionError(() => wasm.decompress('snappy', zeros, (1 << 20) - 1), ['too-large']);
    expectCompressionError(() => wasm.decompress('snappy', xerial([zeros, zeros]), 1 << 20), ['too-large']);
  });

  it('never escapes anything but CompressionError on mutated blocks', () => {
    const block = wasm.compress('snappy', textBytes(20_000, 38));
    const noise = randomBytes(3000 * 3, 39);
    for (let i = 0; i < 3000; i++) {
      const mutated = Buffer.from(block);
      mutated[((noise[3 * i]! << 8) | noise[3 * i + 1]!) % block.length] = noise[3 * i + 2]!;
      try {
        wasm.decompress('snappy', mutated, 1 << 20);
      } catch (err) {
        expect(err).toBeInstanceOf(CompressionError);
      }
    }
  });
});
