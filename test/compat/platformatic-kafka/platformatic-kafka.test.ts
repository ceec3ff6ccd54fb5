// @platformatic/kafka 1.35 against Rill: admin metadata/create/delete, keys, null values,
// headers, its codecs, message.max.bytes boundaries, consume from an offset and a timestamp,
// auto-created topics. zstd needs node:zlib zstd (Node >= 22.15); on Node 20 it is unavailable.
import { Admin, Consumer, Producer, ProduceAcks, type Message } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { COMPAT_BROKER_CONFIG, compatRecorder, MESSAGE_MAX_BYTES, VALUE_AT_LIMIT } from '../harness.js';
import { codecByOffset, fetchBatches } from '../wire.js';

const CLIENT = '@platformatic/kafka';
const T0 = 1_700_000_000_000n;
const CODECS = ['none', 'gzip', 'snappy', 'lz4'] as const;
const value = (codec: string) => `v-${codec}-${'abc'.repeat(100)}`;
const CONSUME_ROUNDS_MAX = 200;

interface Seen { offset: number; key: string | null; value: string | null; headers: Array<[string, string]>; timestamp: bigint }

let broker: RunningBroker;
let admin: Admin;
let producer: Producer<Buffer, Buffer, Buffer, Buffer>;
let consumerCount = 0;

const base = () => ({ clientId: 'rill-compat', bootstrapBrokers: [broker.bootstrap], retries: 1, retryDelay: 100 });

/** Reads `count` messages of one partition from `offset` (manual mode, a fresh group). */
async function consume(topic: string, offset: bigint, count: number): Promise<Seen[]> {
  const consumer = new Consumer({ ...base(), groupId: `pk-${consumerCount++}`, maxWaitTime: 100 });
  const seen: Seen[] = [];
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'manual', offsets: [{ topic, partition: 0, offset }], autocommit: false });
    const done = new Promise<void>((resolve) => {
      stream.on('data', (m: Message<Buffer, Buffer, Buffer, Buffer>) => {
        seen.push({
          offset: Number(m.offset), key: m.key?.toString() ?? null, value: m.value === null || m.value === undefined ? null : m.value.toString(),
          headers: [...m.headers].map(([k, v]) => [k.toString(), v.toString()]), timestamp: m.timestamp,
        });
        if (seen.length >= count) resolve();
      });
    });
    await Promise.race([done, new Promise((r) => setTimeout(r, CONSUME_ROUNDS_MAX * 50))]);
    await stream.close();
  } finally {
    await consumer.close(true);
  }
  return seen;
}

/** The Kafka protocol errors inside the client's (nested) AggregateErrors. */
function protocolErrors(error: unknown): Array<{ apiId: string; apiCode: number }> {
  if (typeof error !== 'object' || error === null) return [];
  const e = error as { apiId?: string; apiCode?: number; errors?: unknown[] };
  const own = e.apiId !== undefined ? [{ apiId: e.apiId, apiCode: e.apiCode! }] : [];
  return [...own, ...(e.errors ?? []).flatMap(protocolErrors)];
}

