// kcat (librdkafka 2.x from Debian) against Rill: metadata, produce/consume with keys, null
// values, headers and every codec, message.max.bytes boundaries, consume from an offset and a
// timestamp, auto-created topics. kcat has no admin API: topic create/delete are unsupported.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { ALL_CODECS, BROKER_CODECS, COMPAT_BROKER_CONFIG, ZSTD_WITHOUT_NATIVE, compatRecorder, hasKcat, run, VALUE_AT_LIMIT } from '../harness.js';
import { codecByOffset, fetchBatches } from '../wire.js';

const CODECS = BROKER_CODECS;
/** librdkafka sends a batch uncompressed when compressing does not shrink it: values must compress. */
const value = (codec: string) => `v-${codec}-${'abc'.repeat(100)}`;
let broker: RunningBroker;

interface KcatMessage {
  topic: string;
  partition: number;
  offset: number;
  ts: number;
  key: string | null;
  payload: string | null;
  headers?: string[];
}

function kcat(args: string[], input?: string) {
  return run('kcat', ['-b', broker.bootstrap, '-X', 'topic.metadata.refresh.interval.ms=1000', ...args], { input, allowFailure: true, timeoutMs: 60_000 });
}

async function consume(topic: string, offset: string): Promise<KcatMessage[]> {
  const { stdout, code, stderr } = await kcat(['-C', '-t', topic, '-o', offset, '-e', '-J', '-q']);
  if (code !== 0) throw new Error(`kcat -C exited ${code}: ${stderr}`);
  return stdout.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as KcatMessage);
}

