// Compression parity: round trips and the cross-decoding matrix (what any implementation
// compresses, every implementation that supports the codec decompresses), exact output caps,
// xerial snappy, KAFKA-3160 LZ4 header checksums, async variants, js zstd 'unsupported'.
import { describe, expect, it } from 'vitest';
import { CompressionError, type Accel, type Codec } from '../../../src/accel/index.js';
import { xxh32 } from '../../../src/accel/js/index.js';
import { codecInputs } from './codec-inputs.js';
import {
  ALL_CODECS,
  codecPairs,
  IN_CI,
  loadedAccels,
  referenceAccel,
  rejected,
  SeededRandom,
  supportsCodec,
  thrown,
  unalignedView,
} from './implementations.js';

const accels = loadedAccels();
const SEED = 20_261_125;
const inputs = codecInputs(SEED, true);

function consumersOf(codec: Codec): Accel[] {
  return accels.filter((accel) => supportsCodec(accel, codec));
}

describe.each(codecPairs().map(([accel, codec]) => [`${accel.implementation} ${codec}`, accel, codec] as const))(
  'compress %s',
  (_name, producer, codec) => {
    it('is decompressed by every implementation, from unaligned views', () => {
      const random = new SeededRandom(SEED);
      for (const input of inputs) {
        const compressed = producer.compress(codec, unalignedView(input.data, random));
        expect(Buffer.isBuffer(compressed), input.name).toBe(true);
        for (const consumer of consumersOf(codec)) {
          const context = `${input.name} -> ${consumer.implementation}`;
          const output = consumer.decompress(codec, unalignedView(compressed, random));
          expect(output.length, context).toBe(input.data.length);
          expect(output.equals(input.data), context).toBe(true);
        }
      }
    });

    it('decompresses output of exactly maxOutputBytes, and fails one byte below', () => {
      const data = inputs.find((input) => input.name === 'log lines 200003 B')!.data;
      const compressed = producer.compress(codec, data);
      for (const consumer of consumersOf(codec)) {
        expect(consumer.decompress(codec, compressed, data.length).equals(data), consumer.implementation).toBe(true);
        const err = thrown(() => consumer.decompress(codec, compressed, data.length - 1), CompressionError, consumer.implementation);
        expect([err.codec, err.kind]).toEqual([codec, 'too-large']);
      }
      for (const consumer of consumersOf(codec)) {
        const huge = consumer.decompress(codec, compressed, Number.MAX_SAFE_INTEGER);
        expect(huge.equals(data), `${consumer.implementation} with a cap of 2^53 - 1`).toBe(true);
      }
      const empty = producer.compress(codec, Buffer.alloc(0));
      for (const consumer of consumersOf(codec)) expect(consumer.decompress(codec, empty, 0).length).toBe(0);
    });

    it('round-trips through the async functions, below and above the thread-pool threshold', async () => {
      for (const name of ['log lines 1000 B', 'log lines 200003 B', 'random 65537 B']) {
        const data = inputs.find((input) => input.name === name)!.data;
        const compressed = await producer.compressAsync(codec, data);
        for (const consumer of consumersOf(codec)) {
          const output = await consumer.decompressAsync(codec, compressed);
          expect(output.equals(data), `${name} -> ${consumer.implementation}`).toBe(true);
        }
      }
    });
  },
);

describe('codec support', () => {
  it('js reports zstd as unsupported, synchronously and asynchronously', async () => {
    const js = referenceAccel();
    const err = thrown(() => js.compress('zstd', Buffer.from('x')), CompressionError, 'compress');
    expect([err.codec, err.kind]).toEqual(['zstd', 'unsupported']);
    const err2 = thrown(() => js.decompress('zstd', Buffer.from([0x28, 0xb5, 0x2f, 0xfd])), CompressionError, 'decompress');
    expect(err2.kind).toBe('unsupported');
    expect((await rejected(js.decompressAsync('zstd', Buffer.alloc(8)), CompressionError, 'async')).kind).toBe('unsupported');
  });

  it('native supports every codec', () => {
    const native = accels.find((accel) => accel.implementation === 'native');
    if (!native) {
      expect(IN_CI, 'native must load under CI').toBe(false);
      return;
    }
    for (const codec of ALL_CODECS) expect(supportsCodec(native, codec), codec).toBe(true);
  });
});

/** Java's xerial framing: magic, version 1, compatible version 1, then [int32 BE length][raw block]. */
function xerialFrame(accel: Accel, data: Buffer, chunkBytes: number): Buffer {
  const parts: Buffer[] = [Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1])];
  for (let start = 0; start < data.length; start += chunkBytes) {
    const block = accel.compress('snappy', data.subarray(start, start + chunkBytes));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(block.length);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

describe.each(consumersOf('snappy').map((accel) => [accel.implementation, accel] as const))('snappy [%s]', (_name, accel) => {
  it('reads the xerial framing written by the Java client', () => {
    const data = inputs.find((input) => input.name === 'log lines 200003 B')!.data;
    for (const producer of consumersOf('snappy')) {
      const framed = xerialFrame(producer, data, 32 * 1024);
      expect(accel.decompress('snappy', framed).equals(data), producer.implementation).toBe(true);
    }
    expect(accel.decompress('snappy', xerialFrame(accel, Buffer.alloc(0), 1)).length).toBe(0);
    const capped = thrown(() => accel.decompress('snappy', xerialFrame(accel, data, 32 * 1024), 100_000), CompressionError, 'cap');
    expect(capped.kind).toBe('too-large');
  });

  it('reads a hand-built block with every element type (literal, copy-1, copy-2, copy-4)', () => {
    // "abcd" literal, copy-1 (len 4, off 4), copy-2 (len 8, off 8), copy-4 (len 2, off 1)
    const block = Buffer.from([18, 3 << 2, 0x61, 0x62, 0x63, 0x64, 0x01, 0x04, (7 << 2) | 2, 8, 0, (1 << 2) | 3, 1, 0, 0, 0]);
    expect(accel.decompress('snappy', block).toString()).toBe('abcdabcdabcdabcddd');
  });
});

function withHeaderChecksum(frame: Buffer, checksum: number): Buffer {
  const patched = Buffer.from(frame);
  patched[6] = checksum;
  return patched;
}

describe.each(consumersOf('lz4').map((accel) => [accel.implementation, accel] as const))('lz4 frames [%s]', (_name, accel) => {
  it('accepts the old Kafka header checksum over magic + descriptor (KAFKA-3160), rejects others', () => {
    const data = Buffer.from('old kafka clients checksummed the magic too. '.repeat(50));
    for (const producer of consumersOf('lz4')) {
      const frame = producer.compress('lz4', data);
      // The frames under test have no content size, so the descriptor is bytes 4..5.
      expect(frame[4]! & 0x08, 'no content size in compress output').toBe(0);
      const kafkaChecksum = (xxh32(frame, 0, 6) >>> 8) & 0xff;
      const correctChecksum = (xxh32(frame, 4, 6) >>> 8) & 0xff;
      expect(frame[6], `${producer.implementation} writes the correct checksum`).toBe(correctChecksum);
      expect(accel.decompress('lz4', withHeaderChecksum(frame, kafkaChecksum)).equals(data)).toBe(true);
      const wrong = [0, 1, 2].map((delta) => (correctChecksum + 1 + delta) & 0xff).find((c) => c !== kafkaChecksum)!;
      const err = thrown(() => accel.decompress('lz4', withHeaderChecksum(frame, wrong)), CompressionError, 'bad checksum');
      expect(err.kind).toBe('corrupt');
    }
  });
});
