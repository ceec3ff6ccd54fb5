// kafkajs 2.2.4 against Rill: admin metadata/create/delete, keys, null values, headers, its
// built-in codecs, message.max.bytes boundaries, consume from an offset and a timestamp,
// auto-created topics. snappy, lz4 and zstd need codec packages kafkajs does not ship.
import { CompressionTypes, ConfigResourceTypes, Kafka, logLevel, type Admin, type Consumer, type IHeaders, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { COMPAT_BROKER_CONFIG, compatRecorder, MESSAGE_MAX_BYTES, VALUE_AT_LIMIT } from '../harness.js';
import { codecByOffset, fetchBatches } from '../wire.js';

const T0 = 1_700_000_000_000;
const CODECS = [['none', CompressionTypes.None], ['gzip', CompressionTypes.GZIP]] as const;
const value = (codec: string) => `v-${codec}-${'abc'.repeat(100)}`;
const CONSUME_ROUNDS_MAX = 400;

interface Seen { topic: string; offset: number; key: string | null; value: string | null; headers: IHeaders; timestamp: number }

let broker: RunningBroker;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
const consumers: Consumer[] = [];

/** Consumes with a fresh group until `count` messages arrived; `seeks` position partitions first. */
async function consume(topics: string[], count: number, seeks: Array<{ topic: string; offset: string }> = []): Promise<Seen[]> {
  const consumer = kafka.consumer({ groupId: `kj-${consumers.length}`, maxWaitTimeInMs: 100, retry: { retries: 2 } });
  consumers.push(consumer);
  await consumer.connect();
  for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
  const seen: Seen[] = [];
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      seen.push({
        topic, offset: Number(message.offset), key: message.key?.toString() ?? null, value: message.value?.toString() ?? null,
        headers: message.headers ?? {}, timestamp: Number(message.timestamp),
      });
    },
  });
  for (const seek of seeks) consumer.seek({ topic: seek.topic, partition: 0, offset: seek.offset });
  for (let i = 0; i < CONSUME_ROUNDS_MAX && seen.length < count; i++) await new Promise((r) => setTimeout(r, 50));
  await consumer.disconnect();
  return seen;
}

const headerText = (headers: IHeaders) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]));