describe.skipIf(!hasKcat)('kcat', () => {
  const compat = compatRecorder('kcat');
  let data: KcatMessage[] = [];

  beforeAll(async () => {
    broker = await startBroker({ config: COMPAT_BROKER_CONFIG, log: () => {} });
    // One produce run per codec: key:value lines, the last of each with an empty (-Z: null) value.
    for (const codec of CODECS) {
      const { code, stderr } = await kcat(['-P', '-t', 'kc-data', '-z', codec, '-K', ':', '-Z', '-H', `h=${codec}`, '-H', 'dup=1', '-H', 'dup=2'], `k-${codec}:${value(codec)}\nnull-${codec}:\n`);
      if (code !== 0) throw new Error(`kcat -P -z ${codec}: ${stderr}`);
    }
    data = await consume('kc-data', 'beginning');
  }, 120_000);

  afterAll(async () => {
    await broker?.stop();
  });

  compat.scenario('metadata', async () => {
    const { stdout } = await kcat(['-L', '-J']);
    const md = JSON.parse(stdout) as { brokers: Array<{ id: number; name: string }>; topics: Array<{ topic: string; partitions: unknown[] }> };
    expect(md.brokers).toEqual([{ id: broker.config.nodeId, name: broker.bootstrap }]);
    expect(md.topics.find((t) => t.topic === 'kc-data')?.partitions).toHaveLength(1);
  });

  compat.unsupported('create-topic', 'kcat has no admin API');
  compat.unsupported('delete-topic', 'kcat has no admin API');
  compat.unsupported('create-partitions', 'kcat has no admin API');
  compat.unsupported('describe-configs', 'kcat has no admin API');
  compat.unsupported('alter-configs', 'kcat has no admin API');

  compat.scenario('keys', () => {
    expect(data.map((m) => m.key)).toEqual(CODECS.flatMap((c) => [`k-${c}`, `null-${c}`]));
    expect(data.map((m) => m.offset)).toEqual(CODECS.flatMap((_, i) => [2 * i, 2 * i + 1]));
  });

  compat.scenario('null-value', () => {
    expect(data.filter((m) => m.key!.startsWith('null-')).map((m) => m.payload)).toEqual(CODECS.map(() => null));
  });

  compat.scenario('headers', () => {
    expect(data[0]!.headers).toEqual(['h', 'none', 'dup', '1', 'dup', '2']);
    expect(data.every((m, i) => m.headers?.[1] === CODECS[Math.floor(i / 2)])).toBe(true);
  });

  for (const codec of ALL_CODECS.filter((c) => !CODECS.includes(c))) compat.unsupported(`codec-${codec}`, ZSTD_WITHOUT_NATIVE);
  for (const [i, codec] of CODECS.entries()) {
    compat.scenario(`codec-${codec}`, async () => {
      expect(data[2 * i]).toMatchObject({ key: `k-${codec}`, payload: value(codec) });
      const stored = await codecByOffset(broker.port, 'kc-data');
      // The valued record's batch carries the codec (a lone null-value record may go out uncompressed: it does not compress).
      expect(stored.get(2 * i)).toBe(codec);
    });
  }

  compat.scenario('record-at-max-bytes', async () => {
    const { code, stderr } = await kcat(['-P', '-t', 'kc-big', '-z', 'none'], 'x'.repeat(VALUE_AT_LIMIT) + '\n');
    expect(stderr).not.toMatch(/too large/i);
    expect(code).toBe(0);
    const [batch] = await fetchBatches(broker.port, 'kc-big', 0);
    expect(batch).toMatchObject({ baseOffset: 0, recordCount: 1 });
  });

  compat.scenario('record-above-max-bytes', async () => {
    const { code, stderr } = await kcat(['-P', '-t', 'kc-big', '-z', 'none'], 'y'.repeat(VALUE_AT_LIMIT + 1) + '\n');
    expect(stderr).toMatch(/Message size too large|MSG_SIZE_TOO_LARGE/i);
    expect(code).not.toBe(0);
    expect((await fetchBatches(broker.port, 'kc-big', 0)).map((b) => b.baseOffset)).toEqual([0]);
  });

  compat.scenario('consume-from-offset', async () => {
    const from = await consume('kc-data', '7');
    expect(from.map((m) => [m.offset, m.key])).toEqual(CODECS.flatMap((c, i) => [[2 * i, `k-${c}`], [2 * i + 1, `null-${c}`]]).slice(7));
  });

  compat.scenario('consume-from-timestamp', async () => {
    await kcat(['-P', '-t', 'kc-time'], 'early\n');
    const [early] = await fetchBatches(broker.port, 'kc-time', 0);
    // Wait until the wall clock has moved past the first record's timestamp (bounded).
    for (let i = 0; i < 100 && Date.now() <= early!.maxTimestamp; i++) await sleep(5);
    const target = early!.maxTimestamp + 1;
    for (let i = 0; i < 100 && Date.now() <= target; i++) await sleep(5);
    await kcat(['-P', '-t', 'kc-time'], 'late\n');
    const from = await consume('kc-time', `s@${target}`);
    expect(from.map((m) => [m.offset, m.payload])).toEqual([[1, 'late']]);
  });

  compat.scenario('legacy-message-format', async () => {
    // librdkafka told the broker is 0.10.0 (magic 1, Produce v2, Fetch v2) or 0.9.0 (magic 0),
    // without ApiVersions: plain and gzip message sets in, the same records out.
    for (const [label, fallback] of [['magic1', '0.10.0.0'], ['magic0', '0.9.0.1']] as const) {
      const legacy = ['-X', 'api.version.request=false', '-X', `broker.version.fallback=${fallback}`];
      const topic = `kc-legacy-${label}`;
      for (const codec of ['none', 'gzip']) {
        const { code, stderr } = await kcat([...legacy, '-P', '-t', topic, '-z', codec, '-K', ':'], `${codec}-0:${value(codec)}\n${codec}-1:x\n`);
        expect(code, stderr).toBe(0);
      }
      const { stdout, code } = await kcat([...legacy, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%o|%k|%S\n']);
      expect(code).toBe(0);
      const sizes = [value('none').length, 1, value('gzip').length, 1];
      expect(stdout.trim().split('\n'), label).toEqual(['none-0', 'none-1', 'gzip-0', 'gzip-1'].map((k, i) => `${i}|${k}|${sizes[i]}`));
      expect((await consume(topic, 'beginning')).map((m) => [m.offset, m.key])).toEqual([[0, 'none-0'], [1, 'none-1'], [2, 'gzip-0'], [3, 'gzip-1']]);
    }
  });

  compat.scenario('auto-create-topic', async () => {
    const { code } = await kcat(['-P', '-t', 'kc-auto'], 'auto\n');
    expect(code).toBe(0);
    const { stdout } = await kcat(['-L', '-J', '-t', 'kc-auto']);
    const md = JSON.parse(stdout) as { topics: Array<{ topic: string; partitions: unknown[]; error?: string }> };
    expect(md.topics).toHaveLength(1);
    expect(md.topics[0]).toMatchObject({ topic: 'kc-auto' });
    expect(md.topics[0]!.partitions).toHaveLength(1);
    expect((await consume('kc-auto', 'beginning')).map((m) => m.payload)).toEqual(['auto']);
  });
});
