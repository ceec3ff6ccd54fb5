import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { RecordBatchView, validateBatch } from '../../../src/protocol/records/batch.js';
import { crc32, crc32Table } from '../../../src/protocol/records/crc32.js';
import { RecordFormatError } from '../../../src/protocol/records/errors.js';
import { convertLegacyToV2, downConvertToLegacy, parseLegacyMessageSet } from '../../../src/protocol/records/legacy.js';
import { buildBatch, buildControlBatch, readBatchRecords } from '../../../src/protocol/records/records.js';
import { availableAccels } from './accels.js';
import { fuzzRounds, handBuildMessage, seededRandom, slowCrc32, xerialSnappyLiterals, type HandMessage } from './helpers.js';

const hot = availableAccels()[0]!;
const text = (s: string) => Buffer.from(s);

function set(messages: HandMessage[]): Buffer {
  return Buffer.concat(messages.map(handBuildMessage));
}

const threeV0: HandMessage[] = [
  { offset: 100n, magic: 0, key: text('a'), value: text('alpha') },
  { offset: 101n, magic: 0, key: null, value: text('beta') },
  { offset: 102n, magic: 0, key: text('c'), value: null },
];

const threeV1Relative: HandMessage[] = [0, 1, 2].map((i) => ({ offset: BigInt(i), magic: 1, timestampMs: 1_500_000_000_000n + BigInt(i), key: text(`k${i}`), value: text(`v${i}`.repeat(30)) }));

function wrapper(magic: 0 | 1, codecId: number, offset: bigint, compressed: Buffer, attributes = 0, timestampMs = 1_500_000_009_999n): Buffer {
  return handBuildMessage({ offset, magic, attributes: codecId | attributes, timestampMs, key: null, value: compressed });
}

