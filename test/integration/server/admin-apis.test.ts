// Admin APIs over the wire: IncrementalAlterConfigs, DescribeConfigs sources, DeleteRecords,
// OffsetForLeaderEpoch, DescribeLogDirs, DescribeTopicPartitions, ElectLeaders, DeleteTopics by id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import type {
  CreateTopicsResponse, DeleteRecordsResponse, DeleteTopicsResponse, DescribeConfigsResponse, DescribeLogDirsResponse,
  DescribeTopicPartitionsResponse, ElectLeadersResponse, IncrementalAlterConfigsResponse, OffsetForLeaderEpochResponse, ProduceResponse,
} from '../../../src/protocol/index.js';
import { buildBatch } from '../../../src/protocol/records/records.js';
import { WireClient } from './wire-client.js';

let broker: RunningBroker;
let client: WireClient;

beforeAll(async () => {
  broker = await startBroker({ log: () => {} });
  client = await WireClient.open(broker.port);
  const created = await client.call<CreateTopicsResponse>(19, 7, {
    topics: [
      { name: 'admin-a', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [{ name: 'cleanup.policy', value: 'delete' }] },
      { name: 'admin-b', numPartitions: 1, replicationFactor: -1, assignments: [], configs: [] },
    ],
    timeoutMs: 1000, validateOnly: false,
  });
  expect(created.topics.map((t) => t.errorCode)).toEqual([0, 0]);
  expect(created.topics[0]!.configs!.find((c) => c.name === 'cleanup.policy')).toMatchObject({ value: 'delete', configSource: 1 });
});

afterAll(async () => {
  client.close();
  await broker.stop();
});

async function produce(topic: string, partition: number, count: number, acks = -1): Promise<ProduceResponse> {
  const records = Array.from({ length: count }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from('v'), headers: [], timestampMs: Date.now() }));
  return client.call<ProduceResponse>(0, 9, {
    transactionalId: null, acks, timeoutMs: 1000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records: buildBatch({ records } as never) }] }],
  });
}

function configs(name: string, keys: string[] | null) {
  return client.call<DescribeConfigsResponse>(32, 4, { resources: [{ resourceType: 2, resourceName: name, configurationKeys: keys }], includeSynonyms: true, includeDocumentation: false });
}

describe('IncrementalAlterConfigs', () => {
  it('applies SET, APPEND, SUBTRACT and DELETE, and rejects bad values all-or-nothing', async () => {
    const alter = (ops: { name: string; configOperation: number; value: string | null }[], resourceName = 'admin-a') =>
      client.call<IncrementalAlterConfigsResponse>(44, 1, { resources: [{ resourceType: 2, resourceName, configs: ops }], validateOnly: false });
    expect((await alter([{ name: 'retention.ms', configOperation: 0, value: '5000' }, { name: 'cleanup.policy', configOperation: 2, value: 'compact' }])).responses[0]!.errorCode).toBe(0);
    let described = (await configs('admin-a', ['retention.ms', 'cleanup.policy'])).results[0]!.configs;
    expect(described.map((c) => [c.name, c.value, c.configSource])).toEqual([['cleanup.policy', 'delete,compact', 1], ['retention.ms', '5000', 1]]);
    expect((await alter([{ name: 'cleanup.policy', configOperation: 3, value: 'delete' }, { name: 'retention.ms', configOperation: 1, value: null }])).responses[0]!.errorCode).toBe(0);
    described = (await configs('admin-a', ['retention.ms', 'cleanup.policy'])).results[0]!.configs;
    expect(described.map((c) => [c.name, c.value, c.configSource])).toEqual([['cleanup.policy', 'compact', 1], ['retention.ms', '604800000', 5]]);
    const bad = await alter([{ name: 'segment.ms', configOperation: 0, value: '99' }, { name: 'retention.ms', configOperation: 0, value: 'never' }]);
    expect(bad.responses[0]).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG });
    expect((await configs('admin-a', ['segment.ms'])).results[0]!.configs[0]!.value).toBe('604800000');
    expect((await alter([{ name: 'retention.ms', configOperation: 2, value: '1' }])).responses[0]!.errorCode).toBe(ErrorCode.INVALID_CONFIG);
    expect((await alter([{ name: 'retention.ms', configOperation: 0, value: '1' }], 'no-such-topic')).responses[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('changes broker defaults cluster-wide and topics see them', async () => {
    const response = await client.call<IncrementalAlterConfigsResponse>(44, 1, {
      resources: [{ resourceType: 4, resourceName: '', configs: [{ name: 'log.retention.ms', configOperation: 0, value: '7777' }] }], validateOnly: false,
    });
    expect(response.responses[0]!.errorCode).toBe(0);
    const retention = (await configs('admin-b', ['retention.ms'])).results[0]!.configs[0]!;
    expect(retention).toMatchObject({ value: '7777', configSource: 3 });
    const readOnly = await client.call<IncrementalAlterConfigsResponse>(44, 1, {
      resources: [{ resourceType: 4, resourceName: '1', configs: [{ name: 'num.partitions', configOperation: 0, value: '3' }] }], validateOnly: false,
    });
    expect(readOnly.responses[0]!.errorCode).toBe(ErrorCode.INVALID_CONFIG);
    const otherBroker = await configs('x', null).then(() => client.call<DescribeConfigsResponse>(32, 4, { resources: [{ resourceType: 4, resourceName: '7', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false }));
    expect(otherBroker.results[0]!.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });
});

describe('Produce acks', () => {
  it('answers NOT_ENOUGH_REPLICAS for acks=-1 when min.insync.replicas exceeds the single-node ISR, and INVALID_REQUIRED_ACKS for bad acks', async () => {
    await client.call<CreateTopicsResponse>(19, 7, {
      topics: [{ name: 'strict', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'min.insync.replicas', value: '2' }] }],
      timeoutMs: 1000, validateOnly: false,
    });
    const errorOf = (response: ProduceResponse) => response.responses[0]!.partitionResponses[0]!.errorCode;
    expect(errorOf(await produce('strict', 0, 1, -1))).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(errorOf(await produce('strict', 0, 1, 1))).toBe(0);
    expect(errorOf(await produce('strict', 0, 1, 2))).toBe(ErrorCode.INVALID_REQUIRED_ACKS);
    expect(errorOf(await produce('no-such-topic', 0, 1, 1))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});

describe('max.message.bytes', () => {
  it('accepts a batch of exactly max.message.bytes and rejects one byte more with MESSAGE_TOO_LARGE', async () => {
    const batch = buildBatch({ records: [{ key: null, value: Buffer.alloc(1000, 1), headers: [], timestampMs: Date.now() }] } as never);
    const send = async (topic: string) => {
      const response = await client.call<ProduceResponse>(0, 9, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records: Buffer.from(batch) }] }] });
      return response.responses[0]!.partitionResponses[0]!.errorCode;
    };
    for (const [name, limit] of [['fits', batch.length], ['too-small', batch.length - 1]] as const) {
      await client.call<CreateTopicsResponse>(19, 7, { topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'max.message.bytes', value: String(limit) }] }], timeoutMs: 1000, validateOnly: false });
    }
    expect(await send('fits')).toBe(0);
    expect(await send('too-small')).toBe(ErrorCode.MESSAGE_TOO_LARGE);
  });
});

