// python3-confluent-kafka (librdkafka 2.0.2 from Debian) against Rill. client.py runs the whole
// session and prints what it saw; each scenario below asserts its part.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { ALL_CODECS, BROKER_CODECS, COMPAT_BROKER_CONFIG, ZSTD_WITHOUT_NATIVE, compatRecorder, MESSAGE_MAX_BYTES, pythonHas, runPythonScript, VALUE_AT_LIMIT } from '../harness.js';
import { codecByOffset, fetchBatches } from '../wire.js';

const CODECS = BROKER_CODECS;
const T0 = 1_700_000_000_000;
const value = (codec: string) => `v-${codec}-${'abc'.repeat(100)}`;

interface Message { offset: number; key: string | null; value: string | null; headers: string[][]; timestamp: number }
interface Observed {
  metadata: { brokers: Array<[number, string, number]>; cluster_id: string; controller_id: number; created_partitions: number | null };
  create_again: string | null;
  after_delete: boolean;
  produce_errors: Record<string, Array<string | null>>;
  data: Message[];
  from_offset: Message[];
  at_limit: Array<string | null>;
  above_limit: Array<string | null>;
  time_produce: Array<string | null>;
  by_time: number[];
  from_time: Message[];
  auto_produce: Array<string | null>;
  auto_partitions: number | null;
  auto_data: Message[];
  create_partitions: Record<string, string | null>;
  grown: number[];
  configs: Record<string, Record<string, [string | null, string, boolean, boolean]>>;
}

let broker: RunningBroker;
let seen: Observed;

describe.skipIf(!pythonHas('confluent_kafka'))('confluent-kafka', () => {
  const compat = compatRecorder('confluent-kafka');

  beforeAll(async () => {
    broker = await startBroker({ config: COMPAT_BROKER_CONFIG, log: () => {} });
    seen = await runPythonScript<Observed>('confluent-kafka/client.py', [broker.bootstrap, String(VALUE_AT_LIMIT), String(broker.config.nodeId), CODECS.join(',')]);
  }, 150_000);

  afterAll(async () => {
    await broker?.stop();
  });

  compat.scenario('metadata', () => {
    expect(seen.metadata.brokers).toEqual([[broker.config.nodeId, '127.0.0.1', broker.port]]);
    expect(seen.metadata.cluster_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(seen.metadata.controller_id).toBe(broker.config.nodeId);
  });

  compat.scenario('create-topic', () => {
    expect(seen.metadata.created_partitions).toBe(3);
    expect(seen.create_again).toBe('TOPIC_ALREADY_EXISTS');
  });

  compat.scenario('delete-topic', () => {
    expect(seen.after_delete).toBe(false);
  });

  compat.scenario('create-partitions', () => {
    expect(seen.create_partitions).toEqual({ 'ck-grow': null, 'ck-grow2': null, 'ck-missing': 'UNKNOWN_TOPIC_OR_PART' });
    expect(seen.grown).toEqual([3, 2]);
  });

  compat.scenario('describe-configs', () => {
    const topic = seen.configs.topic!;
    expect(Object.keys(topic).length).toBeGreaterThanOrEqual(20);
    expect(topic['cleanup.policy']).toEqual(['delete', 'DEFAULT_CONFIG', false, true]);
    expect(topic['max.message.bytes']).toEqual([String(MESSAGE_MAX_BYTES), 'STATIC_BROKER_CONFIG', false, false]);
    const brokerConfigs = seen.configs.broker!;
    expect(brokerConfigs['message.max.bytes']?.slice(0, 2)).toEqual([String(MESSAGE_MAX_BYTES), 'STATIC_BROKER_CONFIG']);
    expect(Object.values(brokerConfigs).some((c) => c[2])).toBe(true);
  });

  compat.scenario('alter-configs', () => {
    expect(seen.configs.topic!['retention.ms']).toEqual(['3600000', 'DYNAMIC_TOPIC_CONFIG', false, false]);
  });

  compat.scenario('keys', () => {
    expect(seen.data.map((m) => [m.offset, m.key])).toEqual(CODECS.flatMap((c, i) => [[2 * i, `k-${c}`], [2 * i + 1, `null-${c}`]]));
  });

  compat.scenario('null-value', () => {
    expect(seen.data.filter((m) => m.key!.startsWith('null-')).map((m) => m.value)).toEqual(CODECS.map(() => null));
  });

  compat.scenario('headers', () => {
    expect(seen.data[0]!.headers).toEqual([['h', 'none'], ['dup', '1'], ['dup', '2']]);
    expect(seen.data.filter((m) => m.key!.startsWith('k-')).map((m) => m.headers[0]![1])).toEqual([...CODECS]);
    expect(seen.data[1]!.headers).toEqual([]);
  });

  for (const codec of ALL_CODECS.filter((c) => !CODECS.includes(c))) compat.unsupported(`codec-${codec}`, ZSTD_WITHOUT_NATIVE);
  for (const [i, codec] of CODECS.entries()) {
    compat.scenario(`codec-${codec}`, async () => {
      expect(seen.produce_errors[codec]).toEqual([null, null]);
      expect(seen.data[2 * i]).toMatchObject({ key: `k-${codec}`, value: value(codec) });
      const stored = await codecByOffset(broker.port, 'ck-data');
      // The valued record's batch carries the codec (a lone null-value record may go out uncompressed: it does not compress).
      expect(stored.get(2 * i)).toBe(codec);
    });
  }

  compat.scenario('record-at-max-bytes', async () => {
    expect(seen.at_limit).toEqual([null]);
    const batches = await fetchBatches(broker.port, 'ck-big', 0);
    expect(batches.map((b) => [b.baseOffset, b.recordCount])).toEqual([[0, 1]]);
  });

  compat.scenario('record-above-max-bytes', () => {
    expect(seen.above_limit).toEqual(['MSG_SIZE_TOO_LARGE']);
  });

  compat.scenario('consume-from-offset', () => {
    expect(seen.from_offset.map((m) => [m.offset, m.key])).toEqual(CODECS.flatMap((c, i) => [[2 * i, `k-${c}`], [2 * i + 1, `null-${c}`]]).slice(7));
  });

  compat.scenario('consume-from-timestamp', async () => {
    expect(seen.time_produce).toEqual([null, null, null]);
    // The three records share one batch, so the lookup has to look inside it.
    const batches = await fetchBatches(broker.port, 'ck-time', 0);
    expect(batches.map((b) => b.recordCount)).toEqual([3]);
    expect(seen.by_time).toEqual([1, 2, -1]);
    expect(seen.from_time.map((m) => [m.offset, m.value, m.timestamp])).toEqual([[1, 't1', T0 + 1000], [2, 't2', T0 + 2000]]);
  });

  compat.unsupported('legacy-message-format', 'same librdkafka as kcat, whose column covers magic 0/1 via broker.version.fallback');

  compat.scenario('auto-create-topic', () => {
    expect(seen.auto_produce).toEqual([null]);
    expect(seen.auto_partitions).toBe(1);
    expect(seen.auto_data.map((m) => [m.offset, m.key, m.value])).toEqual([[0, 'a', 'auto']]);
  });
});
