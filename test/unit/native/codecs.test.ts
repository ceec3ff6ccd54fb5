// Native zstd / lz4 / snappy: frames made by Debian's `lz4` and `zstd` tools, the KAFKA-3160
// LZ4 header checksum, xerial snappy, the exact output cap, corrupt / truncated / bomb inputs,
// and the async forms on the thread pool.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CompressionError, type Codec } from '../../../src/accel/types.js';
import { accel, addon, IN_CI, nativeMissing, randomBytes, textBytes } from './native-addon.js';

const MiB = 1_048_576;
const NATIVE_CODECS: readonly Codec[] = ['snappy', 'lz4', 'zstd'];
const CODEC_ID: Record<string, number> = { snappy: 2, lz4: 3, zstd: 4 };

function toolAvailable(tool: string): boolean {
  return spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
}
const haveTools = toolAvailable('lz4') && toolAvailable('zstd');

function expectCompressionError(fn: () => unknown, codec: Codec, kind: string, context: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, context).toBeInstanceOf(CompressionError);
  const err = caught as CompressionError;
  expect(err.codec, context).toBe(codec);
  expect(err.kind, `${context}: ${err.message}`).toBe(kind);
}

async function expectRejection(promise: Promise<unknown>, codec: Codec, kind: string): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CompressionError);
  expect((err as CompressionError).codec).toBe(codec);
  expect((err as CompressionError).kind).toBe(kind);
}

