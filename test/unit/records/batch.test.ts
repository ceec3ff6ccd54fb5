import { describe, expect, it } from 'vitest';
import {
  BATCH_LENGTH_MIN_V2,
  BatchField,
  iterateBatches,
  measureRecordSet,
  RECORD_BATCH_OVERHEAD,
  RecordBatchView,
  validateBatch,
  validateClientBatch,
} from '../../../src/protocol/records/batch.js';
import { RecordFormatError } from '../../../src/protocol/records/errors.js';
import { availableAccels } from './accels.js';
import { handBuildBatch, seededRandom, slowCrc32c, type HandHeader } from './helpers.js';

const accels = availableAccels();

const sampleHeader: HandHeader = {
  baseOffset: 1_099_511_627_776n + 17n, // 2^40 + 17
  partitionLeaderEpoch: 42,
  attributes: 0x03 | 0x08 | 0x10, // lz4, LogAppendTime, transactional
  lastOffsetDelta: 4,
  baseTimestamp: 1_700_000_000_123n,
  maxTimestamp: 1_700_000_000_456n,
  producerId: 9_007_199_254_740_000n,
  producerEpoch: 7,
  baseSequence: 123_456,
  recordCount: 5,
};

function body(sizeBytes: number, seed = 1): Buffer {
  const random = seededRandom(seed);
  return Buffer.from(Array.from({ length: sizeBytes }, () => Math.floor(random() * 256)));
}

function plainBatch(overrides: Partial<HandHeader> = {}, bodyBytes = 40): Buffer {
  return handBuildBatch({ ...sampleHeader, attributes: 0, ...overrides }, body(bodyBytes));
}

describe('RecordBatchView header fields', () => {
  it('reads every field of an independently built batch', () => {
    const buf = handBuildBatch(sampleHeader, body(33));
    const view = new RecordBatchView(buf);
    expect(view.baseOffset).toBe(Number(sampleHeader.baseOffset));
    expect(view.batchLength).toBe(buf.length - 12);
    expect(view.sizeBytes).toBe(buf.length);
    expect(view.partitionLeaderEpoch).toBe(42);
    expect(view.magic).toBe(2);
    expect(view.crc).toBe(slowCrc32c(buf.subarray(21)));
    expect(view.compressionId).toBe(3);
    expect(view.compression).toBe('lz4');
    expect(view.timestampType).toBe('LogAppendTime');
    expect(view.isTransactional).toBe(true);
    expect(view.isControl).toBe(false);
    expect(view.hasDeleteHorizon).toBe(false);
    expect(view.lastOffsetDelta).toBe(4);
    expect(view.lastOffset).toBe(Number(sampleHeader.baseOffset) + 4);
    expect(view.baseTimestamp).toBe(1_700_000_000_123);
    expect(view.maxTimestamp).toBe(1_700_000_000_456);
    expect(view.producerId).toBe(Number(sampleHeader.producerId));
    expect(view.producerEpoch).toBe(7);
    expect(view.baseSequence).toBe(123_456);
    expect(view.recordCount).toBe(5);
    expect(view.recordsStart).toBe(RECORD_BATCH_OVERHEAD);
    expect(view.end).toBe(buf.length);
  });

  it('reads negative int64 fields (producerId -1) and the control and delete-horizon bits', () => {
    const buf = handBuildBatch({ ...sampleHeader, producerId: -1n, producerEpoch: -1, baseSequence: -1, attributes: 0x20 | 0x40 }, body(8));
    const view = new RecordBatchView(buf);
    expect(view.producerId).toBe(-1);
    expect(view.hasProducerId).toBe(false);
    expect(view.producerEpoch).toBe(-1);
    expect(view.isControl).toBe(true);
    expect(view.hasDeleteHorizon).toBe(true);
    expect(view.timestampType).toBe('CreateTime');
    expect(view.compression).toBe('none');
  });

  it('views a batch at a non-zero offset inside a larger buffer', () => {
    const batch = plainBatch({ partitionLeaderEpoch: 9 });
    const buf = Buffer.concat([Buffer.alloc(7, 0xee), batch, Buffer.alloc(5, 0xee)]);
    const view = new RecordBatchView(buf, 7);
    expect(view.partitionLeaderEpoch).toBe(9);
    expect(view.bytes().equals(batch)).toBe(true);
  });

  it('rejects a header that does not fit with a typed error', () => {
    expect(() => new RecordBatchView(Buffer.alloc(60))).toThrow(RecordFormatError);
    expect(() => new RecordBatchView(Buffer.alloc(80), 30)).toThrow(RecordFormatError);
  });

  it('reports an unknown codec id with a typed error', () => {
    const view = new RecordBatchView(plainBatch({ attributes: 0x06 }));
    expect(view.compressionId).toBe(6);
    expect(() => view.compression).toThrow(RecordFormatError);
  });
});

