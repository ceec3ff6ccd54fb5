// WASM LZ4 frames: frames written by Debian's lz4 CLI (every block size, linked blocks, block
// and content checksums, content size), our frames read back by the CLI, the old Kafka header
// checksum (KAFKA-3160), and corrupt, truncated and bomb inputs mapped to CompressionError.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompressionError } from '../../../src/accel/types.js';
import type { WasmAccel } from '../../../src/accel/wasm.js';
import { xxh32 } from '../../../src/accel/js/index.js';
import { jsAccel, newWasmAccel, randomBytes, runWasmSuite, textBytes } from './helpers.js';

const lz4Cli = (() => {
  try {
    execFileSync('lz4', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Mixed input: compressible text, a zero run, incompressible bytes; spans several blocks. */
function sampleInput(): Buffer {
  return Buffer.concat([textBytes(400_000, 21), Buffer.alloc(150_000), randomBytes(90_000, 22), textBytes(70_000, 23)]);
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

/** Rewrites the header checksum byte of a frame (FLG at 4, no content size / dict id). */
function withHeaderChecksum(frame: Buffer, checksum: number): Buffer {
  const copy = Buffer.from(frame);
  copy[6] = checksum;
  return copy;
}

describe.runIf(runWasmSuite)('wasm lz4 frames', () => {
  let wasm: WasmAccel;
  let dir: string;
  const input = sampleInput();

  beforeAll(() => {
    wasm = newWasmAccel();
    dir = mkdtempSync(join(tmpdir(), 'rill-wasm-lz4-'));
    writeFileSync(join(dir, 'input'), input);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // The CLI writes a content checksum unless --no-frame-crc; -BX adds block checksums.
  const cliOptions: readonly (readonly string[])[] = [
    [],
    ['--no-frame-crc'],
    ['-B4'],
    ['-B5'],
    ['-B6'],
    ['-B7'],
    ['-BD'],
    ['-BD', '-B4'],
    ['-BX'],
    ['-BX', '-BD', '-B5', '--content-size'],
    ['--content-size'],
    ['-9'],
    ['--fast=8'],
  ];
  for (const options of cliOptions) {
    it.runIf(lz4Cli)(`decodes lz4 -c ${options.join(' ')}`, () => {
      const frame = execFileSync('lz4', ['-c', '-q', ...options, join(dir, 'input')], {
        maxBuffer: 64 << 20,
      });
      expect(wasm.decompress('lz4', frame).equals(input)).toBe(true);
    });
  }

  it.runIf(lz4Cli)('decodes linked blocks and block checksums (the flags the CLI set are checked)', () => {
    const linked = execFileSync('lz4', ['-c', '-q', '-B4', '-BD', '-BX', join(dir, 'input')], { maxBuffer: 64 << 20 });
    expect(linked[4]! & 0x20).toBe(0); // B.Indep clear: matches reach into the previous block
    expect(linked[4]! & 0x10).toBe(0x10); // B.Checksum
    expect(linked[4]! & 0x04).toBe(0x04); // C.Checksum
    expect(wasm.decompress('lz4', linked).equals(input)).toBe(true);
  });

  it.runIf(lz4Cli)('writes frames the lz4 CLI decodes, for empty, tiny and multi-block inputs', () => {
    for (const data of [Buffer.alloc(0), Buffer.from('x'), Buffer.from('abcdabcdabcdabcdabcd'), input]) {
      const frame = wasm.compress('lz4', data);
      const path = join(dir, 'ours.lz4');
      writeFileSync(path, frame);
      const decoded = execFileSync('lz4', ['-d', '-c', '-q', path], { maxBuffer: 64 << 20 });
      expect(decoded.equals(data)).toBe(true);
    }
  });

  it.runIf(lz4Cli)('rejects the legacy lz4 format (-l) as corrupt', () => {
    const legacy = execFileSync('lz4', ['-c', '-q', '-l', join(dir, 'input')], { maxBuffer: 64 << 20 });
    expectCompressionError(() => wasm.decompress('lz4', legacy), ['corrupt']);
  });

  it('round-trips with the JS reference in both directions', () => {
    for (const data of [Buffer.alloc(0), Buffer.from('a'), randomBytes(13, 1), textBytes(65_536, 2), textBytes(65_537, 3), input]) {
      expect(jsAccel.decompress('lz4', wasm.compress('lz4', data)).equals(data)).toBe(true);
      expect(wasm.decompress('lz4', jsAccel.compress('lz4', data)).equals(data)).toBe(true);
    }
  });

  it('accepts the header checksum old Kafka clients computed over the magic too (KAFKA-3160)', () => {
    const frame = wasm.compress('lz4', textBytes(1000, 4));
    const oldKafka = (xxh32(frame, 0, 6, 0) >>> 8) & 0xff;
    const standard = (xxh32(frame, 4, 6, 0) >>> 8) & 0xff;
    expect(frame[6]).toBe(standard);
    expect(oldKafka).not.toBe(standard);
    expect(wasm.decompress('lz4', withHeaderChecksum(frame, oldKafka)).equals(textBytes(1000, 4))).toBe(true);
    const wrong = [...Array(256).keys()].find((c) => c !== oldKafka && c !== standard)!;
    expectCompressionError(() => wasm.decompress('lz4', withHeaderChecksum(frame, wrong)), ['corrupt']);
  });

  it.runIf(lz4Cli)('verifies block and content checksums', () => {
    const small = textBytes(5000, 5);
    const path = join(dir, 'small');
    writeFileSync(path, small);
    const withContent = execFileSync('lz4', ['-c', '-q', path]);
    const withBlock = execFileSync('lz4', ['-c', '-q', '-BX', '--no-frame-crc', path]);
    const contentFlipped = Buffer.from(withContent);
    contentFlipped[contentFlipped.length - 1]! ^= 0x01;
    expectCompressionError(() => wasm.decompress('lz4', contentFlipped), ['corrupt']);
    const blockFlipped = Buffer.from(withBlock);
    blockFlipped[blockFlipped.length - 5]! ^= 0x01; // last byte of the block checksum
    expectCompressionError(() => wasm.decompress('lz4', blockFlipped), ['corrupt']);
    const dataFlipped = Buffer.from(withBlock);
    dataFlipped[20]! ^= 0x40; // inside the block data: the block checksum no longer matches
    expectCompressionError(() => wasm.decompress('lz4', dataFlipped), ['corrupt']);
  });

  it('reports every truncation of a frame as CompressionError', () => {
    const frame = wasm.compress('lz4', Buffer.concat([textBytes(3000, 6), randomBytes(200, 7)]));
    for (let length = 0; length < frame.length; length++) {
      expectCompressionError(() => wasm.decompress('lz4', frame.subarray(0, length)), ['truncated', 'corrupt']);
    }
    expectCompressionError(() => wasm.decompress('lz4', frame.subarray(0, frame.length - 2)), ['truncated']);
  });

  it('never escapes anything but CompressionError on mutated frames', () => {
    const original = textBytes(20_000, 8);
    const frame = wasm.compress('lz4', original);
    const noise = randomBytes(3000 * 3, 9);
    for (let i = 0; i < 3000; i++) {
      const mutated = Buffer.from(frame);
      const at = 7 + ((noise[3 * i]! << 8) | noise[3 * i + 1]!) % (frame.length - 7);
      mutated[at] = noise[3 * i + 2]!;
      try {
        const out = wasm.decompress('lz4', mutated, 1 << 20);
        expect(out.length).toBeLessThanOrEqual(1 << 20);
      } catch (err) {
        expect(err).toBeInstanceOf(CompressionError);
      }
    }
  });

  it('stops a decompression bomb at maxOutputBytes with too-large', () => {
    const bomb = wasm.compress('lz4', Buffer.alloc(8 << 20));
    expect(bomb.length).toBeLessThan(64 << 10);
    expectCompressionError(() => wasm.decompress('lz4', bomb, 1 << 20), ['too-large']);
    expect(wasm.decompress('lz4', bomb, 8 << 20).length).toBe(8 << 20);
  });

  it('refuses a declared content size above the cap before decoding', () => {
    // FLG: version 01, independent blocks, content size; BD 64 KiB; content size 2^40.
    const header = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x68, 0x40, 0, 0, 0, 0, 0, 1, 0, 0]);
    const checksum = (xxh32(header, 4, 14, 0) >>> 8) & 0xff;
    const frame = Buffer.concat([header, Buffer.from([checksum, 0, 0, 0, 0])]);
    expectCompressionError(() => wasm.decompress('lz4', frame), ['too-large']);
  });

  it('rejects bad magic, version bits, reserved bits, dictionaries and oversize blocks', () => {
    const frame = wasm.compress('lz4', textBytes(100, 10));
    const set = (at: number, value: number): Buffer => {
      const copy = Buffer.from(frame);
      copy[at] = value;
      copy[6] = (xxh32(copy, 4, 6, 0) >>> 8) & 0xff;
      return copy;
    };
    expectCompressionError(() => wasm.decompress('lz4', set(0, 0x05)), ['corrupt']);
    expectCompressionError(() => wasm.decompress('lz4', set(4, 0xa0)), ['corrupt']);
    expectCompressionError(() => wasm.decompress('lz4', set(4, 0x62)), ['corrupt']);
    expectCompressionError(() => wasm.decompress('lz4', set(5, 0x30)), ['corrupt']);
    // A stored block of 64 KiB + 1 in a frame whose blocks are at most 64 KiB.
    const blockHeader = Buffer.alloc(4);
    blockHeader.writeUInt32LE((0x80000000 | 0x10001) >>> 0);
    const oversize = Buffer.concat([frame.subarray(0, 7), blockHeader, Buffer.alloc(0x10001), Buffer.alloc(4)]);
    expectCompressionError(() => wasm.decompress('lz4', oversize), ['corrupt']);
    const dict = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x61, 0x40, 1, 2, 3, 4]);
    const withDict = Buffer.concat([dict, Buffer.from([(xxh32(dict, 4, 10, 0) >>> 8) & 0xff, 0, 0, 0, 0])]);
    expectCompressionError(() => wasm.decompress('lz4', withDict), ['unsupported']);
  });

  it('skips skippable frames and reads concatenated frames', () => {
    const a = textBytes(1000, 11);
    const b = randomBytes(500, 12);
    const skippable = Buffer.from([0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9]);
    const joined = Buffer.concat([wasm.compress('lz4', a), skippable, wasm.compress('lz4', b)]);
    expect(wasm.decompress('lz4', joined).equals(Buffer.concat([a, b]))).toBe(true);
  });
});
