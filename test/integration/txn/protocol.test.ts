// Protocol-level exactly-once checks with exact versions and fields (Rill's own codecs over one
// socket): sequence and epoch errors, duplicates answered with their original offset, the
// transaction coordinator's errors, verify-only AddPartitionsToTxn, Describe/List APIs, and
// read_committed Fetch with the aborted-transactions list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { buildBatch } from '../../../src/protocol/records/index.js';
import { RawClient } from '../groups/raw-client.js';
import { kafkaFor, txnTestConfig, uniqueName } from './helpers.js';

let broker: RunningBroker;
let client: RawClient;

beforeAll(async () => {
  broker = await startBroker({ config: txnTestConfig, log: () => {} });
  client = await RawClient.open(broker.port);
});

afterAll(async () => {
  client.close();
  await broker.stop();
});

async function createTopic(topic: string, partitions = 1): Promise<void> {
  const admin = kafkaFor(broker.bootstrap).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
  await admin.disconnect();
}

interface Ids { producerId: bigint; producerEpoch: number }

async function initProducerId(transactionalId: string | null, timeoutMs = 10_000, current: Ids = { producerId: -1n, producerEpoch: -1 }): Promise<{ errorCode: number } & Ids> {
  return client.call(22, 4, { transactionalId, transactionTimeoutMs: timeoutMs, ...current });
}

interface BatchSpec { producerId: bigint; producerEpoch: number; baseSequence: number; count: number; transactional?: boolean }

function batch(spec: BatchSpec): Buffer {
  const records = Array.from({ length: spec.count }, (_, i) => ({ key: null, value: Buffer.from(`s${spec.baseSequence + i}`) }));
  return buildBatch({ records, producerId: Number(spec.producerId), producerEpoch: spec.producerEpoch, baseSequence: spec.baseSequence, isTransactional: spec.transactional });
}

async function produce(topic: string, spec: BatchSpec, transactionalId: string | null = null): Promise<{ errorCode: number; baseOffset: bigint }> {
  const response = await client.call<{ responses: { partitionResponses: { errorCode: number; baseOffset: bigint }[] }[] }>(0, 9, {
    transactionalId, acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch(spec) }] }],
  });
  return response.responses[0]!.partitionResponses[0]!;
}

async function addPartitions(transactionalId: string, ids: Ids, topic: string, partitions = [0]): Promise<number[]> {
  const response = await client.call<{ resultsByTopicV3AndBelow: { resultsByPartition: { partitionErrorCode: number }[] }[] }>(24, 3, {
    v3AndBelowTransactionalId: transactionalId, v3AndBelowProducerId: ids.producerId, v3AndBelowProducerEpoch: ids.producerEpoch,
    v3AndBelowTopics: [{ name: topic, partitions }], transactions: [],
  });
  return response.resultsByTopicV3AndBelow.flatMap((t) => t.resultsByPartition.map((p) => p.partitionErrorCode));
}

async function endTxn(transactionalId: string, ids: Ids, committed: boolean): Promise<number> {
  const response = await client.call<{ errorCode: number }>(26, 3, { transactionalId, ...ids, committed });
  return response.errorCode;
}