describe('partition admin APIs', () => {
  it('DeleteRecords moves the log start offset, bounded by the high watermark', async () => {
    expect((await produce('admin-b', 0, 5)).responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
    const ask = (offset: bigint) => client.call<DeleteRecordsResponse>(21, 2, { topics: [{ name: 'admin-b', partitions: [{ partitionIndex: 0, offset }] }], timeoutMs: 1000 });
    expect((await ask(3n)).topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, lowWatermark: 3n });
    expect((await ask(99n)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect((await ask(-1n)).topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, lowWatermark: 5n });
  });

  it('OffsetForLeaderEpoch answers the end offset of epoch 0 and fences stale epochs', async () => {
    const response = await client.call<OffsetForLeaderEpochResponse>(23, 4, {
      replicaId: -1,
      topics: [{ topic: 'admin-b', partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }, { partition: 0, currentLeaderEpoch: 5, leaderEpoch: 0 }, { partition: 9, currentLeaderEpoch: -1, leaderEpoch: 0 }] }],
    });
    expect(response.topics[0]!.partitions.map((p) => [p.errorCode, p.endOffset])).toEqual([[0, 5n], [ErrorCode.UNKNOWN_LEADER_EPOCH, -1n], [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1n]]);
  });

  it('DescribeLogDirs reports partition sizes', async () => {
    const response = await client.call<DescribeLogDirsResponse>(35, 4, { topics: [{ topic: 'admin-b', partitions: [0] }] });
    const dir = response.results[0]!;
    expect(dir.logDir).toBe(broker.dataDirs[0]);
    expect(dir.topics[0]!.partitions[0]!.partitionSize).toBeGreaterThan(0n);
    expect(dir.totalBytes).toBeGreaterThan(0n);
  });

  it('DescribeTopicPartitions pages with a cursor', async () => {
    const first = await client.call<DescribeTopicPartitionsResponse>(75, 0, { topics: [{ name: 'admin-a' }, { name: 'admin-b' }, { name: 'nope' }], responsePartitionLimit: 2, cursor: null });
    expect(first.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)])).toEqual([['admin-a', [0, 1]]]);
    expect(first.nextCursor).toEqual({ topicName: 'admin-a', partitionIndex: 2 });
    const second = await client.call<DescribeTopicPartitionsResponse>(75, 0, { topics: [{ name: 'admin-a' }, { name: 'admin-b' }, { name: 'nope' }], responsePartitionLimit: 10, cursor: first.nextCursor });
    expect(second.topics.map((t) => [t.name, t.errorCode, t.partitions.map((p) => p.partitionIndex)])).toEqual([
      ['admin-a', 0, [2]], ['admin-b', 0, [0]], ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, []],
    ]);
    expect(second.nextCursor).toBeNull();
  });

  it('ElectLeaders succeeds for hosted partitions only', async () => {
    const response = await client.call<ElectLeadersResponse>(43, 2, { electionType: 0, topicPartitions: [{ topic: 'admin-b', partitions: [0, 4] }], timeoutMs: 1000 });
    expect(response.replicaElectionResults[0]!.partitionResult.map((p) => p.errorCode)).toEqual([0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  });

  it('DeleteTopics v6 deletes by topic id and reports unknown ids', async () => {
    const topicId = (await client.call<DescribeTopicPartitionsResponse>(75, 0, { topics: [{ name: 'admin-a' }], responsePartitionLimit: 10, cursor: null })).topics[0]!.topicId;
    const response = await client.call<DeleteTopicsResponse>(20, 6, { topics: [{ name: null, topicId }, { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' }], topicNames: [], timeoutMs: 1000 });
    expect(response.responses.map((r) => [r.name, r.errorCode])).toEqual([['admin-a', 0], [null, ErrorCode.UNKNOWN_TOPIC_ID]]);
  });
});