describe.each(accels.map((hot) => [hot.implementation, hot] as const))('validateBatch (%s)', (_name, hot) => {
  it('accepts an intact batch and computes the same CRC as an independent CRC32C', () => {
    const buf = plainBatch();
    expect(validateBatch(buf, 0, buf.length, hot)).toBeNull();
    expect(new RecordBatchView(buf).computeCrc(hot)).toBe(slowCrc32c(buf.subarray(BatchField.attributes)));
  });

  it('catches a flipped bit in every byte after the crc field', () => {
    const original = plainBatch({}, 30);
    const random = seededRandom(7);
    for (let pos = BatchField.crc; pos < original.length; pos++) {
      const buf = Buffer.from(original);
      buf[pos]! ^= 1 << Math.floor(random() * 8);
      const problem = validateBatch(buf, 0, buf.length, hot);
      expect(problem, `flip at ${pos}`).not.toBeNull();
      expect(problem?.errorName).toBe('CORRUPT_MESSAGE');
    }
  });

  it('ignores baseOffset and partitionLeaderEpoch, which the CRC does not cover', () => {
    const buf = plainBatch();
    buf[3]! ^= 0xff;
    buf[BatchField.partitionLeaderEpoch + 2]! ^= 0x10;
    expect(validateBatch(buf, 0, buf.length, hot)).toBeNull();
  });

  it('reports every truncation as CORRUPT_MESSAGE without throwing', () => {
    const buf = plainBatch();
    for (let length = 0; length < buf.length; length++) {
      expect(validateBatch(buf.subarray(0, length), 0, length, hot)?.errorName).toBe('CORRUPT_MESSAGE');
      expect(validateBatch(buf, 0, length, hot)?.errorName).toBe('CORRUPT_MESSAGE');
    }
  });

  it('maps magic, length and count problems to Kafka errors', () => {
    const legacyMagic = plainBatch();
    legacyMagic[BatchField.magic] = 1;
    expect(validateBatch(legacyMagic, 0, legacyMagic.length, hot)?.errorName).toBe('INVALID_RECORD');
    const unknownMagic = plainBatch();
    unknownMagic[BatchField.magic] = 9;
    expect(validateBatch(unknownMagic, 0, unknownMagic.length, hot)?.errorName).toBe('CORRUPT_MESSAGE');
    const shortLength = plainBatch();
    shortLength.writeInt32BE(BATCH_LENGTH_MIN_V2 - 1, BatchField.batchLength);
    expect(validateBatch(shortLength, 0, shortLength.length, hot)?.errorName).toBe('CORRUPT_MESSAGE');
    const negativeCount = plainBatch({ recordCount: -3 });
    expect(validateBatch(negativeCount, 0, negativeCount.length, hot)?.errorName).toBe('INVALID_RECORD');
    const hugeCount = plainBatch({ recordCount: 2_000_000_000 });
    expect(validateBatch(hugeCount, 0, hugeCount.length, hot)?.errorName).toBe('INVALID_RECORD');
    const farTimestamp = plainBatch({ baseTimestamp: 2n ** 60n });
    expect(validateBatch(farTimestamp, 0, farTimestamp.length, hot)?.errorName).toBe('INVALID_RECORD');
    const farProducer = plainBatch({ producerId: -(2n ** 62n) });
    expect(validateBatch(farProducer, 0, farProducer.length, hot)?.errorName).toBe('INVALID_RECORD');
    const unknownCodec = plainBatch({ attributes: 7 });
    expect(validateBatch(unknownCodec, 0, unknownCodec.length, hot)?.errorName).toBe('CORRUPT_MESSAGE');
  });

  it('never throws on random bytes', () => {
    const random = seededRandom(99);
    for (let round = 0; round < 300; round++) {
      const buf = body(Math.floor(random() * 120), round + 1);
      if (buf.length > 16 && random() < 0.5) buf[16] = 2;
      const problem = validateBatch(buf, 0, buf.length, hot);
      expect(problem === null || typeof problem.errorCode === 'number').toBe(true);
    }
  });
});

