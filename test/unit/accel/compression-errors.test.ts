// Bad compressed input, for every codec x implementation: corrupt, truncated and bomb inputs
// give CompressionError of the right codec and kind, never another exception, never a hang,
// never an allocation of what a bomb declares.
import { describe, expect, it } from 'vitest';
import { CompressionError, type Accel, type Codec } from '../../../src/accel/index.js';
import { xxh32 } from '../../../src/accel/js/index.js';
import { logCorpus } from '../../../bench/lib/corpus.js';
import { ALL_CODECS, loadedAccels, rejected, SeededRandom, supportsCodec, thrown } from './implementations.js';

const accels = loadedAccels();
const SEED = 777;
const MiB = 1_048_576;

interface Pair {
  producer: Accel;
  consumer: Accel;
  codec: Codec;
}

/** Every (producer, consumer) pair that both support the codec. */
function pairs(): [string, Pair][] {
  const out: [string, Pair][] = [];
  for (const codec of ALL_CODECS) {
    for (const producer of accels.filter((accel) => supportsCodec(accel, codec))) {
      for (const consumer of accels.filter((accel) => supportsCodec(accel, codec))) {
        out.push([`${codec} ${producer.implementation} -> ${consumer.implementation}`, { producer, consumer, codec }]);
      }
    }
  }
  return out;
}

function expectCompressionError(fn: () => unknown, codec: Codec, kinds: string[], context: string): CompressionError {
  const err = thrown(fn, CompressionError, context);
  expect(err.codec, context).toBe(codec);
  expect(kinds, `${context}: kind ${err.kind} (${err.message})`).toContain(err.kind);
  return err;
}

/** Calls decompress and accepts a Buffer or a CompressionError of the codec, nothing else. */
function decompressTolerant(accel: Accel, codec: Codec, input: Buffer, maxOutputBytes: number, context: string): void {
  try {
    expect(Buffer.isBuffer(accel.decompress(codec, input, maxOutputBytes)), context).toBe(true);
  } catch (err) {
    if (!(err instanceof CompressionError)) throw new Error(`${context}: threw ${(err as Error).name}: ${(err as Error).message}`);
    expect(err.codec, context).toBe(codec);
    expect(err.kind, context).not.toBe('unsupported');
  }
}

const bombs = new Map<string, Buffer>();

/** 8 MiB of zeros compressed by producer, made once per producer and codec. */
function zeroBomb(producer: Accel, codec: Codec): Buffer {
  const key = `${producer.implementation} ${codec}`;
  let bomb = bombs.get(key);
  if (bomb === undefined) {
    bomb = producer.compress(codec, Buffer.alloc(8 * MiB));
    bombs.set(key, bomb);
  }
  return bomb;
}

describe.each(pairs())('bad input: %s', (_name, { producer, consumer, codec }) => {
  const data = logCorpus(5000, SEED);
  const compressed = producer.compress(codec, data);

  it('rejects every truncation of a valid stream', () => {
    const step = Math.max(1, Math.floor(compressed.length / 60));
    for (let length = 0; length < compressed.length; length += length < 24 || length > compressed.length - 24 ? 1 : step) {
      expectCompressionError(() => consumer.decompress(codec, compressed.subarray(0, length)), codec, ['truncated', 'corrupt'], `prefix ${length}/${compressed.length}`);
    }
  });

  it('survives random byte mutations (output or CompressionError, nothing else)', () => {
    const random = new SeededRandom(SEED + compressed.length);
    for (let round = 0; round < 100; round++) {
      const mutated = Buffer.from(compressed);
      const flips = 1 + random.below(4);
      for (let k = 0; k < flips; k++) mutated[random.below(mutated.length)] ^= 1 + random.below(255);
      decompressTolerant(consumer, codec, mutated, 64 * 1024, `round ${round}`);
    }
  });

  it('fails a real bomb (8 MiB of zeros) with too-large under a 1 MiB cap', async () => {
    const bomb = zeroBomb(producer, codec);
    expect(bomb.length).toBeLessThan(MiB / 2); // snappy expands at most ~21x; the others far more
    expectCompressionError(() => consumer.decompress(codec, bomb, MiB), codec, ['too-large'], 'sync');
    const err = await rejected(consumer.decompressAsync(codec, bomb, MiB), CompressionError, 'async');
    expect(err.kind).toBe('too-large');
  });
});

