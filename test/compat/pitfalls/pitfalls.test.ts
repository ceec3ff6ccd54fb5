// DESIGN.md's "Compatibility pitfalls other Kafka-compatible brokers fell into", checked with
// raw requests through Rill's generated codecs (the broker-side behaviour every client relies
// on). Results go to the "broker" rows of COMPATIBILITY.md.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import {
  type ApiVersionsResponse,
  type CreatePartitionsResponse,
  type CreateTopicsResponse,
  type DescribeConfigsResponse,
  type DescribeConfigsResponseDescribeConfigsResourceResult as ConfigEntry,
  type FetchResponse,
  type IncrementalAlterConfigsResponse,
  type ListOffsetsResponse,
  type MetadataResponse,
  type ProduceResponse,
} from '../../../src/protocol/index.js';
import { buildBatch, iterateBatches, readBatchRecords, type BatchBuildInput } from '../../../src/protocol/records/index.js';
import { compatRecorder } from '../harness.js';
import { Wire } from '../wire.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const T0 = 1_700_000_000_000;
const LIMIT = 100_000;
const Errors = { NONE: 0, UNKNOWN_TOPIC_OR_PARTITION: 3, MESSAGE_TOO_LARGE: 10, INVALID_TOPIC_EXCEPTION: 17, INVALID_PARTITIONS: 37, INVALID_CONFIG: 40, INVALID_RECORD: 87 };
const ConfigSource = { DYNAMIC_TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 };
const ConfigType = { INT: 3, LONG: 5, LIST: 7 };
const Op = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 };
const TOPIC = 2;
const BROKER = 4;

let broker: RunningBroker;
let wire: Wire;

async function createTopic(name: string, numPartitions = 1, configs: Record<string, string> = {}): Promise<number> {
  const response = await wire.call<CreateTopicsResponse>(19, 5, {
    topics: [{ name, numPartitions, replicationFactor: 1, assignments: [], configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }],
    timeoutMs: 5000, validateOnly: false,
  });
  return response.topics[0]!.errorCode;
}

function batch(values: Array<string | null>, options: Partial<BatchBuildInput> & { keys?: Array<string | null>; deltas?: number[] } = {}): Buffer {
  const records = values.map((v, i) => ({
    key: options.keys === undefined ? Buffer.from(`k${i}`) : options.keys[i] === null ? null : Buffer.from(options.keys[i]!),
    value: v === null ? null : Buffer.from(v),
    headers: [],
    timestampDelta: options.deltas?.[i] ?? 0,
  }));
  return buildBatch({ baseTimestamp: T0, ...options, records });
}

async function produce(topic: string, records: Buffer, partition = 0): Promise<{ errorCode: number; baseOffset: bigint }> {
  const response = await wire.call<ProduceResponse>(0, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] });
  return response.responses[0]!.partitionResponses[0]!;
}

async function fetchAt(topic: string, fetchOffset: number, version = 11): Promise<Buffer> {
  const response = await wire.call<FetchResponse>(1, version, {
    clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1n }, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20,
    isolationLevel: 0, sessionId: 0, sessionEpoch: -1, forgottenTopicsData: [], rackId: '',
    topics: [{ topic, topicId: ZERO_UUID, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: BigInt(fetchOffset), lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20, replicaDirectoryId: ZERO_UUID }] }],
  });
  const data = response.responses[0]!.partitions[0]!;
  expect(data.errorCode).toBe(0);
  return data.records ?? Buffer.alloc(0);
}

async function listOffset(topic: string, timestamp: number): Promise<{ errorCode: number; offset: bigint; timestamp: bigint }> {
  const response = await wire.call<ListOffsetsResponse>(2, 7, {
    replicaId: -1, isolationLevel: 0, timeoutMs: 5000,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: BigInt(timestamp), maxNumOffsets: 1 }] }],
  });
  return response.topics[0]!.partitions[0]!;
}

async function describeConfigs(resourceType: number, resourceName: string, keys: string[] | null = null): Promise<Map<string, ConfigEntry>> {
  const response = await wire.call<DescribeConfigsResponse>(32, 4, { resources: [{ resourceType, resourceName, configurationKeys: keys }], includeSynonyms: false, includeDocumentation: true });
  const result = response.results[0]!;
  expect(result.errorCode).toBe(0);
  return new Map(result.configs.map((c) => [c.name, c]));
}

