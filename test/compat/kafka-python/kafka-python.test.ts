// python3-kafka (kafka-python 2.0.2 from Debian) against Rill. client.py runs the session and
// prints what it saw; each scenario asserts its part. Debian's python3-kafka comes without the
// python-snappy, lz4 and zstandard modules, so only gzip (zlib) is available besides none.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { COMPAT_BROKER_CONFIG, compatRecorder, MESSAGE_MAX_BYTES, pythonHas, runPythonScript, VALUE_AT_LIMIT } from '../harness.js';
import { codecByOffset, fetchBatches } from '../wire.js';

const ALL_CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
const T0 = 1_700_000_000_000;
const value = (codec: string) => `v-${codec}-${'abc'.repeat(100)}`;

interface Message { offset: number; key: string | null; value: string | null; headers: string[][]; timestamp: number }
interface Observed {
  codecs: string[];
  metadata: { brokers: Array<[number, string, number]>; cluster_id: string | null; controller_id: number | null };
  create_errors: number[];
  created_partitions: number[];
  create_again: Array<number | string>;
  delete_errors: number[];
  after_delete: boolean;
  produce: Record<string, Array<number | string>>;
  data: Message[];
  from_offset: Message[];
  at_limit: Array<number | string>;
  above_limit: Array<number | string>;
  time_produce: Array<number | string>;
  by_time: Array<[number, number] | null>;
  from_time: Message[];
  auto_produce: Array<number | string>;
  auto_partitions: number[];
  auto_data: Message[];
  create_partitions: Array<[string, number]> | string;
  grown: Array<[string, number]>;
  alter_errors: number[];
  configs: Record<string, Record<string, [string | null, boolean, number | boolean]>>;
  legacy: Record<string, { sent: Array<number | string>; old: unknown[]; new: unknown[] }>;
}

let broker: RunningBroker;
let seen: Observed;

describe.skipIf(!pythonHas('kafka'))('kafka-python', () => {
  const compat = compatRecorder('kafka-python');

  beforeAll(async () => {
    broker = await startBroker({ config: COMPAT_BROKER_CONFIG, log: () => {} });
    seen = await runPythonScript<Observed>('kafka-python/client.py', [broker.bootstrap, String(VALUE_AT_LIMIT)]);
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
    expect(seen.create_errors).toEqual([0]);
    expect(seen.created_partitions).toEqual([3]);
    expect(seen.create_again).toEqual(['TopicAlreadyExistsError']);
  });

  compat.scenario('delete-topic', () => {
    expect(seen.delete_errors).toEqual([0]);
    expect(seen.after_delete).toBe(false);
  });

  compat.scenario('create-partitions', () => {
    // kafka-python raises the unknown topic's error; the other two topics grew in the same request.
    expect(seen.create_partitions).toBe('UnknownTopicOrPartitionError');
    expect(seen.grown).toEqual([['kp-grow', 3], ['kp-grow2', 2]]);
  });

  compat.scenario('describe-configs', () => {
    const topic = seen.configs['kp-grow']!;
    expect(Object.keys(topic).length).toBeGreaterThanOrEqual(20);
    // DescribeConfigs v1/v2 entries: [value, read_only, config_source].
    expect(topic['cleanup.policy']).toEqual(['delete', false, 5]);
    expect(topic['max.message.bytes']).toEqual([String(MESSAGE_MAX_BYTES), false, 4]);
  });

  compat.scenario('alter-configs', () => {
    expect(seen.alter_errors).toEqual([0]);
    expect(seen.configs['kp-grow']!['retention.ms']).toEqual(['3600000', false, 1]);
  });

  compat.scenario('keys', () => {
    expect(seen.data.map((m) => [m.offset, m.key])).toEqual(seen.codecs.flatMap((c, i) => [[2 * i, `k-${c}`], [2 * i + 1, `null-${c}`]]));
  });

  compat.scenario('null-value', () => {
    expect(seen.data.filter((m) => m.key!.startsWith('null-')).map((m) => m.value)).toEqual(seen.codecs.map(() => null));
  });

  compat.scenario('headers', () => {
    expect(seen.data[0]!.headers).toEqual([['h', 'none'], ['dup', '1'], ['dup', '2']]);
    expect(seen.data[1]!.headers).toEqual([]);
  });

  for (const codec of ALL_CODECS) {
    if (codec !== 'none' && codec !== 'gzip') {
      compat.unsupported(`codec-${codec}`, `Debian's python3-kafka has no ${codec} module (python-${codec === 'zstd' ? 'zstandard' : codec})`);
      continue;
    }
    compat.scenario(`codec-${codec}`, async () => {
      const i = seen.codecs.indexOf(codec);
      expect(seen.produce[codec]).toEqual([2 * i, 2 * i + 1]);
      expect(seen.data[2 * i]).toMatchObject({ key: `k-${codec}`, value: value(codec) });
      const stored = await codecByOffset(broker.port, 'kp-data');
      // The valued record's batch carries the codec (a lone null-value record may go out uncompressed: it does not compress).
      expect(stored.get(2 * i)).toBe(codec);
    });
  }

  compat.scenario('record-at-max-bytes', async () => {
    expect(seen.at_limit).toEqual([0]);
    expect((await fetchBatches(broker.port, 'kp-big', 0)).map((b) => [b.baseOffset, b.recordCount])).toEqual([[0, 1]]);
  });

  compat.scenario('record-above-max-bytes', () => {
    expect(seen.above_limit).toEqual(['MessageSizeTooLargeError']);
  });

  compat.scenario('consume-from-offset', () => {
    expect(seen.from_offset.map((m) => [m.offset, m.key])).toEqual([[1, 'null-none'], [2, 'k-gzip'], [3, 'null-gzip']]);
  });

  compat.scenario('consume-from-timestamp', async () => {
    expect(seen.time_produce).toEqual([0, 1, 2]);
    expect((await fetchBatches(broker.port, 'kp-time', 0)).map((b) => b.recordCount)).toEqual([3]);
    expect(seen.by_time).toEqual([[1, T0 + 1000], [2, T0 + 2000], null]);
    expect(seen.from_time.map((m) => [m.offset, m.value, m.timestamp])).toEqual([[1, 't1', T0 + 1000], [2, 't2', T0 + 2000]]);
  });

  compat.scenario('legacy-message-format', () => {
    const expected = [[0, 'plain-0', 'v0'], [1, 'plain-1', 'v1'], [2, 'gzip-0', 'w0'], [3, 'gzip-1', 'w1']];
    for (const label of ['magic1', 'magic0']) {
      expect(seen.legacy[label]!.sent, label).toEqual([0, 1, 2, 3]);
      expect(seen.legacy[label]!.old, `${label} read with the old Fetch`).toEqual(expected);
      expect(seen.legacy[label]!.new, `${label} read with Fetch v4+`).toEqual(expected);
    }
  });

  compat.scenario('auto-create-topic', () => {
    expect(seen.auto_produce).toEqual([0]);
    expect(seen.auto_partitions).toEqual([1]);
    expect(seen.auto_data.map((m) => [m.offset, m.key, m.value])).toEqual([[0, 'a', 'auto']]);
  });
});
