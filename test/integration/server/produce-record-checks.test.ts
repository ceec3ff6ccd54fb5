// Per-record Produce checks through a real broker (startBroker in-process): keys on compacted
// topics and CreateTime bounds are enforced on every record, not only the first or last, nor
// from the batch header's maxTimestamp, and for compressed batches too; a rejected batch leaves
// nothing in the log and answers with Kafka's record_errors.
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODEC_IDS, type Codec } from '../../../src/accel/types.js';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import type { ListOffsetsResponse, ProduceResponse } from '../../../src/protocol/index.js';
import { accel } from '../../../src/accel/index.js';
import { handBuildBatch } from '../../unit/records/helpers.js';
import { WireClient } from './wire-client.js';

const HOUR_MS = 3_600_000;

let broker: RunningBroker;
let client: WireClient;
let kafka: Kafka;

beforeAll(async () => {
  broker = await startBroker({ config: { 'num.partitions': 1 }, log: () => {} });
  kafka = new Kafka({ clientId: 'record-checks', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: 'compacted', numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      { topic: 'bounded', numPartitions: 1, configEntries: [{ name: 'message.timestamp.before.max.ms', value: String(HOUR_MS) }] },
    ],
  });
  await admin.disconnect();
  client = await WireClient.open(broker.port);
});

afterAll(async () => {
  client.close();
  await broker.stop();
});

interface Entry {
  key: string | null;
  timestampDelta: number;
}

function zigzag(value: number): number[] {
  const bytes: number[] = [];
  let encoded = value >= 0 ? value * 2 : -value * 2 - 1;
  while (encoded >= 0x80) {
    bytes.push((encoded % 0x80) | 0x80);
    encoded = Math.floor(encoded / 0x80);
  }
  bytes.push(encoded);
  return bytes;
}

/** A v2 batch written by hand; headerMaxTimestamp lets the header lie about the records. */
function batch(entries: readonly Entry[], baseTimestamp: number, options: { codec?: Codec; headerMaxTimestamp?: number } = {}): Buffer {
  const body: number[] = [];
  entries.forEach((entry, index) => {
    const key = entry.key === null ? zigzag(-1) : [...zigzag(entry.key.length), ...Buffer.from(entry.key)];
    const record = [0, ...zigzag(entry.timestampDelta), ...zigzag(index), ...key, ...zigzag(1), 0x76, 0];
    body.push(...zigzag(record.length), ...record);
  });
  const plain = Buffer.from(body);
  const maxTimestamp = options.headerMaxTimestamp ?? baseTimestamp + Math.max(...entries.map((entry) => entry.timestampDelta));
  return handBuildBatch(
    {
      baseOffset: 0n, partitionLeaderEpoch: -1, attributes: options.codec === undefined ? 0 : CODEC_IDS[options.codec],
      lastOffsetDelta: entries.length - 1, baseTimestamp: BigInt(baseTimestamp), maxTimestamp: BigInt(maxTimestamp),
      producerId: -1n, producerEpoch: -1, baseSequence: -1, recordCount: entries.length,
    },
    options.codec === undefined ? plain : accel.compress(options.codec, plain),
  );
}

async function produce(topic: string, records: Buffer) {
  const response = await client.call<ProduceResponse>(0, 9, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] });
  return response.responses[0]!.partitionResponses[0]!;
}

async function logEndOffset(topic: string): Promise<bigint> {
  const response = await client.call<ListOffsetsResponse>(2, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] }] });
  return response.topics[0]!.partitions[0]!.offset;
}

const keyed = (count: number): Entry[] => Array.from({ length: count }, (_, i) => ({ key: `k${i}`, timestampDelta: i }));

describe('Produce record checks through the broker', () => {
  it('a compacted topic rejects a batch with a keyless record anywhere in it, compressed or not', async () => {
    for (const codec of [undefined, 'lz4', 'gzip'] as const) {
      const entries = keyed(50);
      entries[23] = { key: null, timestampDelta: 23 };
      const before = await logEndOffset('compacted');
      const answer = await produce('compacted', batch(entries, Date.now(), { codec }));
      expect(answer.errorCode, String(codec)).toBe(ErrorCode.INVALID_RECORD);
      expect(answer.recordErrors.map((error) => error.batchIndex)).toEqual([23]);
      expect(await logEndOffset('compacted')).toBe(before);
      expect((await produce('compacted', batch(keyed(50), Date.now(), { codec }))).errorCode, String(codec)).toBe(ErrorCode.NONE);
    }
  });

  it('rejects a record too far in the future even when the header maxTimestamp says otherwise', async () => {
    const now = Date.now();
    const entries = keyed(40);
    entries[17] = { key: 'k17', timestampDelta: 2 * HOUR_MS };
    const answer = await produce('bounded', batch(entries, now, { headerMaxTimestamp: now }));
    expect(answer.errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect(answer.recordErrors.map((error) => error.batchIndex)).toEqual([17]);
  });

  it('rejects a record older than message.timestamp.before.max.ms in the middle of a compressed batch', async () => {
    const entries = keyed(40);
    entries[9] = { key: 'k9', timestampDelta: -2 * HOUR_MS };
    const answer = await produce('bounded', batch(entries, Date.now(), { codec: 'snappy' }));
    expect(answer.errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect(answer.recordErrors.map((error) => error.batchIndex)).toEqual([9]);
    expect((await produce('bounded', batch(keyed(40), Date.now() - HOUR_MS / 2, { codec: 'snappy' }))).errorCode).toBe(ErrorCode.NONE);
  });

  it('kafkajs gets INVALID_RECORD for a keyless message to a compacted topic and INVALID_TIMESTAMP for a far future one', async () => {
    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();
    try {
      await expect(producer.send({ topic: 'compacted', compression: CompressionTypes.GZIP, messages: [{ key: 'a', value: '1' }, { key: null, value: '2' }] })).rejects.toMatchObject({ type: 'INVALID_RECORD' });
      const future = String(Date.now() + 3 * HOUR_MS);
      await expect(producer.send({ topic: 'bounded', messages: [{ key: 'a', value: '1' }, { key: 'b', value: '2', timestamp: future }] })).rejects.toMatchObject({ type: 'INVALID_TIMESTAMP' });
      const sent = await producer.send({ topic: 'compacted', messages: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] });
      expect(sent[0]!.errorCode).toBe(0);
    } finally {
      await producer.disconnect();
    }
  });
});
