// Produce with kafkajs's producer, then Fetch and ListOffsets with Rill's codecs.
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import {
  getApi,
  type FetchResponse, type ListOffsetsResponse, type MetadataResponse,
} from '../../../src/protocol/index.js';
import { iterateBatches } from '../../../src/protocol/records/batch.js';
import { parseLegacyMessageSet } from '../../../src/protocol/records/legacy.js';
import { readBatchRecords } from '../../../src/protocol/records/records.js';
import { WireClient as Client } from './wire-client.js';

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startBroker({ config: { 'num.partitions': 1 }, log: () => {} });
});

afterAll(async () => {
  await broker.stop();
});

function fetchRequest(topic: string, topicId: string, fetchOffset: number, options: { maxWaitMs?: number; minBytes?: number } = {}) {
  return {
    clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1n },
    maxWaitMs: options.maxWaitMs ?? 0, minBytes: options.minBytes ?? 0, maxBytes: 1 << 20, isolationLevel: 0,
    sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, topicId, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: BigInt(fetchOffset), lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20, replicaDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA' }] }],
    forgottenTopicsData: [], rackId: '',
  };
}

function recordsOf(response: FetchResponse) {
  const records = response.responses[0]!.partitions[0]!.records ?? Buffer.alloc(0);
  return [...iterateBatches(records)].flatMap((view) => readBatchRecords(view));
}

describe('Produce and Fetch', () => {
  it('stores what kafkajs produces and serves it back by offset, with keys, null values and headers', async () => {
    const kafka = new Kafka({ clientId: 'rill-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'pf', numPartitions: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const first = await producer.send({ topic: 'pf', messages: [
      { key: 'k1', value: 'v1', headers: { h: 'x' } },
      { key: 'k2', value: null },
    ] });
    expect(first[0]).toMatchObject({ errorCode: 0, baseOffset: '0' });
    const second = await producer.send({ topic: 'pf', compression: CompressionTypes.GZIP, messages: [{ key: 'k3', value: 'v3' }] });
    expect(second[0]).toMatchObject({ errorCode: 0, baseOffset: '2' });
    await producer.disconnect();

    const client = await Client.open(broker.port);
    const fetched = await client.call<FetchResponse>(1, 11, fetchRequest('pf', 'AAAAAAAAAAAAAAAAAAAAAA', 0));
    const partition = fetched.responses[0]!.partitions[0]!;
    expect(partition).toMatchObject({ errorCode: 0, highWatermark: 3n, logStartOffset: 0n });
    const records = recordsOf(fetched);
    expect(records.map((r) => [r.offset, r.key?.toString(), r.value?.toString() ?? null])).toEqual([[0, 'k1', 'v1'], [1, 'k2', null], [2, 'k3', 'v3']]);
    expect(records[0]!.headers.map((h) => [h.key.toString(), h.value?.toString()])).toEqual([['h', 'x']]);

    // An offset inside a batch returns that whole batch.
    const fromOne = recordsOf(await client.call<FetchResponse>(1, 11, fetchRequest('pf', 'AAAAAAAAAAAAAAAAAAAAAA', 1)));
    expect(fromOne[0]!.offset).toBe(0);
    const outOfRange = await client.call<FetchResponse>(1, 11, fetchRequest('pf', 'AAAAAAAAAAAAAAAAAAAAAA', 99));
    expect(outOfRange.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);

    // Fetch v0-3 get message format v0/v1, records before the fetch offset dropped.
    for (const [version, magic] of [[0, 0], [3, 1]] as const) {
      const legacy = await client.call<FetchResponse>(1, version, fetchRequest('pf', 'AAAAAAAAAAAAAAAAAAAAAA', 1));
      const messages = parseLegacyMessageSet(legacy.responses[0]!.partitions[0]!.records!);
      expect(messages.map((m) => [m.offset, m.magic, m.key?.toString(), m.value?.toString() ?? null])).toEqual([[1, magic, 'k2', null], [2, magic, 'k3', 'v3']]);
    }

    // Topic ids from v13.
    const metadata = await client.call<MetadataResponse>(3, 12, { topics: [{ name: 'pf', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    const byId = await client.call<FetchResponse>(1, Math.min(16, getApi(1)!.maxVersion), fetchRequest('', metadata.topics[0]!.topicId, 2));
    expect(recordsOf(byId).map((r) => r.value?.toString())).toEqual(['v3']);
    client.socket.destroy();
  });

  it('answers ListOffsets for earliest, latest and by timestamp', async () => {
    const client = await Client.open(broker.port);
    const ask = (timestamp: bigint) => client.call<ListOffsetsResponse>(2, 7, {
      replicaId: -1, isolationLevel: 0, timeoutMs: 1000,
      topics: [{ name: 'pf', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }] }],
    });
    expect((await ask(-2n)).topics[0]!.partitions[0]!.offset).toBe(0n);
    expect((await ask(-1n)).topics[0]!.partitions[0]!.offset).toBe(3n);
    expect((await ask(0n)).topics[0]!.partitions[0]!.offset).toBe(0n);
    expect((await ask(BigInt(Date.now() + 3_600_000))).topics[0]!.partitions[0]!.offset).toBe(-1n);
    client.socket.destroy();
  });

  it('parks a fetch under min_bytes until an append arrives', async () => {
    const client = await Client.open(broker.port);
    const parked = client.call<FetchResponse>(1, 11, fetchRequest('pf', 'AAAAAAAAAAAAAAAAAAAAAA', 3, { maxWaitMs: 30_000, minBytes: 1 }));
    const kafka = new Kafka({ clientId: 'rill-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'pf', messages: [{ value: 'late' }] });
    await producer.disconnect();
    expect(recordsOf(await parked).map((r) => r.value?.toString())).toEqual(['late']);
    client.socket.destroy();
  });

  it('rejects a batch above max.message.bytes with MESSAGE_TOO_LARGE', async () => {
    const kafka = new Kafka({ clientId: 'rill-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'small', configEntries: [{ name: 'max.message.bytes', value: '200' }] }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await expect(producer.send({ topic: 'small', messages: [{ value: 'x'.repeat(500) }] })).rejects.toThrow(/message larger than the max message size/);
    await producer.disconnect();
  });
});

describe('shutdown', () => {
  it('answers a parked fetch at once when the broker stops', async () => {
    const own = await startBroker({ log: () => {} });
    const client = await Client.open(own.port);
    await client.call(19, 7, { topics: [{ name: 'quiet', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
    const parked = client.call<FetchResponse>(1, 11, fetchRequest('quiet', 'AAAAAAAAAAAAAAAAAAAAAA', 0, { maxWaitMs: 600_000, minBytes: 1 }));
    // Requests are dispatched in order: once the marker topic exists, the fetch has started.
    void client.call(19, 7, { topics: [{ name: 'marker', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
    const observer = await Client.open(own.port);
    const allTopics = { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };
    while (!(await observer.call<MetadataResponse>(3, 12, allTopics)).topics.some((t) => t.name === 'marker'));
    observer.socket.destroy();
    const stopped = own.stop();
    const response = await parked;
    expect(response.responses[0]!.partitions[0]!).toMatchObject({ errorCode: 0, highWatermark: 0n });
    expect(recordsOf(response)).toEqual([]);
    await stopped;
  });
});
