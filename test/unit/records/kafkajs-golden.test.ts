// Golden cross-checks against an independent implementation: kafkajs's own record batch and
// message set encoders and decoders (dev dependency, CommonJS internals loaded by path).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { iterateBatches, RecordBatchView, validateBatch } from '../../../src/protocol/records/batch.js';
import { convertLegacyToV2, downConvertToLegacy, parseLegacyMessageSet } from '../../../src/protocol/records/legacy.js';
import { buildBatch, readBatchRecords } from '../../../src/protocol/records/records.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const require = createRequire(import.meta.url);
const kjs = (path: string): any => require(`kafkajs/src/protocol/${path}`);
const { RecordBatch } = kjs('recordBatch/v0/index.js');
const Record = kjs('recordBatch/record/v0/index.js');
const decodeRecordBatch = kjs('recordBatch/v0/decoder.js');
const MessageSet = kjs('messageSet/index.js');
const decodeMessageSet = kjs('messageSet/decoder.js');
const Encoder = kjs('encoder.js');
const Decoder = kjs('decoder.js');
const Long = require('kafkajs/src/utils/long');
const GZIP = 1;

const entries = Array.from({ length: 12 }, (_v, i) => ({
  key: i % 4 === 0 ? null : Buffer.from(`key-${i}`),
  value: Buffer.from(`value ${i} `.repeat(i + 1)),
  headers: i % 3 === 0 ? { trace: Buffer.from(`t${i}`) } : {},
  timestampDelta: i * 10,
}));

async function kafkajsBatch(compression: number): Promise<Buffer> {
  const records = entries.map((entry, offsetDelta) => Record({ ...entry, offsetDelta }));
  const encoder = await RecordBatch({
    compression,
    firstOffset: Long.fromNumber(4242),
    firstTimestamp: 1_690_000_000_000,
    maxTimestamp: 1_690_000_000_110,
    partitionLeaderEpoch: 6,
    lastOffsetDelta: entries.length - 1,
    transactional: true,
    producerId: Long.fromNumber(31337),
    producerEpoch: 3,
    firstSequence: 88,
    records,
  });
  return encoder.buffer as Buffer;
}

describe('kafkajs v2 record batches', () => {
  it.each([0, GZIP])('decodes a kafkajs batch (compression %i) with the view and iterator', async (compression) => {
    const buf = await kafkajsBatch(compression);
    expect(validateBatch(buf)).toBeNull();
    const views = [...iterateBatches(buf)];
    expect(views).toHaveLength(1);
    const view = views[0]!;
    expect([view.baseOffset, view.partitionLeaderEpoch, view.producerId, view.producerEpoch, view.baseSequence]).toEqual([4242, 6, 31337, 3, 88]);
    expect([view.recordCount, view.lastOffsetDelta, view.isTransactional, view.compression]).toEqual([12, 11, true, compression === GZIP ? 'gzip' : 'none']);
    expect([view.baseTimestamp, view.maxTimestamp]).toEqual([1_690_000_000_000, 1_690_000_000_110]);
    const records = readBatchRecords(view);
    records.forEach((record, i) => {
      expect(record.offset).toBe(4242 + i);
      expect(record.timestampMs).toBe(1_690_000_000_000 + i * 10);
      expect(record.key).toEqual(entries[i]!.key);
      expect(record.value).toEqual(entries[i]!.value);
      const headerPairs = record.headers.map((h) => [h.key.toString(), h.value]);
      expect(headerPairs).toEqual(Object.entries(entries[i]!.headers));
    });
  });

  it('produces batches kafkajs decodes to the same records', async () => {
    const buf = buildBatch({
      records: entries.map((entry) => ({ key: entry.key, value: entry.value, timestampDelta: entry.timestampDelta, headers: Object.entries(entry.headers).map(([key, value]) => ({ key: Buffer.from(key), value })) })),
      compression: 'gzip',
      baseOffset: 70,
      baseTimestamp: 1_690_000_000_000,
      producerId: 9,
      producerEpoch: 1,
      baseSequence: 0,
      isTransactional: true,
    });
    const decoded = await decodeRecordBatch(new Decoder(buf));
    expect(decoded.firstOffset).toBe('70');
    expect(decoded.inTransaction).toBe(true);
    expect(decoded.producerId).toBe('9');
    expect(decoded.maxTimestamp).toBe(String(1_690_000_000_000 + 110));
    expect(decoded.records.map((r: any) => [r.offset, r.key, r.value, r.timestamp])).toEqual(
      entries.map((entry, i) => [String(70 + i), entry.key, entry.value, String(1_690_000_000_000 + entry.timestampDelta)]),
    );
  });
});