describe.each(accels.map((hot) => [hot.implementation, hot] as const))('patching (%s)', (_name, hot) => {
  it('patches baseOffset and partitionLeaderEpoch without touching the CRC', () => {
    const buf = plainBatch();
    const crcBefore = buf.readUInt32BE(BatchField.crc);
    const view = new RecordBatchView(buf);
    view.setBaseOffset(2 ** 50 + 3);
    view.setPartitionLeaderEpoch(77);
    expect(view.baseOffset).toBe(2 ** 50 + 3);
    expect(buf.readBigInt64BE(0)).toBe(BigInt(2 ** 50 + 3));
    expect(view.partitionLeaderEpoch).toBe(77);
    expect(view.crc).toBe(crcBefore);
    expect(validateBatch(buf, 0, buf.length, hot)).toBeNull();
  });

  it('refuses unsafe integers as a broken invariant', () => {
    const view = new RecordBatchView(plainBatch());
    expect(() => view.setBaseOffset(2 ** 53 + 2)).toThrow(/invariant/);
    expect(() => view.setBaseOffset(1.5)).toThrow(/invariant/);
  });

  it('stamps LogAppendTime: attribute bit, maxTimestamp, valid CRC, base timestamp kept', () => {
    const buf = plainBatch({ attributes: 0x10 });
    const view = new RecordBatchView(buf);
    view.setLogAppendTime(1_800_000_000_000, hot);
    expect(view.timestampType).toBe('LogAppendTime');
    expect(view.isTransactional).toBe(true);
    expect(view.maxTimestamp).toBe(1_800_000_000_000);
    expect(view.baseTimestamp).toBe(Number(sampleHeader.baseTimestamp));
    expect(view.crc).toBe(slowCrc32c(buf.subarray(BatchField.attributes)));
    expect(validateBatch(buf, 0, buf.length, hot)).toBeNull();
  });
});

describe('validateClientBatch', () => {
  const check = (overrides: Partial<HandHeader>) => validateClientBatch(new RecordBatchView(plainBatch(overrides)))?.errorName ?? null;
  it('accepts a consistent batch', () => {
    expect(check({ lastOffsetDelta: 4, recordCount: 5 })).toBeNull();
    expect(check({ producerId: -1n, baseSequence: -1 })).toBeNull();
  });
  it('rejects what Kafka rejects from clients with INVALID_RECORD', () => {
    expect(check({ lastOffsetDelta: 3, recordCount: 5 })).toBe('INVALID_RECORD');
    expect(check({ lastOffsetDelta: -1, recordCount: 0 })).toBe('INVALID_RECORD');
    expect(check({ lastOffsetDelta: 0, recordCount: 0 })).toBe('INVALID_RECORD');
    expect(check({ attributes: 0x20 })).toBe('INVALID_RECORD');
    expect(check({ producerId: 5n, baseSequence: -1 })).toBe('INVALID_RECORD');
  });
});

describe('iterateBatches', () => {
  const batches = [plainBatch({ baseOffset: 0n }, 10), plainBatch({ baseOffset: 5n }, 70), plainBatch({ baseOffset: 10n }, 0)];
  const recordSet = Buffer.concat(batches);

  it('yields every whole batch in order', () => {
    const offsets = [...iterateBatches(recordSet)].map((view) => [view.offset, view.baseOffset]);
    expect(offsets).toEqual([
      [0, 0],
      [batches[0]!.length, 5],
      [batches[0]!.length + batches[1]!.length, 10],
    ]);
    expect(measureRecordSet(recordSet)).toEqual({ entryCount: 3, completeBytes: recordSet.length, trailingBytes: 0 });
  });

  it('stops cleanly at a partial trailing batch of any length', () => {
    const wholeBytes = batches[0]!.length + batches[1]!.length;
    for (let cut = wholeBytes; cut < recordSet.length; cut++) {
      expect([...iterateBatches(recordSet, 0, cut)]).toHaveLength(2);
      expect(measureRecordSet(recordSet, 0, cut)).toEqual({ entryCount: 2, completeBytes: wholeBytes, trailingBytes: cut - wholeBytes });
    }
  });

  it('throws a typed error for a size field too small for any batch, and for legacy magic', () => {
    const corrupt = Buffer.from(recordSet);
    corrupt.writeInt32BE(3, batches[0]!.length + BatchField.batchLength);
    expect(() => [...iterateBatches(corrupt)]).toThrow(RecordFormatError);
    const legacy = Buffer.from(recordSet);
    legacy[BatchField.magic] = 1;
    expect(() => [...iterateBatches(legacy)]).toThrow(expect.objectContaining({ errorName: 'INVALID_RECORD' }));
  });

  it('throws nothing but RecordFormatError on random bytes', () => {
    const random = seededRandom(5);
    for (let round = 0; round < 300; round++) {
      const buf = body(Math.floor(random() * 200), round + 11);
      if (buf.length > 12) buf.writeInt32BE(Math.floor(random() * 120) - 10, 8);
      try {
        for (const view of iterateBatches(buf)) void view.recordCount;
      } catch (err) {
        expect(err).toBeInstanceOf(RecordFormatError);
      }
    }
  });
});