async function fetchCommitted(topic: string): Promise<{ lastStableOffset: bigint; highWatermark: bigint; abortedTransactions: { producerId: bigint; firstOffset: bigint }[] | null }> {
  const response = await client.call<{ responses: { partitions: { lastStableOffset: bigint; highWatermark: bigint; abortedTransactions: { producerId: bigint; firstOffset: bigint }[] | null }[] }[] }>(1, 11, {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 1, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  return response.responses[0]!.partitions[0]!;
}

describe('idempotent produce', () => {
  it('answers a duplicate with its original offset, rejects gaps and old epochs', async () => {
    const topic = uniqueName('seq');
    await createTopic(topic);
    const ids = await initProducerId(null);
    expect(ids.errorCode).toBe(ErrorCode.NONE);
    const first = await produce(topic, { ...ids, baseSequence: 0, count: 3 });
    expect(first).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    expect(await produce(topic, { ...ids, baseSequence: 3, count: 2 })).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 3n });
    expect(await produce(topic, { ...ids, baseSequence: 0, count: 3 })).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    expect((await produce(topic, { ...ids, baseSequence: 9, count: 1 })).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect((await produce(topic, { ...ids, producerEpoch: 1, baseSequence: 4, count: 1 })).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(await produce(topic, { ...ids, producerEpoch: 1, baseSequence: 0, count: 1 })).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 5n });
    expect((await produce(topic, { ...ids, baseSequence: 5, count: 1 })).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    const offsets = await kafkaFor(broker.bootstrap).admin();
    await offsets.connect();
    expect((await offsets.fetchTopicOffsets(topic))[0]!.high).toBe('6');
    await offsets.disconnect();
  });

  it('hands out distinct producer ids', async () => {
    const a = await initProducerId(null);
    const b = await initProducerId(null);
    expect(a.producerId).not.toBe(b.producerId);
  });
});

describe('transaction coordinator errors', () => {
  it('rejects timeouts above transaction.max.timeout.ms and empty ids', async () => {
    expect((await initProducerId(uniqueName('tid'), 120_000)).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    expect((await initProducerId(uniqueName('tid'), 0)).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    expect((await initProducerId('')).errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('bumps the epoch on re-init and fences the old one (KIP-360 checks)', async () => {
    const transactionalId = uniqueName('tid');
    const first = await initProducerId(transactionalId);
    const second = await initProducerId(transactionalId);
    expect(second.producerId).toBe(first.producerId);
    expect(second.producerEpoch).toBe(first.producerEpoch + 1);
    const again = await initProducerId(transactionalId, 10_000, { producerId: second.producerId, producerEpoch: second.producerEpoch });
    expect(again.producerEpoch).toBe(second.producerEpoch + 1);
    expect((await initProducerId(transactionalId, 10_000, { producerId: first.producerId, producerEpoch: first.producerEpoch })).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect((await initProducerId(transactionalId, 10_000, { producerId: 999_999n, producerEpoch: 0 })).errorCode).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    const topic = uniqueName('fenced');
    await createTopic(topic);
    expect(await addPartitions(transactionalId, first, topic)).toEqual([ErrorCode.PRODUCER_FENCED]);
  });

  it('checks partitions, producer ids and states', async () => {
    const topic = uniqueName('states');
    await createTopic(topic);
    const transactionalId = uniqueName('tid');
    const ids = await initProducerId(transactionalId);
    expect(await endTxn(transactionalId, ids, true)).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(await addPartitions(transactionalId, { producerId: ids.producerId + 100n, producerEpoch: ids.producerEpoch }, topic)).toEqual([ErrorCode.INVALID_PRODUCER_ID_MAPPING]);
    expect(await addPartitions(uniqueName('unknown'), ids, topic)).toEqual([ErrorCode.INVALID_PRODUCER_ID_MAPPING]);
    expect(await addPartitions(transactionalId, ids, topic, [0, 5])).toEqual([ErrorCode.OPERATION_NOT_ATTEMPTED, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    expect((await produce(topic, { ...ids, baseSequence: 0, count: 1, transactional: true }, transactionalId)).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(await addPartitions(transactionalId, ids, topic)).toEqual([ErrorCode.NONE]);
    expect((await produce(topic, { ...ids, baseSequence: 0, count: 1, transactional: true }, transactionalId)).errorCode).toBe(ErrorCode.NONE);
    expect(await endTxn(transactionalId, ids, true)).toBe(ErrorCode.NONE);
    expect(await endTxn(transactionalId, ids, true)).toBe(ErrorCode.NONE);
    expect(await endTxn(transactionalId, ids, false)).toBe(ErrorCode.INVALID_TXN_STATE);
  });

  it('answers verify-only AddPartitionsToTxn (v4+) without adding', async () => {
    const topic = uniqueName('verify');
    await createTopic(topic, 2);
    const transactionalId = uniqueName('tid');
    const ids = await initProducerId(transactionalId);
    expect(await addPartitions(transactionalId, ids, topic, [0])).toEqual([ErrorCode.NONE]);
    const response = await client.call<{ resultsByTransaction: { topicResults: { resultsByPartition: { partitionIndex: number; partitionErrorCode: number }[] }[] }[] }>(24, 4, {
      transactions: [{ transactionalId, ...ids, verifyOnly: true, topics: [{ name: topic, partitions: [0, 1] }] }],
      v3AndBelowTransactionalId: '', v3AndBelowProducerId: 0n, v3AndBelowProducerEpoch: 0, v3AndBelowTopics: [],
    });
    const codes = response.resultsByTransaction[0]!.topicResults[0]!.resultsByPartition.map((p) => p.partitionErrorCode);
    expect(codes).toEqual([ErrorCode.NONE, ErrorCode.INVALID_TXN_STATE]);
    expect((await produce(topic, { ...ids, baseSequence: 0, count: 1, transactional: true }, transactionalId)).errorCode).toBe(ErrorCode.NONE);
    expect(await endTxn(transactionalId, ids, false)).toBe(ErrorCode.NONE);
  });
});

describe('read side and describe APIs', () => {
  it('holds the LSO at an open transaction and lists aborted ones', async () => {
    const topic = uniqueName('lso');
    await createTopic(topic);
    const transactionalId = uniqueName('tid');
    const ids = await initProducerId(transactionalId);
    const plain = await initProducerId(null);
    expect((await produce(topic, { ...plain, baseSequence: 0, count: 2 })).baseOffset).toBe(0n);
    expect(await addPartitions(transactionalId, ids, topic)).toEqual([ErrorCode.NONE]);
    expect((await produce(topic, { ...ids, baseSequence: 0, count: 3, transactional: true }, transactionalId)).baseOffset).toBe(2n);
    expect((await produce(topic, { ...plain, baseSequence: 2, count: 1 })).baseOffset).toBe(5n);
    let read = await fetchCommitted(topic);
    expect(read.lastStableOffset).toBe(2n);
    expect(read.highWatermark).toBe(6n);

    const described = await client.call<{ transactionStates: { errorCode: number; transactionState: string; topics: { topic: string; partitions: number[] }[] }[] }>(65, 0, { transactionalIds: [transactionalId, uniqueName('nope')] });
    expect(described.transactionStates[0]).toMatchObject({ errorCode: ErrorCode.NONE, transactionState: 'Ongoing', topics: [{ topic, partitions: [0] }] });
    expect(described.transactionStates[1]!.errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    const listed = await client.call<{ transactionStates: { transactionalId: string }[]; unknownStateFilters: string[] }>(66, 1, { stateFilters: ['Ongoing', 'Bogus'], producerIdFilters: [], durationFilter: -1n });
    expect(listed.transactionStates.map((t) => t.transactionalId)).toContain(transactionalId);
    expect(listed.unknownStateFilters).toEqual(['Bogus']);
    const producers = await client.call<{ topics: { partitions: { activeProducers: { producerId: bigint; currentTxnStartOffset: bigint; lastSequence: number }[] }[] }[] }>(61, 0, { topics: [{ name: topic, partitionIndexes: [0] }] });
    const active = producers.topics[0]!.partitions[0]!.activeProducers;
    expect(active.find((p) => p.producerId === ids.producerId)).toMatchObject({ currentTxnStartOffset: 2n, lastSequence: 2 });
    expect(active.find((p) => p.producerId === plain.producerId)).toMatchObject({ currentTxnStartOffset: -1n, lastSequence: 2 });

    expect(await endTxn(transactionalId, ids, false)).toBe(ErrorCode.NONE);
    read = await fetchCommitted(topic);
    expect(read.lastStableOffset).toBe(7n);
    expect(read.abortedTransactions).toEqual([{ producerId: ids.producerId, firstOffset: 2n }]);
  });
});