const legacyEntries = Array.from({ length: 5 }, (_v, i) => ({ key: i === 2 ? null : Buffer.from(`k${i}`), value: Buffer.from(`legacy value ${i}`), timestamp: 1_600_000_000_000 + i }));

async function kafkajsMessageSet(messageVersion: 0 | 1, compressed: boolean): Promise<Buffer> {
  if (!compressed) return MessageSet({ messageVersion, compression: 0, entries: legacyEntries }).buffer;
  const inner = MessageSet({ messageVersion, compression: GZIP, entries: legacyEntries });
  const gzip = kjs('message/compression/gzip.js');
  const value = await gzip.compress(inner);
  return MessageSet({ messageVersion, entries: [{ compression: GZIP, timestamp: legacyEntries[0]!.timestamp, value }] }).buffer;
}

describe('kafkajs legacy message sets', () => {
  it.each([
    [0, false],
    [0, true],
    [1, false],
    [1, true],
  ] as const)('parses and converts a kafkajs v%i message set (compressed: %s)', async (magic, compressed) => {
    const buf = await kafkajsMessageSet(magic, compressed);
    const messages = parseLegacyMessageSet(buf, 0, buf.length, { strict: true });
    expect(messages.map((m) => [m.magic, m.key, m.value])).toEqual(legacyEntries.map((e) => [magic, e.key, e.value]));
    expect(messages.every((m) => m.wrapperCodec === (compressed ? 'gzip' : 'none'))).toBe(true);
    if (magic === 1) expect(messages.map((m) => m.timestampMs)).toEqual(legacyEntries.map((e) => e.timestamp));
    const conversion = convertLegacyToV2(buf);
    expect([conversion.magic, conversion.recordCount, conversion.sourceCompression]).toEqual([magic, 5, compressed ? 'gzip' : 'none']);
    const records = readBatchRecords(new RecordBatchView(conversion.batch));
    expect(records.map((r) => [r.offset, r.key, r.value])).toEqual(legacyEntries.map((e, i) => [i, e.key, e.value]));
    expect(records.map((r) => r.timestampMs)).toEqual(legacyEntries.map((e) => (magic === 1 ? e.timestamp : -1)));
  });

  it.each([0, 1] as const)('down-converts to a v%i message set kafkajs decodes', async (magic) => {
    const recordSet = Buffer.concat([
      buildBatch({ records: legacyEntries.slice(0, 2).map((e, i) => ({ key: e.key, value: e.value, timestampDelta: i })), baseOffset: 10, baseTimestamp: 1_600_000_000_000 }),
      buildBatch({ records: legacyEntries.slice(2).map((e) => ({ key: e.key, value: e.value })), baseOffset: 12, baseTimestamp: 1_600_000_000_002, compression: 'gzip' }),
    ]);
    const legacy = downConvertToLegacy(recordSet, magic);
    const decoded = await decodeMessageSet(new Decoder(new Encoder().writeInt32(legacy.length).writeBuffer(legacy).buffer));
    expect(decoded.map((m: any) => [m.offset, m.magicByte, m.key, m.value])).toEqual(legacyEntries.map((e, i) => [String(10 + i), magic, e.key, e.value]));
    if (magic === 1) expect(decoded.map((m: any) => m.timestamp)).toEqual(['1600000000000', '1600000000001', '1600000000002', '1600000000002', '1600000000002']);
  });
});