/** The xerial framing the Java client writes, around raw snappy blocks of the given chunks. */
function xerial(chunks: Buffer[]): Buffer {
  const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
  const parts = [header];
  for (const chunk of chunks) {
    const block = addon().compress(2, chunk);
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

/** xxHash32, written here from the algorithm, for the KAFKA-3160 header checksum. */
function xxh32(input: Buffer, seed = 0): number {
  const P1 = 2654435761, P2 = 2246822519, P3 = 3266489917, P4 = 668265263, P5 = 374761393;
  const mul = (a: number, b: number) => Math.imul(a, b) >>> 0;
  const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
  const round = (acc: number, lane: number) => mul(rotl((acc + mul(lane, P2)) >>> 0, 13), P1);
  let i = 0;
  let h: number;
  if (input.length >= 16) {
    const v = [(seed + P1 + P2) >>> 0, (seed + P2) >>> 0, seed >>> 0, (seed - P1) >>> 0];
    for (; i + 16 <= input.length; i += 16) for (let k = 0; k < 4; k++) v[k] = round(v[k]!, input.readUInt32LE(i + 4 * k));
    h = (rotl(v[0]!, 1) + rotl(v[1]!, 7) + rotl(v[2]!, 12) + rotl(v[3]!, 18)) >>> 0;
  } else {
    h = (seed + P5) >>> 0;
  }
  h = (h + input.length) >>> 0;
  for (; i + 4 <= input.length; i += 4) h = mul(rotl((h + mul(input.readUInt32LE(i), P3)) >>> 0, 17), P4);
  for (; i < input.length; i++) h = mul(rotl((h + mul(input[i]!, P5)) >>> 0, 11), P1);
  h = mul(h ^ (h >>> 15), P2);
  h = mul(h ^ (h >>> 13), P3);
  return (h ^ (h >>> 16)) >>> 0;
}

describe.skipIf(nativeMissing)('native codecs', () => {
  const data = textBytes(300_000, 7);

  it.each(NATIVE_CODECS)('%s round-trips text, random and empty input, sync and async', async (codec) => {
    for (const input of [data, randomBytes(100_000, 3), Buffer.alloc(0), Buffer.from('x')]) {
      const compressed = accel().compress(codec, input);
      expect(accel().decompress(codec, compressed).equals(input)).toBe(true);
      const compressedAsync = await accel().compressAsync(codec, input);
      expect((await accel().decompressAsync(codec, compressedAsync)).equals(input)).toBe(true);
    }
  });

  it.each(NATIVE_CODECS)('%s honours the cap exactly: size passes, size - 1 is too-large', async (codec) => {
    const compressed = accel().compress(codec, data);
    expect(accel().decompress(codec, compressed, data.length).equals(data)).toBe(true);
    expectCompressionError(() => accel().decompress(codec, compressed, data.length - 1), codec, 'too-large', 'cap - 1');
    expectCompressionError(() => accel().decompress(codec, compressed, 0), codec, 'too-large', 'cap 0');
    await expectRejection(accel().decompressAsync(codec, compressed, data.length - 1), codec, 'too-large');
  });

  it('stages small outputs for the caller to allocate, hands larger ones back as Buffers', () => {
    const a = addon();
    const small = data.subarray(0, 3000);
    for (const codecId of [2, 3, 4]) {
      const compressed = a.compress(codecId, small);
      const stagedLength = a.decompressStaged(codecId, compressed, small.length);
      expect(stagedLength).toBe(small.length);
      expect(() => a.takeStaged(Buffer.alloc(small.length - 1))).toThrow(RangeError);
      const target = Buffer.alloc(small.length);
      a.takeStaged(target);
      expect(target.equals(small)).toBe(true);
      expect(() => a.takeStaged(Buffer.alloc(small.length))).toThrow(RangeError); // taken once
      const large = a.decompressStaged(codecId, a.compress(codecId, data), data.length);
      expect(Buffer.isBuffer(large) && large.equals(data), `codec ${codecId} large`).toBe(true);
      const stagedCompressed = a.compressStaged(codecId, small);
      expect(typeof stagedCompressed).toBe('number');
      const compressedAgain = Buffer.alloc(stagedCompressed as number);
      a.takeStaged(compressedAgain);
      expect(a.decompress(codecId, compressedAgain, small.length).equals(small)).toBe(true);
      a.decompressStaged(codecId, compressed, small.length);
      expect(() => a.decompressStaged(codecId, compressed.subarray(0, 5), small.length)).toThrow(/./);
      a.takeStaged(Buffer.alloc(0)); // a failed call leaves nothing staged
    }
  });

  it('zstd and lz4 accept a compression level', () => {
    for (const [codecId, level] of [[4, 1], [4, 19], [4, -5], [3, 9]] as const) {
      const compressed = addon().compress(codecId, data, level);
      expect(addon().decompress(codecId, compressed, data.length).equals(data), `codec ${codecId} level ${level}`).toBe(true);
    }
    expect(addon().compress(4, data, 19).length).toBeLessThan(addon().compress(4, data, 1).length);
  });

  it('writes LZ4 frames the way Kafka does: independent 64 KiB blocks, no content size', () => {
    const frame = accel().compress('lz4', data);
    expect(frame.readUInt32LE(0)).toBe(0x184d2204);
    const flags = frame[4]!;
    expect(flags >> 6).toBe(1); // version 01
    expect(flags & 0x20).toBe(0x20); // block independence
    expect(flags & 0x08).toBe(0); // no content size
    expect(frame[5]).toBe(0x40); // 64 KiB blocks
    expect(frame[6]).toBe((xxh32(frame.subarray(4, 6)) >>> 8) & 0xff);
  });

  it('reads LZ4 frames whose header checksum covers the magic too (KAFKA-3160), without touching the input', () => {
    const frame = accel().compress('lz4', data);
    const broken = Buffer.from(frame);
    broken[6] = (xxh32(broken.subarray(0, 6)) >>> 8) & 0xff;
    expect(broken[6]).not.toBe(frame[6]);
    const before = Buffer.from(broken);
    expect(accel().decompress('lz4', broken).equals(data)).toBe(true);
    expect(broken.equals(before)).toBe(true);
    const wrong = Buffer.from(frame);
    wrong[6] = [...Array(256).keys()].find((value) => value !== frame[6] && value !== broken[6])!;
    expectCompressionError(() => accel().decompress('lz4', wrong), 'lz4', 'corrupt', 'neither checksum');
  });

  it('reads xerial-framed snappy (the Java client) and checks its bounds', async () => {
    const chunks = [data.subarray(0, 32_768), data.subarray(32_768, 65_536), data.subarray(65_536, 70_000)];
    const framed = xerial(chunks);
    const whole = Buffer.concat(chunks);
    expect(accel().decompress('snappy', framed).equals(whole)).toBe(true);
    expect((await accel().decompressAsync('snappy', framed)).equals(whole)).toBe(true);
    expect(accel().decompress('snappy', xerial([])).length).toBe(0);
    expectCompressionError(() => accel().decompress('snappy', framed.subarray(0, framed.length - 1)), 'snappy', 'truncated', 'cut block');
    expectCompressionError(() => accel().decompress('snappy', framed.subarray(0, 18)), 'snappy', 'truncated', 'cut length');
    expectCompressionError(() => accel().decompress('snappy', framed.subarray(0, 12)), 'snappy', 'truncated', 'cut header');
    expectCompressionError(() => accel().decompress('snappy', framed, whole.length - 1), 'snappy', 'too-large', 'cap');
    const negative = Buffer.from(framed);
    negative.writeInt32BE(-5, 16);
    expectCompressionError(() => accel().decompress('snappy', negative), 'snappy', 'corrupt', 'negative length');
  });

  it.each(NATIVE_CODECS)('%s: every prefix of a stream is truncated or corrupt, never a crash', (codec) => {
    const compressed = accel().compress(codec, data.subarray(0, 20_000));
    const step = Math.max(1, Math.floor(compressed.length / 200));
    for (let length = 0; length < compressed.length; length += length < 32 ? 1 : step) {
      let caught: unknown;
      try {
        accel().decompress(codec, compressed.subarray(0, length));
      } catch (err) {
        caught = err;
      }
      expect(caught, `prefix ${length}`).toBeInstanceOf(CompressionError);
      expect(['truncated', 'corrupt'], `prefix ${length}`).toContain((caught as CompressionError).kind);
    }
    if (codec !== 'snappy') {
      expectCompressionError(() => accel().decompress(codec, compressed.subarray(0, compressed.length - 1)), codec, 'truncated', 'last byte cut');
    }
  });

  it.each(NATIVE_CODECS)('%s: bit flips give output or CompressionError, nothing else', (codec) => {
    const compressed = accel().compress(codec, data.subarray(0, 20_000));
    const noise = randomBytes(4000, 17);
    for (let round = 0; round < 400; round++) {
      const mutated = Buffer.from(compressed);
      mutated[noise.readUInt16LE(round * 2 % 3998) % mutated.length] ^= 1 << (round % 8);
      try {
        expect(Buffer.isBuffer(addon().decompress(CODEC_ID[codec]!, mutated, 64 * 1024))).toBe(true);
      } catch (err) {
        expect((err as { code?: string }).code, `round ${round}: ${(err as Error).message}`).toMatch(/^RILL_COMPRESSION_/);
      }
    }
  });

  it.each(NATIVE_CODECS)('%s: a bomb (64 MiB of zeros) is too-large under a 1 MiB cap, sync and async', async (codec) => {
    const bomb = accel().compress(codec, Buffer.alloc(64 * MiB));
    expect(bomb.length).toBeLessThan(4 * MiB);
    expectCompressionError(() => accel().decompress(codec, bomb, MiB), codec, 'too-large', 'sync');
    await expectRejection(accel().decompressAsync(codec, bomb, MiB), codec, 'too-large');
  });

  it('runs many async calls at once on the thread pool, each with its own result', async () => {
    const inputs = Array.from({ length: 12 }, (_, i) => textBytes(70_000 + i * 1000, 100 + i));
    const jobs = inputs.flatMap((input, i) => {
      const codec = NATIVE_CODECS[i % NATIVE_CODECS.length]!;
      return [accel().compressAsync(codec, input).then((compressed) => accel().decompressAsync(codec, compressed, input.length)).then((back) => back.equals(input))];
    });
    expect(await Promise.all(jobs)).toEqual(inputs.map(() => true));
  });

  it('rejects garbage with the codec magic wrong', () => {
    expectCompressionError(() => accel().decompress('lz4', Buffer.from('not an lz4 frame')), 'lz4', 'corrupt', 'lz4');
    expectCompressionError(() => accel().decompress('zstd', Buffer.from('not a zstd frame')), 'zstd', 'corrupt', 'zstd');
    expectCompressionError(() => accel().decompress('snappy', Buffer.from([0x05, 0x0a, 0x10, 0x00])), 'snappy', 'corrupt', 'snappy');
    expectCompressionError(() => accel().decompress('snappy', Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00])), 'snappy', 'too-large', 'snappy 4 GiB');
    expectCompressionError(() => accel().decompress('snappy', Buffer.from([0x80, 0x80])), 'snappy', 'truncated', 'snappy preamble');
  });
});

