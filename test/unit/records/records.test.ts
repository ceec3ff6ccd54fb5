import { describe, expect, it } from 'vitest';
import type { Accel, RecordInput } from '../../../src/accel/types.js';
import { BatchField, iterateBatches, RecordBatchView, validateBatch, type CompressionName } from '../../../src/protocol/records/batch.js';
import { RecordFormatError } from '../../../src/protocol/records/errors.js';
import {
  buildBatch,
  buildBatchAsync,
  buildControlBatch,
  controlRecordKey,
  decodeBatchRecords,
  parseControlRecordKey,
  parseEndTxnMarker,
  readBatchRecords,
  readControlBatchMarker,
} from '../../../src/protocol/records/records.js';
import { availableAccels } from './accels.js';
import { fuzzRounds, seededRandom, slowCrc32c } from './helpers.js';

const accels = availableAccels();

function randomBytes(random: () => number, maxBytes: number): Buffer {
  return Buffer.from(Array.from({ length: Math.floor(random() * maxBytes) }, () => Math.floor(random() * 256)));
}

function randomRecords(seed: number, count: number): RecordInput[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => ({
    key: random() < 0.2 ? null : randomBytes(random, 24),
    value: random() < 0.1 ? null : randomBytes(random, 200),
    headers: random() < 0.5 ? [] : [{ key: Buffer.from('h'), value: random() < 0.3 ? null : randomBytes(random, 10) }],
    timestampDelta: Math.floor(random() * 5000),
  }));
}

function codecsFor(hot: Accel): CompressionName[] {
  return hot.implementation === 'native' ? ['none', 'gzip', 'snappy', 'lz4', 'zstd'] : ['none', 'gzip', 'snappy', 'lz4'];
}

function expectSameRecords(decoded: readonly { key: Buffer | null; value: Buffer | null; headers: { key: Buffer; value: Buffer | null }[]; timestampDelta: number }[], input: readonly RecordInput[]): void {
  expect(decoded).toHaveLength(input.length);
  decoded.forEach((record, i) => {
    expect(record.key).toEqual(input[i]!.key);
    expect(record.value).toEqual(input[i]!.value);
    expect(record.headers).toEqual(input[i]!.headers ?? []);
    expect(record.timestampDelta).toBe(input[i]!.timestampDelta ?? 0);
  });
}