describe('parseLegacyMessageSet', () => {
  it('parses a plain v0 set', () => {
    const messages = parseLegacyMessageSet(set(threeV0), 0, undefined, { strict: true });
    expect(messages.map((m) => [m.offset, m.magic, m.key, m.value, m.timestampMs, m.timestampType, m.wrapperCodec])).toEqual([
      [100, 0, text('a'), text('alpha'), -1, 'NoTimestamp', 'none'],
      [101, 0, null, text('beta'), -1, 'NoTimestamp', 'none'],
      [102, 0, text('c'), null, -1, 'NoTimestamp', 'none'],
    ]);
  });

  it('parses a plain v1 set with timestamps and the LogAppendTime bit', () => {
    const buf = set([{ ...threeV1Relative[0]!, attributes: 0x08 }, threeV1Relative[1]!]);
    const messages = parseLegacyMessageSet(buf);
    expect(messages.map((m) => [m.timestampMs, m.timestampType])).toEqual([
      [1_500_000_000_000, 'LogAppendTime'],
      [1_500_000_000_001, 'CreateTime'],
    ]);
  });

  it('expands a gzip v0 wrapper keeping absolute inner offsets', () => {
    const buf = wrapper(0, 1, 102n, gzipSync(set(threeV0)));
    const messages = parseLegacyMessageSet(buf, 0, buf.length, { strict: true, hot });
    expect(messages.map((m) => [m.offset, m.value, m.wrapperCodec])).toEqual([
      [100, text('alpha'), 'gzip'],
      [101, text('beta'), 'gzip'],
      [102, null, 'gzip'],
    ]);
  });

  it('expands a xerial snappy v1 wrapper, resolving relative offsets against the wrapper', () => {
    const buf = wrapper(1, 2, 52n, xerialSnappyLiterals(set(threeV1Relative)));
    const messages = parseLegacyMessageSet(buf, 0, buf.length, { strict: true, hot });
    expect(messages.map((m) => [m.offset, m.key, m.timestampMs, m.wrapperCodec])).toEqual([
      [50, text('k0'), 1_500_000_000_000, 'snappy'],
      [51, text('k1'), 1_500_000_000_001, 'snappy'],
      [52, text('k2'), 1_500_000_000_002, 'snappy'],
    ]);
  });

  it('gives inner messages the wrapper timestamp when the v1 wrapper is LogAppendTime', () => {
    const buf = wrapper(1, 3, 7n, hot.compress('lz4', set(threeV1Relative)), 0x08, 1_777n);
    const messages = parseLegacyMessageSet(buf, 0, buf.length, { hot });
    expect(messages.map((m) => [m.offset, m.timestampMs, m.timestampType, m.wrapperCodec])).toEqual([
      [5, 1_777, 'LogAppendTime', 'lz4'],
      [6, 1_777, 'LogAppendTime', 'lz4'],
      [7, 1_777, 'LogAppendTime', 'lz4'],
    ]);
  });

  it('catches a corrupted byte anywhere in the CRC-covered part of a message', () => {
    const original = set(threeV0.slice(0, 1));
    for (let pos = 12; pos < original.length; pos++) {
      const buf = Buffer.from(original);
      buf[pos]! ^= 0x04;
      expect(() => parseLegacyMessageSet(buf), `flip at ${pos}`).toThrow(expect.objectContaining({ errorName: 'CORRUPT_MESSAGE' }));
    }
  });

  it('catches a bad CRC inside a compressed wrapper', () => {
    const inner = set(threeV0);
    inner[16 + 3]! ^= 0xff; // first message's crc
    const buf = wrapper(0, 1, 102n, gzipSync(inner));
    expect(() => parseLegacyMessageSet(buf, 0, buf.length, { hot })).toThrow(expect.objectContaining({ errorName: 'CORRUPT_MESSAGE' }));
  });

  it('skips a partial trailing message unless strict', () => {
    const buf = set(threeV0);
    const lastStart = buf.length - handBuildMessage(threeV0[2]!).length;
    for (let cut = lastStart + 1; cut < buf.length; cut++) {
      expect(parseLegacyMessageSet(buf, 0, cut)).toHaveLength(2);
      expect(() => parseLegacyMessageSet(buf, 0, cut, { strict: true })).toThrow(expect.objectContaining({ errorName: 'CORRUPT_MESSAGE' }));
    }
  });

  it('refuses structures Kafka refuses', () => {
    const nested = wrapper(0, 1, 0n, gzipSync(wrapper(0, 1, 0n, gzipSync(set(threeV0)))));
    expect(() => parseLegacyMessageSet(nested, 0, nested.length, { hot })).toThrow(expect.objectContaining({ errorName: 'INVALID_RECORD' }));
    const mixedInner = wrapper(1, 1, 2n, gzipSync(set(threeV0)));
    expect(() => parseLegacyMessageSet(mixedInner, 0, mixedInner.length, { hot })).toThrow(expect.objectContaining({ errorName: 'INVALID_RECORD' }));
    const notCompressed = wrapper(0, 1, 0n, text('not gzip at all'));
    expect(() => parseLegacyMessageSet(notCompressed, 0, notCompressed.length, { hot })).toThrow(expect.objectContaining({ errorName: 'CORRUPT_MESSAGE' }));
    const v2 = buildBatch({ records: [{ key: null, value: text('x') }] }, hot);
    expect(() => parseLegacyMessageSet(v2)).toThrow(expect.objectContaining({ errorName: 'INVALID_RECORD' }));
  });

  it('throws only RecordFormatError on mutated and random input', () => {
    const random = seededRandom(17);
    const original = Buffer.concat([set(threeV0), wrapper(0, 1, 200n, gzipSync(set(threeV0)))]);
    for (let round = 0; round < fuzzRounds(400); round++) {
      const buf = Buffer.from(original);
      for (let flips = 0; flips < 3; flips++) buf[Math.floor(random() * buf.length)] = Math.floor(random() * 256);
      try {
        parseLegacyMessageSet(buf, 0, buf.length, { hot, strict: round % 2 === 0 });
      } catch (err) {
        expect(err).toBeInstanceOf(RecordFormatError);
      }
    }
  });
});