describe.skipIf(nativeMissing || (!haveTools && !IN_CI))('native codecs read the lz4 and zstd command-line tools', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rill-native-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const data = textBytes(400_000, 21);
  const source = join(dir, 'corpus.txt');
  writeFileSync(source, data);

  function tool(command: string, args: string[], input?: Buffer): Buffer {
    const run = spawnSync(command, args, { input, maxBuffer: 64 * MiB });
    expect(run.status, `${command} ${args.join(' ')}: ${run.stderr?.toString()}`).toBe(0);
    return run.stdout;
  }

  const lz4Cases: [string, string[]][] = [
    ['default', []],
    ['content size', ['--content-size']],
    ['linked blocks', ['-BD']],
    ['block checksums, 4 MiB blocks', ['-BX', '-B7']],
    ['no frame checksum', ['--no-frame-crc']],
    ['level 9 (HC)', ['-9']],
  ];
  it.each(lz4Cases)('lz4 %s', (_name, flags) => {
    const frame = tool('lz4', ['-c', ...flags, source]);
    expect(accel().decompress('lz4', frame).equals(data)).toBe(true);
    expectCompressionError(() => accel().decompress('lz4', frame, data.length - 1), 'lz4', 'too-large', 'cap');
  });

  it('lz4 from a pipe, and two frames back to back', () => {
    const piped = tool('lz4', ['-c'], data);
    expect(accel().decompress('lz4', piped).equals(data)).toBe(true);
    const twice = Buffer.concat([piped, tool('lz4', ['-c', '--content-size', source])]);
    expect(accel().decompress('lz4', twice).equals(Buffer.concat([data, data]))).toBe(true);
  });

  const zstdCases: [string, string[]][] = [
    ['default (content size, checksum)', []],
    ['no checksum', ['--no-check']],
    ['level 19', ['-19']],
    ['no content size', ['--no-content-size']],
  ];
  it.each(zstdCases)('zstd %s', (_name, flags) => {
    const frame = tool('zstd', ['-q', '-c', ...flags, source]);
    expect(accel().decompress('zstd', frame).equals(data)).toBe(true);
    expectCompressionError(() => accel().decompress('zstd', frame, data.length - 1), 'zstd', 'too-large', 'cap');
  });

  it('zstd from a pipe (no content size), two frames back to back, and a streamed bomb', async () => {
    const piped = tool('zstd', ['-q', '-c'], data);
    expect(accel().decompress('zstd', piped).equals(data)).toBe(true);
    const twice = Buffer.concat([tool('zstd', ['-q', '-c', source]), piped]);
    expect(accel().decompress('zstd', twice).equals(Buffer.concat([data, data]))).toBe(true);
    const bomb = tool('zstd', ['-q', '-c'], Buffer.alloc(32 * MiB));
    expectCompressionError(() => accel().decompress('zstd', bomb, MiB), 'zstd', 'too-large', 'streamed bomb');
    await expectRejection(accel().decompressAsync('zstd', bomb, MiB), 'zstd', 'too-large');
    expect(accel().decompress('zstd', bomb, 32 * MiB).length).toBe(32 * MiB);
  });

  it('zstd frames whose window exceeds what the cap allows are too-large, not allocated', () => {
    const long = tool('zstd', ['-q', '-c', '--long=27', '--no-content-size'], data);
    expectCompressionError(() => accel().decompress('zstd', long, MiB), 'zstd', 'too-large', 'window 128 MiB, cap 1 MiB');
    expectCompressionError(() => accel().decompress('zstd', long, 64 * MiB), 'zstd', 'too-large', 'window 128 MiB, cap 64 MiB');
    expect(accel().decompress('zstd', long).equals(data)).toBe(true);
    const normal = tool('zstd', ['-q', '-c', '--no-content-size'], data);
    expect(accel().decompress('zstd', normal, data.length).equals(data)).toBe(true);
  });

  it('what native compresses, the tools decompress', () => {
    const lz4Frame = join(dir, 'native.lz4');
    writeFileSync(lz4Frame, accel().compress('lz4', data));
    expect(tool('lz4', ['-d', '-c', lz4Frame]).equals(data)).toBe(true);
    const zstdFrame = join(dir, 'native.zst');
    writeFileSync(zstdFrame, accel().compress('zstd', data));
    expect(tool('zstd', ['-q', '-d', '-c', zstdFrame]).equals(data)).toBe(true);
    expect(readFileSync(source).equals(data)).toBe(true);
  });
});