describe.each(accels.map((hot) => [hot.implementation, hot] as const))('batch builder and iterator (%s)', (_name, hot) => {
  it.each(codecsFor(hot))('round-trips 100 records with %s', (codec) => {
    const records = randomRecords(codec.length * 31 + 1, 100);
    const buf = buildBatch({ records, compression: codec, baseOffset: 500, baseTimestamp: 1_700_000_000_000, partitionLeaderEpoch: 3, producerId: 77, producerEpoch: 2, baseSequence: 40 }, hot);
    expect(validateBatch(buf, 0, buf.length, hot)).toBeNull();
    expect(buf.readUInt32BE(BatchField.crc)).toBe(slowCrc32c(buf.subarray(BatchField.attributes)));
    const view = new RecordBatchView(buf);
    expect(view.compression).toBe(codec);
    expect(view.recordCount).toBe(100);
    expect(view.lastOffsetDelta).toBe(99);
    expect(view.maxTimestamp).toBe(1_700_000_000_000 + Math.max(...records.map((r) => r.timestampDelta ?? 0)));
    expect([view.producerId, view.producerEpoch, view.baseSequence, view.partitionLeaderEpoch]).toEqual([77, 2, 40, 3]);
    const read = readBatchRecords(view, { hot });
    expectSameRecords(read, records);
    expect(read.map((r) => r.offset)).toEqual(records.map((_r, i) => 500 + i));
    expect(read[7]!.timestampMs).toBe(1_700_000_000_000 + records[7]!.timestampDelta!);
  });

  it('takes maxTimestamp from the records, also when every delta is negative', () => {
    const records = [-50, -20, -70].map((timestampDelta) => ({ key: null, value: Buffer.from('x'), timestampDelta }));
    const view = new RecordBatchView(buildBatch({ records, baseTimestamp: 10_000 }, hot));
    expect(view.maxTimestamp).toBe(9_980);
    expect(new RecordBatchView(buildBatch({ records: [], baseTimestamp: 5 }, hot)).maxTimestamp).toBe(5);
  });

  it('builds the same batch asynchronously', async () => {
    const records = randomRecords(3, 20);
    const input = { records, compression: 'gzip' as const, baseTimestamp: 1_000 };
    const asyncBatch = await buildBatchAsync(input, hot);
    expect(validateBatch(asyncBatch, 0, asyncBatch.length, hot)).toBeNull();
    expectSameRecords(decodeBatchRecords(new RecordBatchView(asyncBatch), { hot }), records);
  });

  it('marks transactional batches and resolves LogAppendTime timestamps', () => {
    const records = randomRecords(5, 3);
    const buf = buildBatch({ records, isTransactional: true, producerId: 1, producerEpoch: 0, baseSequence: 0, baseTimestamp: 10 }, hot);
    const view = new RecordBatchView(buf);
    expect(view.isTransactional).toBe(true);
    view.setLogAppendTime(99_999, hot);
    expect(readBatchRecords(view, { hot }).map((r) => r.timestampMs)).toEqual([99_999, 99_999, 99_999]);
  });

  it('iterates a record set of built batches, patched in place', () => {
    const batches = [1, 2, 3].map((seed) => buildBatch({ records: randomRecords(seed, seed * 4), compression: seed === 2 ? 'lz4' : 'none' }, hot));
    const recordSet = Buffer.concat(batches);
    let nextOffset = 1000;
    for (const view of iterateBatches(recordSet)) {
      view.setBaseOffset(nextOffset);
      nextOffset = view.nextOffset;
    }
    const views = [...iterateBatches(recordSet)];
    expect(views.map((view) => view.baseOffset)).toEqual([1000, 1004, 1012]);
    for (const view of views) expect(validateBatch(recordSet, view.offset, view.end, hot)).toBeNull();
    expect(readBatchRecords(views[2]!, { hot }).at(-1)!.offset).toBe(1023);
  });

  it('gives INVALID_RECORD when the record count does not match the records', () => {
    const buf = buildBatch({ records: randomRecords(8, 5) }, hot);
    buf.writeInt32BE(6, BatchField.recordCount);
    expect(() => decodeBatchRecords(new RecordBatchView(buf), { hot })).toThrow(expect.objectContaining({ errorName: 'INVALID_RECORD' }));
    buf.writeInt32BE(4, BatchField.recordCount);
    expect(() => decodeBatchRecords(new RecordBatchView(buf), { hot })).toThrow(RecordFormatError);
  });

  it('gives a typed error for a view over a cut-off batch', () => {
    const buf = buildBatch({ records: randomRecords(6, 5) }, hot);
    expect(() => decodeBatchRecords(new RecordBatchView(buf.subarray(0, buf.length - 1)), { hot })).toThrow(expect.objectContaining({ errorName: 'CORRUPT_MESSAGE' }));
    const shortLength = Buffer.from(buf);
    shortLength.writeInt32BE(10, BatchField.batchLength);
    expect(() => decodeBatchRecords(new RecordBatchView(shortLength), { hot })).toThrow(RecordFormatError);
  });

  it('gives typed errors for corrupt compressed bodies and decompression bombs', () => {
    const buf = buildBatch({ records: randomRecords(9, 50), compression: 'gzip' }, hot);
    const corrupt = Buffer.from(buf);
    corrupt.fill(0x55, 70, 90);
    expect(() => decodeBatchRecords(new RecordBatchView(corrupt), { hot })).toThrow(expect.objectContaining({ errorName: 'CORRUPT_MESSAGE' }));
    expect(() => decodeBatchRecords(new RecordBatchView(buf), { hot, maxDecompressedBytes: 100 })).toThrow(expect.objectContaining({ errorName: 'CORRUPT_MESSAGE' }));
  });

  it('throws only RecordFormatError when decoding mutated batches', () => {
    const random = seededRandom(21);
    for (const codec of ['none', 'snappy', 'lz4'] as const) {
      const original = buildBatch({ records: randomRecords(4, 10), compression: codec }, hot);
      for (let round = 0; round < fuzzRounds(150); round++) {
        const buf = Buffer.from(original);
        const pos = 61 + Math.floor(random() * (buf.length - 61));
        buf[pos] = Math.floor(random() * 256);
        try {
          decodeBatchRecords(new RecordBatchView(buf), { hot });
        } catch (err) {
          expect(err).toBeInstanceOf(RecordFormatError);
        }
      }
    }
  });

  if (hot.implementation !== 'native') {
    it('reports zstd as UNSUPPORTED_COMPRESSION_TYPE without native', () => {
      const buf = buildBatch({ records: randomRecords(2, 2) }, hot);
      buf.writeInt16BE(4, BatchField.attributes);
      expect(() => decodeBatchRecords(new RecordBatchView(buf), { hot })).toThrow(expect.objectContaining({ errorName: 'UNSUPPORTED_COMPRESSION_TYPE' }));
    });
  }
});

describe.each(accels.map((hot) => [hot.implementation, hot] as const))('control records (%s)', (_name, hot) => {
  it.each(['commit', 'abort'] as const)('builds and parses a %s marker batch', (marker) => {
    const buf = buildControlBatch({ marker, producerId: 4000, producerEpoch: 5, coordinatorEpoch: 17, baseOffset: 90, timestampMs: 1234 }, hot);
    expect(validateBatch(buf, 0, buf.length, hot)).toBeNull();
    const view = new RecordBatchView(buf);
    expect([view.isControl, view.isTransactional, view.producerId, view.producerEpoch, view.recordCount]).toEqual([true, true, 4000, 5, 1]);
    const [record] = decodeBatchRecords(view, { hot });
    expect(record!.key!.readInt16BE(0)).toBe(0);
    expect(record!.key!.readInt16BE(2)).toBe(marker === 'commit' ? 1 : 0);
    expect(record!.value!.readInt32BE(2)).toBe(17);
    expect(readControlBatchMarker(view, { hot })).toEqual({ marker, version: 0, coordinatorEpoch: 17 });
  });

  it('rejects malformed control records with INVALID_RECORD', () => {
    expect(() => parseControlRecordKey(null)).toThrow(expect.objectContaining({ errorName: 'INVALID_RECORD' }));
    expect(() => parseControlRecordKey(Buffer.alloc(3))).toThrow(RecordFormatError);
    expect(parseControlRecordKey(controlRecordKey(3)).marker).toBeUndefined();
    expect(() => parseEndTxnMarker({ key: controlRecordKey(3), value: Buffer.alloc(6) })).toThrow(RecordFormatError);
    expect(() => parseEndTxnMarker({ key: controlRecordKey(1), value: Buffer.alloc(5) })).toThrow(RecordFormatError);
    const plain = new RecordBatchView(buildBatch({ records: randomRecords(1, 1) }, hot));
    expect(() => readControlBatchMarker(plain, { hot })).toThrow(RecordFormatError);
  });
});