describe('convertLegacyToV2', () => {
  it('turns a compressed v1 set into one valid v2 batch', () => {
    const buf = Buffer.concat([wrapper(1, 1, 2n, gzipSync(set(threeV1Relative))), set([{ ...threeV1Relative[0]!, offset: 0n }])]);
    const conversion = convertLegacyToV2(buf, 0, buf.length, { compression: 'lz4', hot });
    expect([conversion.magic, conversion.recordCount, conversion.sourceCompression]).toEqual([1, 4, 'gzip']);
    expect(validateBatch(conversion.batch, 0, conversion.batch.length, hot)).toBeNull();
    const view = new RecordBatchView(conversion.batch);
    expect([view.compression, view.baseOffset, view.lastOffsetDelta, view.maxTimestamp]).toEqual(['lz4', 0, 3, 1_500_000_000_002]);
    expect(readBatchRecords(view, { hot }).map((r) => [r.offset, r.timestampMs, r.key])).toEqual([
      [0, 1_500_000_000_000, text('k0')],
      [1, 1_500_000_000_001, text('k1')],
      [2, 1_500_000_000_002, text('k2')],
      [3, 1_500_000_000_000, text('k0')],
    ]);
  });

  it('rejects empty, mixed-magic and partial sets', () => {
    expect(() => convertLegacyToV2(Buffer.alloc(0))).toThrow(expect.objectContaining({ errorName: 'INVALID_RECORD' }));
    const mixed = Buffer.concat([set(threeV0), set(threeV1Relative)]);
    expect(() => convertLegacyToV2(mixed)).toThrow(expect.objectContaining({ errorName: 'INVALID_RECORD' }));
    const whole = set(threeV0);
    expect(() => convertLegacyToV2(whole, 0, whole.length - 1)).toThrow(expect.objectContaining({ errorName: 'CORRUPT_MESSAGE' }));
  });
});

describe('downConvertToLegacy', () => {
  const recordSet = Buffer.concat([
    buildBatch({ records: [{ key: text('a'), value: text('1'), headers: [{ key: text('h'), value: text('x') }] }, { key: null, value: text('2'), timestampDelta: 5 }], baseOffset: 20, baseTimestamp: 1_000 }, hot),
    buildControlBatch({ marker: 'commit', producerId: 1, producerEpoch: 0, coordinatorEpoch: 0, baseOffset: 22 }, hot),
    buildBatch({ records: [{ key: text('b'), value: null }], baseOffset: 23, baseTimestamp: 2_000, compression: 'snappy' }, hot),
  ]);

  it.each([0, 1] as const)('writes a v%i message set with valid CRCs, dropping control batches', (magic) => {
    const legacy = downConvertToLegacy(recordSet, magic, 0, recordSet.length, { hot });
    let pos = 0;
    while (pos < legacy.length) {
      const size = legacy.readInt32BE(pos + 8);
      expect(legacy.readUInt32BE(pos + 12)).toBe(slowCrc32(legacy.subarray(pos + 16, pos + 12 + size)));
      pos += 12 + size;
    }
    const messages = parseLegacyMessageSet(legacy, 0, legacy.length, { strict: true });
    expect(messages.map((m) => [m.offset, m.magic, m.key, m.value, m.timestampMs])).toEqual([
      [20, magic, text('a'), text('1'), magic === 1 ? 1_000 : -1],
      [21, magic, null, text('2'), magic === 1 ? 1_005 : -1],
      [23, magic, text('b'), null, magic === 1 ? 2_000 : -1],
    ]);
  });

  it('keeps LogAppendTime and drops records before fromOffset', () => {
    const copy = Buffer.from(recordSet);
    new RecordBatchView(copy).setLogAppendTime(9_999, hot);
    const messages = parseLegacyMessageSet(downConvertToLegacy(copy, 1, 0, copy.length, { fromOffset: 21, hot }));
    expect(messages.map((m) => [m.offset, m.timestampMs, m.timestampType])).toEqual([
      [21, 9_999, 'LogAppendTime'],
      [23, 2_000, 'CreateTime'],
    ]);
  });
});

describe('crc32', () => {
  it('matches the bitwise reference in both implementations', () => {
    const random = seededRandom(3);
    for (let round = 0; round < 20; round++) {
      const data = Buffer.from(Array.from({ length: Math.floor(random() * 3000) }, () => Math.floor(random() * 256)));
      expect(crc32(data)).toBe(slowCrc32(data));
      expect(crc32Table(data)).toBe(slowCrc32(data));
    }
  });
});