describe(CLIENT, () => {
  const compat = compatRecorder(CLIENT, 'platformatic-kafka');
  let data: Seen[] = [];

  beforeAll(async () => {
    broker = await startBroker({ config: COMPAT_BROKER_CONFIG, log: () => {} });
    admin = new Admin(base());
    // acks go with each send(): the constructor's acks is not used by send (it defaults to LEADER).
    producer = new Producer({ ...base(), autocreateTopics: true });
    await admin.createTopics({ topics: ['pk-data'], partitions: 1, replicas: 1 });
    for (const codec of CODECS) {
      await producer.send({
        acks: ProduceAcks.ALL,
        compression: codec,
        messages: [
          { topic: 'pk-data', partition: 0, key: Buffer.from(`k-${codec}`), value: Buffer.from(value(codec)), headers: new Map([[Buffer.from('h'), Buffer.from(codec)], [Buffer.from('x'), Buffer.from('1')]]) },
          { topic: 'pk-data', partition: 0, key: Buffer.from(`null-${codec}`), value: null as unknown as Buffer },
        ],
      });
    }
    data = await consume('pk-data', 0n, 2 * CODECS.length);
  }, 120_000);

  afterAll(async () => {
    await producer?.close();
    await admin?.close();
    await broker?.stop();
  });

  compat.scenario('metadata', async () => {
    const md = await admin.metadata({ topics: ['pk-data'] });
    expect([...md.brokers.entries()].map(([id, b]) => [id, b.host, b.port])).toEqual([[broker.config.nodeId, '127.0.0.1', broker.port]]);
    expect(md.controllerId).toBe(broker.config.nodeId);
    expect(md.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(md.topics.get('pk-data')?.partitionsCount).toBe(1);
  });

  compat.scenario('create-topic', async () => {
    const created = await admin.createTopics({ topics: ['pk-created'], partitions: 3, replicas: 1 });
    expect(created.map((t) => [t.name, t.partitions])).toEqual([['pk-created', 3]]);
    const again = await admin.createTopics({ topics: ['pk-created'], partitions: 3, replicas: 1 }).then(() => 'created', (e: Error) => e);
    expect(String((again as Error & { errors?: Error[] }).errors?.[0]?.message ?? again)).toMatch(/exist/i);
  });

  compat.scenario('delete-topic', async () => {
    await admin.createTopics({ topics: ['pk-doomed'], partitions: 1, replicas: 1 });
    await admin.deleteTopics({ topics: ['pk-doomed'] });
    expect(await admin.listTopics()).not.toContain('pk-doomed');
  });

  compat.scenario('create-partitions', async () => {
    await admin.createTopics({ topics: ['pk-grow', 'pk-grow2'], partitions: 1, replicas: 1 });
    await admin.createPartitions({ topics: [{ name: 'pk-grow', count: 3 }, { name: 'pk-grow2', count: 2 }] });
    const md = await admin.metadata({ topics: ['pk-grow', 'pk-grow2'], forceUpdate: true });
    expect([md.topics.get('pk-grow')?.partitionsCount, md.topics.get('pk-grow2')?.partitionsCount]).toEqual([3, 2]);
    const failure = await admin.createPartitions({ topics: [{ name: 'pk-missing', count: 2 }] }).then(() => null, (e: unknown) => e);
    // The client retries it (retries: 1): one UNKNOWN_TOPIC_OR_PARTITION result per attempt.
    const errors = protocolErrors(failure);
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors.map((e) => `${e.apiId}/${e.apiCode}`))).toEqual(new Set(['UNKNOWN_TOPIC_OR_PARTITION/3']));
  });

  compat.scenario('describe-configs', async () => {
    const [described] = await admin.describeConfigs({ resources: [{ resourceType: 2, resourceName: 'pk-data' }] });
    const entries = new Map(described!.configs.map((c) => [c.name, c]));
    expect(entries.size).toBeGreaterThanOrEqual(20);
    expect(entries.get('cleanup.policy')).toMatchObject({ value: 'delete', readOnly: false, configSource: 5, configType: 7 });
    expect(entries.get('max.message.bytes')).toMatchObject({ value: String(MESSAGE_MAX_BYTES), configSource: 4 });
  });

  compat.scenario('alter-configs', async () => {
    await admin.incrementalAlterConfigs({ resources: [{ resourceType: 2, resourceName: 'pk-data', configs: [{ name: 'retention.ms', configOperation: 0, value: '3600000' }, { name: 'cleanup.policy', configOperation: 2, value: 'compact' }] }] });
    const read = async () => new Map((await admin.describeConfigs({ resources: [{ resourceType: 2, resourceName: 'pk-data', configurationKeys: ['retention.ms', 'cleanup.policy'] }] }))[0]!.configs.map((c) => [c.name, [c.value, c.configSource]]));
    expect(await read()).toEqual(new Map([['retention.ms', ['3600000', 1]], ['cleanup.policy', ['delete,compact', 1]]]));
    await admin.incrementalAlterConfigs({ resources: [{ resourceType: 2, resourceName: 'pk-data', configs: [{ name: 'retention.ms', configOperation: 1 }, { name: 'cleanup.policy', configOperation: 3, value: 'compact' }] }] });
    expect(await read()).toEqual(new Map([['retention.ms', ['604800000', 5]], ['cleanup.policy', ['delete', 1]]]));
  });

  compat.scenario('keys', () => {
    expect(data.map((m) => [m.offset, m.key])).toEqual(CODECS.flatMap((c, i) => [[2 * i, `k-${c}`], [2 * i + 1, `null-${c}`]]));
  });

  compat.scenario('null-value', () => {
    expect(data.filter((m) => m.key!.startsWith('null-')).map((m) => m.value)).toEqual(CODECS.map(() => null));
  });

  compat.scenario('headers', () => {
    expect(data[0]!.headers).toEqual([['h', 'none'], ['x', '1']]);
    expect(data.filter((m) => m.key!.startsWith('k-')).map((m) => m.headers[0]![1])).toEqual([...CODECS]);
    expect(data[1]!.headers).toEqual([]);
  });

  for (const [i, codec] of CODECS.entries()) {
    compat.scenario(`codec-${codec}`, async () => {
      expect(data[2 * i]).toMatchObject({ key: `k-${codec}`, value: value(codec) });
      const stored = await codecByOffset(broker.port, 'pk-data');
      // The valued record's batch carries the codec (a lone null-value record may go out uncompressed: it does not compress).
      expect(stored.get(2 * i)).toBe(codec);
    });
  }
  compat.unsupported('codec-zstd', 'uses node:zlib zstd, which Node 20 does not have');

  compat.scenario('record-at-max-bytes', async () => {
    const sent = await producer.send({ acks: ProduceAcks.ALL, messages: [{ topic: 'pk-big', partition: 0, value: Buffer.alloc(VALUE_AT_LIMIT, 'x') }] });
    expect(sent.offsets).toEqual([{ topic: 'pk-big', partition: 0, offset: 0n }]);
    expect((await fetchBatches(broker.port, 'pk-big', 0)).map((b) => [b.baseOffset, b.recordCount])).toEqual([[0, 1]]);
  });

  compat.scenario('record-above-max-bytes', async () => {
    const failure = await producer.send({ acks: ProduceAcks.ALL, messages: [{ topic: 'pk-big', partition: 0, value: Buffer.alloc(VALUE_AT_LIMIT + 1, 'y') }] }).then(() => null, (e: unknown) => e);
    expect(protocolErrors(failure)).toEqual([{ apiId: 'MESSAGE_TOO_LARGE', apiCode: 10 }]);
    expect((await fetchBatches(broker.port, 'pk-big', 0)).map((b) => b.baseOffset)).toEqual([0]);
  });

  compat.scenario('consume-from-offset', async () => {
    const from = await consume('pk-data', 5n, 3);
    expect(from.map((m) => [m.offset, m.key])).toEqual([[5, 'null-snappy'], [6, 'k-lz4'], [7, 'null-lz4']]);
  });

  compat.scenario('consume-from-timestamp', async () => {
    await producer.send({ acks: ProduceAcks.ALL, messages: [0n, 1n, 2n].map((i) => ({ topic: 'pk-time', partition: 0, value: Buffer.from(`t${i}`), timestamp: T0 + 1000n * i })) });
    expect((await fetchBatches(broker.port, 'pk-time', 0)).map((b) => b.recordCount)).toEqual([3]);
    const lookup = async (timestamp: bigint) => (await admin.listOffsets({ topics: [{ name: 'pk-time', partitions: [{ partitionIndex: 0, timestamp }] }] }))[0]!.partitions[0]!;
    const inside = await lookup(T0 + 500n);
    expect(inside).toMatchObject({ offset: 1n, timestamp: T0 + 1000n });
    expect(await lookup(T0 + 2000n)).toMatchObject({ offset: 2n, timestamp: T0 + 2000n });
    expect((await lookup(T0 + 5000n)).offset).toBe(-1n);
    const from = await consume('pk-time', inside.offset, 2);
    expect(from.map((m) => [m.offset, m.value, m.timestamp])).toEqual([[1, 't1', T0 + 1000n], [2, 't2', T0 + 2000n]]);
  });

  compat.unsupported('legacy-message-format', 'negotiates versions with ApiVersions and only writes v2 batches');

  compat.scenario('auto-create-topic', async () => {
    const sent = await producer.send({ acks: ProduceAcks.ALL, messages: [{ topic: 'pk-auto', key: Buffer.from('a'), value: Buffer.from('auto') }] });
    expect(sent.offsets).toEqual([{ topic: 'pk-auto', partition: 0, offset: 0n }]);
    const md = await admin.metadata({ topics: ['pk-auto'] });
    expect(md.topics.get('pk-auto')?.partitionsCount).toBe(1);
  });
});