describe('kafkajs', () => {
  const compat = compatRecorder('kafkajs');
  let data: Seen[] = [];

  beforeAll(async () => {
    broker = await startBroker({ config: COMPAT_BROKER_CONFIG, log: () => {} });
    kafka = new Kafka({ clientId: 'rill-compat', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3 } });
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();
    await admin.createTopics({ topics: [{ topic: 'kj-data', numPartitions: 1 }] });
    for (const [name, compression] of CODECS) {
      await producer.send({
        topic: 'kj-data', compression,
        messages: [
          { key: `k-${name}`, value: value(name), headers: { h: name, dup: ['1', '2'] } },
          { key: `null-${name}`, value: null },
        ],
      });
    }
    data = await consume(['kj-data'], 2 * CODECS.length);
  }, 120_000);

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await broker?.stop();
  });

  compat.scenario('metadata', async () => {
    const cluster = await admin.describeCluster();
    expect(cluster.brokers).toEqual([{ nodeId: broker.config.nodeId, host: '127.0.0.1', port: broker.port }]);
    expect(cluster.controller).toBe(broker.config.nodeId);
    expect(cluster.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const { topics } = await admin.fetchTopicMetadata({ topics: ['kj-data'] });
    expect(topics[0]!.partitions.map((p) => [p.partitionId, p.leader])).toEqual([[0, broker.config.nodeId]]);
  });

  compat.scenario('create-topic', async () => {
    expect(await admin.createTopics({ topics: [{ topic: 'kj-created', numPartitions: 3 }] })).toBe(true);
    const { topics } = await admin.fetchTopicMetadata({ topics: ['kj-created'] });
    expect(topics[0]!.partitions).toHaveLength(3);
    expect(await admin.createTopics({ topics: [{ topic: 'kj-created', numPartitions: 3 }] })).toBe(false);
  });

  compat.scenario('delete-topic', async () => {
    await admin.createTopics({ topics: [{ topic: 'kj-doomed' }] });
    await admin.deleteTopics({ topics: ['kj-doomed'] });
    expect(await admin.listTopics()).not.toContain('kj-doomed');
  });

  compat.scenario('create-partitions', async () => {
    await admin.createTopics({ topics: [{ topic: 'kj-grow' }, { topic: 'kj-grow2' }] });
    await admin.createPartitions({ topicPartitions: [{ topic: 'kj-grow', count: 3 }, { topic: 'kj-grow2', count: 2 }] });
    const { topics } = await admin.fetchTopicMetadata({ topics: ['kj-grow', 'kj-grow2'] });
    expect(topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual([['kj-grow', 3], ['kj-grow2', 2]]);
    const failure = await admin.createPartitions({ topicPartitions: [{ topic: 'kj-grow', count: 4 }, { topic: 'kj-missing', count: 2 }] }).then(() => null, (e: Error & { type?: string }) => e);
    expect(failure?.type).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });

  compat.scenario('describe-configs', async () => {
    const described = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kj-data' }], includeSynonyms: false });
    const entries = new Map(described.resources[0]!.configEntries.map((e) => [e.configName, e]));
    expect(entries.size).toBeGreaterThanOrEqual(20);
    expect(entries.get('cleanup.policy')).toMatchObject({ configValue: 'delete', readOnly: false, isDefault: true, configSource: 5 });
    expect(entries.get('max.message.bytes')).toMatchObject({ configValue: String(MESSAGE_MAX_BYTES), configSource: 4 });
    const brokerConfigs = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.BROKER, name: String(broker.config.nodeId) }], includeSynonyms: false });
    expect(brokerConfigs.resources[0]!.configEntries.find((e) => e.configName === 'message.max.bytes')).toMatchObject({ configValue: String(MESSAGE_MAX_BYTES), configSource: 4 });
  });

  compat.scenario('alter-configs', async () => {
    await admin.alterConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kj-data', configEntries: [{ name: 'retention.ms', value: '3600000' }] }], validateOnly: false });
    const described = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kj-data', configNames: ['retention.ms'] }], includeSynonyms: false });
    expect(described.resources[0]!.configEntries).toEqual([expect.objectContaining({ configName: 'retention.ms', configValue: '3600000', isDefault: false, configSource: 1 })]);
  });

  compat.scenario('keys', () => {
    expect(data.map((m) => [m.offset, m.key])).toEqual([[0, 'k-none'], [1, 'null-none'], [2, 'k-gzip'], [3, 'null-gzip']]);
  });

  compat.scenario('null-value', () => {
    expect(data.filter((m) => m.key!.startsWith('null-')).map((m) => m.value)).toEqual([null, null]);
  });

  compat.scenario('headers', () => {
    expect(headerText(data[0]!.headers)).toEqual({ h: 'none', dup: ['1', '2'] });
    expect(headerText(data[2]!.headers)).toEqual({ h: 'gzip', dup: ['1', '2'] });
    expect(data[1]!.headers).toEqual({});
  });

  for (const [i, [name]] of CODECS.entries()) {
    compat.scenario(`codec-${name}`, async () => {
      expect(data[2 * i]).toMatchObject({ key: `k-${name}`, value: value(name) });
      const stored = await codecByOffset(broker.port, 'kj-data');
      // The valued record's batch carries the codec (a lone null-value record may go out uncompressed: it does not compress).
      expect(stored.get(2 * i)).toBe(name);
    });
  }
  for (const codec of ['snappy', 'lz4', 'zstd']) {
    compat.unsupported(`codec-${codec}`, `kafkajs needs an external ${codec} codec package (not a dependency)`);
  }

  compat.scenario('record-at-max-bytes', async () => {
    const [sent] = await producer.send({ topic: 'kj-big', messages: [{ value: Buffer.alloc(VALUE_AT_LIMIT, 'x') }] });
    expect(sent).toMatchObject({ errorCode: 0, baseOffset: '0' });
    expect((await fetchBatches(broker.port, 'kj-big', 0)).map((b) => [b.baseOffset, b.recordCount])).toEqual([[0, 1]]);
  });

  compat.scenario('record-above-max-bytes', async () => {
    const failure = await producer.send({ topic: 'kj-big', messages: [{ value: Buffer.alloc(VALUE_AT_LIMIT + 1, 'y') }] }).then(() => null, (e: Error & { type?: string }) => e);
    expect(failure?.type).toBe('MESSAGE_TOO_LARGE');
    expect((await fetchBatches(broker.port, 'kj-big', 0)).map((b) => b.baseOffset)).toEqual([0]);
  });

  compat.scenario('consume-from-offset', async () => {
    const from = await consume(['kj-data'], 3, [{ topic: 'kj-data', offset: '1' }]);
    expect(from.map((m) => [m.offset, m.key])).toEqual([[1, 'null-none'], [2, 'k-gzip'], [3, 'null-gzip']]);
  });

  compat.scenario('consume-from-timestamp', async () => {
    await producer.send({ topic: 'kj-time', messages: [0, 1, 2].map((i) => ({ value: `t${i}`, timestamp: String(T0 + 1000 * i) })) });
    expect((await fetchBatches(broker.port, 'kj-time', 0)).map((b) => b.recordCount)).toEqual([3]);
    const inside = await admin.fetchTopicOffsetsByTimestamp('kj-time', T0 + 500);
    const exact = await admin.fetchTopicOffsetsByTimestamp('kj-time', T0 + 2000);
    const past = await admin.fetchTopicOffsetsByTimestamp('kj-time', T0 + 5000);
    expect([inside, exact, past]).toEqual([[{ partition: 0, offset: '1' }], [{ partition: 0, offset: '2' }], [{ partition: 0, offset: '3' }]]);
    const from = await consume(['kj-time'], 2, [{ topic: 'kj-time', offset: inside[0]!.offset }]);
    expect(from.map((m) => [m.offset, m.value, m.timestamp])).toEqual([[1, 't1', T0 + 1000], [2, 't2', T0 + 2000]]);
  });

  compat.unsupported('legacy-message-format', 'kafkajs negotiates versions with ApiVersions and only writes v2 batches');

  compat.scenario('auto-create-topic', async () => {
    const [sent] = await producer.send({ topic: 'kj-auto', messages: [{ key: 'a', value: 'auto' }] });
    expect(sent).toMatchObject({ topicName: 'kj-auto', partition: 0, errorCode: 0, baseOffset: '0' });
    const { topics } = await admin.fetchTopicMetadata({ topics: ['kj-auto'] });
    expect(topics[0]!.partitions).toHaveLength(1);
  });
});