/** Garbage that no codec accepts: wrong magic for framed codecs. */
const BAD_MAGIC: Record<Codec, Buffer> = {
  gzip: Buffer.from('this is not a gzip stream at all'),
  snappy: Buffer.from([0x05, (2 << 2) | 2, 0x10, 0x00]), // copy-2 at position 0: offset outside the output
  lz4: Buffer.from('this is not an lz4 frame at all!'),
  zstd: Buffer.from('this is not a zstd frame at all!'),
};

function lz4FrameDeclaring(contentBytes: number): Buffer {
  const frame = Buffer.alloc(4 + 2 + 8 + 1 + 4 + 5 + 4);
  frame.writeUInt32LE(0x184d2204, 0);
  frame[4] = 0x40 | 0x20 | 0x08; // version 01, independent blocks, content size present
  frame[5] = 0x70; // 4 MiB blocks
  frame.writeUInt32LE(contentBytes % 2 ** 32, 6);
  frame.writeUInt32LE(Math.floor(contentBytes / 2 ** 32), 10);
  frame[14] = (xxh32(frame, 4, 14) >>> 8) & 0xff;
  frame.writeUInt32LE(0x80000005, 15); // one stored block of 5 bytes
  frame.write('hello', 19);
  frame.writeUInt32LE(0, 24);
  return frame;
}

function zstdFrameDeclaring(contentBytes: number): Buffer {
  const frame = Buffer.alloc(4 + 1 + 8 + 3 + 1);
  frame.writeUInt32LE(0xfd2fb528, 0);
  frame[4] = 0xe0; // 8-byte content size, single segment, no checksum, no dictionary
  frame.writeUInt32LE(contentBytes % 2 ** 32, 5);
  frame.writeUInt32LE(Math.floor(contentBytes / 2 ** 32), 9);
  const blockHeader = (128 * 1024 * 8) | (1 << 1) | 1; // last block, RLE, 128 KiB
  frame.writeUIntLE(blockHeader, 13, 3);
  frame[16] = 0x41;
  return frame;
}

/** Inputs that declare far more output than the default cap (256 MiB). */
const DECLARED_BOMBS: Partial<Record<Codec, Buffer[]>> = {
  snappy: [
    Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]), // 4 GiB - 1
    Buffer.from([0x80, 0x80, 0x80, 0x90, 0x01, 0x00]), // 288 MiB
    Buffer.concat([
      Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]),
      Buffer.from([0, 0, 0, 6, 0x80, 0x80, 0x80, 0x50, 0x00, 0x00]), // 160 MiB
      Buffer.from([0, 0, 0, 6, 0x80, 0x80, 0x80, 0x50, 0x00, 0x00]), // 160 MiB more
    ]),
  ],
  lz4: [lz4FrameDeclaring(2 ** 40), lz4FrameDeclaring(300 * MiB)],
  zstd: [zstdFrameDeclaring(2 ** 40), zstdFrameDeclaring(300 * MiB)],
};

const singleAccels = ALL_CODECS.flatMap((codec) =>
  accels.filter((accel) => supportsCodec(accel, codec)).map((accel) => [`${codec} ${accel.implementation}`, accel, codec] as const),
);

describe.each(singleAccels)('bad input: %s', (_name, accel, codec) => {
  it('rejects empty input and garbage', () => {
    expectCompressionError(() => accel.decompress(codec, Buffer.alloc(0)), codec, ['truncated', 'corrupt'], 'empty');
    expectCompressionError(() => accel.decompress(codec, BAD_MAGIC[codec]), codec, ['corrupt'], 'bad magic');
    const random = new SeededRandom(SEED);
    for (let round = 0; round < 100; round++) {
      const garbage = random.bytes(1 + random.below(round < 50 ? 16 : 5000));
      decompressTolerant(accel, codec, garbage, 1024 * 1024, `garbage round ${round}`);
    }
  });

  it('fails inputs declaring more than the cap with too-large, before allocating', () => {
    for (const [index, bomb] of (DECLARED_BOMBS[codec] ?? []).entries()) {
      expectCompressionError(() => accel.decompress(codec, bomb), codec, ['too-large'], `declared bomb ${index}`);
    }
  });
});

describe('declared bombs are well formed', () => {
  it('the lz4 bomb header decodes when the declared size is honest', () => {
    const js = accels.find((accel) => accel.implementation === 'js')!;
    expect(js.decompress('lz4', lz4FrameDeclaring(5)).toString()).toBe('hello');
  });
});