async function alter(topic: string, configs: Array<{ name: string; configOperation: number; value: string | null }>): Promise<number> {
  const response = await wire.call<IncrementalAlterConfigsResponse>(44, 1, { resources: [{ resourceType: TOPIC, resourceName: topic, configs }], validateOnly: false });
  return response.responses[0]!.errorCode;
}

async function metadata(names: string[], allowAutoTopicCreation: boolean): Promise<MetadataResponse> {
  return wire.call<MetadataResponse>(3, 12, { topics: names.map((name) => ({ topicId: ZERO_UUID, name })), allowAutoTopicCreation, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
}

describe('broker pitfalls', () => {
  const compat = compatRecorder('broker', 'broker-pitfalls');

  beforeAll(async () => {
    broker = await startBroker({ config: { 'num.partitions': 4, 'message.max.bytes': LIMIT, 'auto.create.topics.enable': true }, log: () => {} });
    wire = await Wire.open(broker.port);
  });

  afterAll(async () => {
    wire?.close();
    await broker?.stop();
  });

  compat.scenario('fetch at an offset inside a batch returns the whole batch', async () => {
    expect(await createTopic('inside')).toBe(0);
    // Current timestamps: an old one would roll a segment per batch (segment.ms), as in Kafka,
    // and a fetch answers from one segment.
    const now = Date.now();
    expect((await produce('inside', batch(['a', 'b', 'c', 'd', 'e'], { baseTimestamp: now }))).errorCode).toBe(0);
    expect((await produce('inside', batch(['f', 'g'], { compression: 'gzip', baseTimestamp: now }))).baseOffset).toBe(5n);
    for (const version of [4, 11]) {
      const batches = [...iterateBatches(await fetchAt('inside', 3, version))];
      expect(batches.map((b) => [b.baseOffset, b.recordCount]), `Fetch v${version}`).toEqual([[0, 5], [5, 2]]);
      expect(readBatchRecords(batches[0]!).map((r) => [r.offset, r.value?.toString()])).toEqual([[0, 'a'], [1, 'b'], [2, 'c'], [3, 'd'], [4, 'e']]);
    }
    const fromCompressed = [...iterateBatches(await fetchAt('inside', 6))];
    expect(fromCompressed.map((b) => [b.baseOffset, b.compression])).toEqual([[5, 'gzip']]);
  });

  compat.scenario('ListOffsets by timestamp: first offset whose timestamp >= target', async () => {
    expect(await createTopic('times')).toBe(0);
    await produce('times', batch(['t0', 't1', 't2'], { deltas: [0, 1000, 2000] }));
    // A second batch whose record timestamps are not in offset order.
    await produce('times', batch(['t5', 't3', 't4'], { deltas: [5000, 3000, 4000] }));
    expect(await listOffset('times', T0 + 1500)).toMatchObject({ errorCode: 0, offset: 2n, timestamp: BigInt(T0 + 2000) });
    expect(await listOffset('times', T0 + 2000)).toMatchObject({ errorCode: 0, offset: 2n, timestamp: BigInt(T0 + 2000) });
    expect(await listOffset('times', T0 + 3500)).toMatchObject({ errorCode: 0, offset: 3n, timestamp: BigInt(T0 + 5000) });
    expect(await listOffset('times', T0)).toMatchObject({ errorCode: 0, offset: 0n, timestamp: BigInt(T0) });
    expect(await listOffset('times', T0 + 9000)).toMatchObject({ errorCode: 0, offset: -1n, timestamp: -1n });
    expect(await listOffset('times', -1)).toMatchObject({ errorCode: 0, offset: 6n });
    expect(await listOffset('times', -2)).toMatchObject({ errorCode: 0, offset: 0n });
    expect(await listOffset('times', -3)).toMatchObject({ errorCode: 0, offset: 3n, timestamp: BigInt(T0 + 5000) });
  });

  compat.scenario('CreatePartitions answers one result per topic', async () => {
    expect(await createTopic('grow', 1)).toBe(0);
    expect(await createTopic('same', 2)).toBe(0);
    const response = await wire.call<CreatePartitionsResponse>(37, 3, {
      topics: [{ name: 'grow', count: 3, assignments: null }, { name: 'nope', count: 2, assignments: null }, { name: 'same', count: 2, assignments: null }],
      timeoutMs: 5000, validateOnly: false,
    });
    const byName = Object.fromEntries(response.results.map((r) => [r.name, r.errorCode]));
    expect(response.results).toHaveLength(3);
    expect(byName).toEqual({ grow: Errors.NONE, nope: Errors.UNKNOWN_TOPIC_OR_PARTITION, same: Errors.INVALID_PARTITIONS });
    const md = await metadata(['grow'], false);
    expect(md.topics[0]!.partitions).toHaveLength(3);
  });

  compat.scenario('DescribeConfigs returns every config with value, source, type and read-only flag', async () => {
    expect(await createTopic('described', 1, { 'retention.ms': '12345' })).toBe(0);
    const configs = await describeConfigs(TOPIC, 'described');
    for (const name of ['cleanup.policy', 'compression.type', 'retention.ms', 'retention.bytes', 'segment.bytes', 'max.message.bytes', 'min.insync.replicas', 'message.timestamp.type', 'segment.ms', 'delete.retention.ms']) {
      expect(configs.has(name), name).toBe(true);
    }
    expect(configs.size).toBeGreaterThanOrEqual(20);
    expect(configs.get('retention.ms')).toMatchObject({ value: '12345', configSource: ConfigSource.DYNAMIC_TOPIC_CONFIG, readOnly: false, configType: ConfigType.LONG });
    expect(configs.get('cleanup.policy')).toMatchObject({ value: 'delete', configSource: ConfigSource.DEFAULT_CONFIG, readOnly: false, configType: ConfigType.LIST });
    // A topic config whose broker default was set in the broker's config reports that source.
    expect(configs.get('max.message.bytes')).toMatchObject({ value: String(LIMIT), configSource: ConfigSource.STATIC_BROKER_CONFIG, configType: ConfigType.INT });
    expect([...configs.values()].every((c) => c.readOnly === false && typeof c.documentation === 'string')).toBe(true);
    const brokerConfigs = await describeConfigs(BROKER, String(broker.config.nodeId));
    expect(brokerConfigs.size).toBeGreaterThanOrEqual(20);
    expect(brokerConfigs.get('message.max.bytes')).toMatchObject({ value: String(LIMIT), configSource: ConfigSource.STATIC_BROKER_CONFIG });
    expect(brokerConfigs.get('log.retention.hours')).toMatchObject({ value: '168', configSource: ConfigSource.DEFAULT_CONFIG });
    expect([...brokerConfigs.values()].some((c) => c.readOnly)).toBe(true);
  });

  compat.scenario('IncrementalAlterConfigs SET, DELETE, APPEND, SUBTRACT', async () => {
    expect(await createTopic('altered')).toBe(0);
    const value = async (name: string) => (await describeConfigs(TOPIC, 'altered', [name])).get(name)!;
    expect(await alter('altered', [{ name: 'retention.ms', configOperation: Op.SET, value: '1234' }])).toBe(0);
    expect(await value('retention.ms')).toMatchObject({ value: '1234', configSource: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    expect(await alter('altered', [{ name: 'retention.ms', configOperation: Op.DELETE, value: null }])).toBe(0);
    expect(await value('retention.ms')).toMatchObject({ value: '604800000', configSource: ConfigSource.DEFAULT_CONFIG });
    expect(await alter('altered', [{ name: 'cleanup.policy', configOperation: Op.APPEND, value: 'compact' }])).toBe(0);
    expect((await value('cleanup.policy')).value).toBe('delete,compact');
    expect(await alter('altered', [{ name: 'cleanup.policy', configOperation: Op.SUBTRACT, value: 'delete' }])).toBe(0);
    expect((await value('cleanup.policy')).value).toBe('compact');
    expect(await alter('altered', [{ name: 'retention.ms', configOperation: Op.APPEND, value: '5' }])).toBe(Errors.INVALID_CONFIG);
    expect(await alter('altered', [{ name: 'retention.ms', configOperation: Op.SET, value: 'soon' }])).toBe(Errors.INVALID_CONFIG);
  });

  compat.scenario('keyless record on a compacted topic is INVALID_RECORD', async () => {
    expect(await createTopic('compacted', 1, { 'cleanup.policy': 'compact' })).toBe(0);
    expect((await produce('compacted', batch(['keyed'])))).toMatchObject({ errorCode: 0, baseOffset: 0n });
    expect((await produce('compacted', batch(['x', 'y'], { keys: ['k', null] }))).errorCode).toBe(Errors.INVALID_RECORD);
    expect((await produce('compacted', batch(['z'], { keys: [null], compression: 'lz4' }))).errorCode).toBe(Errors.INVALID_RECORD);
    expect(await listOffset('compacted', -1)).toMatchObject({ offset: 1n });
  });

  compat.scenario('invalid topic names are INVALID_TOPIC_EXCEPTION', async () => {
    for (const name of ['bad name', 'a/b', '.', '..', 'x'.repeat(250), 'tab\t', 'ünïcode']) {
      expect(await createTopic(name), JSON.stringify(name)).toBe(Errors.INVALID_TOPIC_EXCEPTION);
    }
    expect(await createTopic('x'.repeat(249))).toBe(0);
    const md = await metadata(['bad!name'], true);
    expect(md.topics.map((t) => [t.name, t.errorCode])).toEqual([['bad!name', Errors.INVALID_TOPIC_EXCEPTION]]);
    const all = await metadata([], false);
    expect(all.topics.map((t) => t.name)).not.toContain('bad!name');
  });

  compat.scenario('Metadata auto-creates a topic with num.partitions', async () => {
    const created = await metadata(['auto-four'], true);
    expect(created.topics[0]!.errorCode === 0 || created.topics[0]!.errorCode === 5).toBe(true); // NONE or LEADER_NOT_AVAILABLE
    const md = await metadata(['auto-four'], false);
    expect(md.topics[0]).toMatchObject({ name: 'auto-four', errorCode: 0 });
    expect(md.topics[0]!.partitions).toHaveLength(4);
    const none = await metadata(['not-auto'], false);
    expect(none.topics[0]!.errorCode).toBe(Errors.UNKNOWN_TOPIC_OR_PARTITION);
  });

  compat.scenario('max.message.bytes applies to the batch as sent (compressed size) and per topic', async () => {
    expect(await createTopic('sized')).toBe(0);
    const compressible = 'z'.repeat(5 * LIMIT);
    expect(await produce('sized', batch([compressible], { compression: 'gzip' }))).toMatchObject({ errorCode: 0, baseOffset: 0n });
    expect((await produce('sized', batch(['q'.repeat(LIMIT)]))).errorCode).toBe(Errors.MESSAGE_TOO_LARGE);
    expect((await produce('sized', batch(['q'.repeat(LIMIT - 100)]))).errorCode).toBe(0);
    // A topic's max.message.bytes overrides the broker's message.max.bytes, both ways.
    expect(await createTopic('sized-small', 1, { 'max.message.bytes': '2000' })).toBe(0);
    expect((await produce('sized-small', batch(['s'.repeat(2000)]))).errorCode).toBe(Errors.MESSAGE_TOO_LARGE);
    expect((await produce('sized-small', batch(['s'.repeat(1000)]))).errorCode).toBe(0);
    expect(await createTopic('sized-large', 1, { 'max.message.bytes': String(4 * LIMIT) })).toBe(0);
    expect((await produce('sized-large', batch(['l'.repeat(2 * LIMIT)]))).errorCode).toBe(0);
  });

  compat.scenario('ApiVersions advertises Produce from v0, EndTxn and AddPartitionsToTxn', async () => {
    const response = await wire.call<ApiVersionsResponse>(18, 3, { clientSoftwareName: 'rill-compat', clientSoftwareVersion: '1' });
    const ranges = new Map(response.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
    expect(ranges.get(0)?.[0]).toBe(0);
    expect(ranges.get(0)?.[1]).toBeGreaterThanOrEqual(9);
    for (const key of [1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 18, 19, 20, 22, 24, 25, 26, 28, 32, 37, 44]) expect(ranges.has(key), `api ${key}`).toBe(true);
  });
});
