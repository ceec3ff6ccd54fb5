// KIP-227 fetch sessions over the wire (Fetch v12, by topic name).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import type { FetchResponse, ProduceResponse } from '../../../src/protocol/index.js';
import { buildBatch } from '../../../src/protocol/records/records.js';
import { WireClient } from './wire-client.js';

let broker: RunningBroker;
let client: WireClient;

beforeAll(async () => {
  broker = await startBroker({ log: () => {} });
  client = await WireClient.open(broker.port);
  await client.call(19, 7, { topics: [{ name: 'fs', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
  await produce(0);
});

afterAll(async () => {
  client.close();
  await broker.stop();
});

async function produce(partition: number): Promise<void> {
  const records = [{ key: null, value: Buffer.from(`p${partition}`), headers: [], timestampMs: Date.now() }];
  const response = await client.call<ProduceResponse>(0, 9, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 'fs', partitionData: [{ index: partition, records: buildBatch({ records } as never) }] }] });
  expect(response.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
}

function partition(index: number, fetchOffset: number) {
  return { partition: index, currentLeaderEpoch: -1, fetchOffset: BigInt(fetchOffset), lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 65536, replicaDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA' };
}

function fetch(sessionId: number, sessionEpoch: number, partitions: ReturnType<typeof partition>[], forgotten: number[] = []) {
  return client.call<FetchResponse>(1, 12, {
    clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1n }, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20,
    isolationLevel: 0, sessionId, sessionEpoch,
    topics: partitions.length === 0 ? [] : [{ topic: 'fs', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions }],
    forgottenTopicsData: forgotten.length === 0 ? [] : [{ topic: 'fs', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: forgotten }],
    rackId: '',
  });
}

const answered = (response: FetchResponse) => response.responses.flatMap((t) => t.partitions.map((p) => [p.partitionIndex, p.records?.length ?? 0]));

describe('fetch sessions', () => {
  it('creates a session, answers increments with changes only, honours forgotten partitions and epochs', async () => {
    const full = await fetch(0, 0, [partition(0, 0), partition(1, 0)]);
    expect(full.errorCode).toBe(0);
    expect(full.sessionId).toBeGreaterThan(0);
    expect(answered(full).map(([p]) => p)).toEqual([0, 1]);
    const sessionId = full.sessionId;

    const quiet = await fetch(sessionId, 1, [partition(0, 1)]);
    expect(quiet).toMatchObject({ errorCode: 0, sessionId });
    expect(answered(quiet)).toEqual([]);

    await produce(1);
    const news = await fetch(sessionId, 2, []);
    expect(answered(news).map(([p]) => p)).toEqual([1]);
    expect(answered(news)[0]![1]).toBeGreaterThan(0);

    expect((await fetch(sessionId, 9, [])).errorCode).toBe(ErrorCode.INVALID_FETCH_SESSION_EPOCH);

    await produce(1);
    const forgotten = await fetch(sessionId, 3, [], [1]);
    expect(answered(forgotten)).toEqual([]);

    await produce(0);
    expect(answered(await fetch(sessionId, 4, [])).map(([p]) => p)).toEqual([0]);

    const closed = await fetch(sessionId, -1, [partition(0, 0)]);
    expect(closed).toMatchObject({ errorCode: 0, sessionId: 0 });
    expect((await fetch(sessionId, 5, [])).errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  });

  it('answers sessionless fetches with session id 0 and names unknown topics as asked', async () => {
    const response = await client.call<FetchResponse>(1, 12, {
      clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1n }, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20,
      isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 'missing', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [partition(0, 0)] }], forgottenTopicsData: [], rackId: '',
    });
    expect(response.sessionId).toBe(0);
    expect(response.responses).toEqual([expect.objectContaining({ topic: 'missing', partitions: [expect.objectContaining({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION })] })]);
  });
});
