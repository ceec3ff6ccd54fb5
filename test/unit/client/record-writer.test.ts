// The producer's record body writer against the protocol's batch reader: every varint width
// (offset deltas past 2^14 and 2^21, negative and large timestamp deltas, long values), keys and
// headers, the batch-size limit (a first record always fits), growth through the buffer pool,
// and re-stamping a built batch with a new producer epoch.
import { describe, expect, it } from 'vitest';
import { BatchBufferPool } from '../../../src/client/buffer-pool.js';
import { ProducerBatch } from '../../../src/client/batch.js';
import { RecordBodyWriter } from '../../../src/client/record-writer.js';
import { readBatchRecords, RecordBatchView, validateBatch } from '../../../src/protocol/records/index.js';

const BASE_TIMESTAMP_MS = 1_700_000_000_000;

function seal(writer: RecordBodyWriter, identity = { producerId: -1, producerEpoch: -1, baseSequence: -1 }): Buffer {
  return writer.seal({ compression: 'none', baseTimestampMs: BASE_TIMESTAMP_MS, ...identity });
}

function read(batch: Buffer) {
  expect(validateBatch(batch)).toBeNull();
  return readBatchRecords(new RecordBatchView(batch));
}

describe('RecordBodyWriter', () => {
  it('encodes offset deltas of every varint width', () => {
    const writer = new RecordBodyWriter(256);
    const count = 300_000; // offsetDelta * 2 passes 2^7 and 2^14 (timestamps below take the long path)
    for (let i = 0; i < count; i++) writer.append(null, i % 1000 === 0 ? Buffer.from(String(i)) : null, null, 0);
    const records = read(seal(writer));
    expect(records.length).toBe(count);
    expect(records.filter((r) => r.value !== null).map((r) => Number(r.value!.toString()))).toEqual(Array.from({ length: count / 1000 }, (_, i) => i * 1000));
    expect(records[count - 1]!.offset).toBe(count - 1);
  });

  it('round-trips keys, headers, long values and negative or large timestamp deltas', () => {
    const writer = new RecordBodyWriter(256);
    const inputs = [
      { key: null, value: Buffer.alloc(70_000, 7), headers: null, deltaMs: 0 },
      { key: Buffer.from('k'), value: Buffer.from('short'), headers: [{ key: 'h', value: Buffer.from('v') }], deltaMs: -5 },
      { key: Buffer.alloc(300, 1), value: null, headers: [{ key: 'x', value: null }], deltaMs: 3_000_000_000 },
    ];
    for (const r of inputs) writer.append(r.key, r.value, r.headers?.map((h) => ({ key: Buffer.from(h.key), value: h.value })), r.deltaMs);
    const records = read(seal(writer));
    expect(records.map((r) => r.timestampMs - BASE_TIMESTAMP_MS)).toEqual([0, -5, 3_000_000_000]);
    expect(records.map((r) => r.key?.length ?? null)).toEqual([null, 1, 300]);
    expect(records[0]!.value!.equals(inputs[0]!.value)).toBe(true);
    expect(records[1]!.headers.map((h) => [h.key.toString(), h.value?.toString()])).toEqual([['h', 'v']]);
    expect(records[2]!.value).toBeNull();
  });

  it('refuses a record past the body limit unless it is the first', () => {
    const writer = new RecordBodyWriter(256);
    expect(writer.append(null, Buffer.alloc(500), null, 0, 100)).toBeGreaterThan(500);
    expect(writer.append(null, Buffer.alloc(10), null, 0, 100)).toBe(-1);
    expect(writer.recordCount).toBe(1);
  });

  it('grows through the pool and gives the outgrown buffer back', () => {
    const pool = new BatchBufferPool({ smallestBytes: 1024, largestBytes: 8192 + 100, pooledBytesMax: 1 << 20 });
    const writer = new RecordBodyWriter(900, pool);
    expect(writer.buffer.length).toBe(1024);
    for (let i = 0; i < 60; i++) writer.append(null, Buffer.alloc(100, i), null, 0);
    expect(writer.buffer.length).toBe(8292);
    expect(pool.idleBytes).toBe(1024 + 2048 + 4096);
    expect(read(seal(writer)).map((r) => r.value![0])).toEqual(Array.from({ length: 60 }, (_, i) => i));
    const reused = pool.take(3000);
    expect(reused.length).toBe(4096);
    expect(pool.idleBytes).toBe(1024 + 2048);
    pool.give(writer.buffer);
    expect(pool.take(5000)).toBe(writer.buffer);
    expect(pool.take(20_000).length).toBe(20_000);
  });
});

describe('ProducerBatch.unstamp', () => {
  it('builds the same records again with a new producer id, epoch and sequence', () => {
    const batch = new ProducerBatch('t', 0, BASE_TIMESTAMP_MS, 1024);
    for (let i = 0; i < 3; i++) batch.append({ topic: 't', value: Buffer.from(`v${i}`) }, BASE_TIMESTAMP_MS + i);
    const first = new RecordBatchView(Buffer.from(batch.build('none', { producerId: 7, producerEpoch: 0, baseSequence: 40 })));
    batch.unstamp();
    const again = batch.build('none', { producerId: 9, producerEpoch: 2, baseSequence: 0 });
    const view = new RecordBatchView(again);
    expect([first.producerId, first.producerEpoch, first.baseSequence]).toEqual([7, 0, 40]);
    expect([view.producerId, view.producerEpoch, view.baseSequence]).toEqual([9, 2, 0]);
    expect(read(again).map((r) => r.value!.toString())).toEqual(['v0', 'v1', 'v2']);
  });
});
