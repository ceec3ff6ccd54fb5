// Real clients against startBroker(): kcat and confluent-kafka (librdkafka), kafka-python and
// @platformatic/kafka. Each: metadata, topic create/delete where the client has an admin API,
// produce and consume back with keys, null values, headers and every codec the client has,
// a record above max.message.bytes (MESSAGE_TOO_LARGE), and an auto-created topic.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';

const PYTHON = '/usr/bin/python3';
let broker: RunningBroker;

beforeAll(async () => {
  broker = await startBroker({ config: { 'num.partitions': 1, 'message.max.bytes': 100_000 }, log: () => {} });
});

afterAll(async () => {
  await broker.stop();
});

function pythonHas(module: string): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', `import ${module}`]).status === 0;
}

/** Runs a child process WITHOUT blocking the event loop (the broker runs in this process). */
function run(command: string, args: string[], input?: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { env, timeout: 60_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`${command} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
    child.stdin!.end(input ?? '');
  });
}

async function runPython(script: string): Promise<unknown> {
  const out = await run(PYTHON, ['-c', script], undefined, { ...process.env, BOOTSTRAP: broker.bootstrap });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

const hasKcat = spawnSync('kcat', ['-V']).status === 0;

describe.skipIf(!hasKcat)('kcat', () => {
  it('lists metadata, produces keyed records and consumes them back', async () => {
    const kcat = (args: string[], input?: string) => run('kcat', ['-b', broker.bootstrap, ...args], input);
    await kcat(['-P', '-t', 'kcat-t', '-K', ':', '-z', 'lz4'], 'a:1\nb:2\n');
    await kcat(['-P', '-t', 'kcat-t', '-H', 'h=x'], 'third\n');
    expect(await kcat(['-L', '-t', 'kcat-t'])).toMatch(/topic "kcat-t" with 1 partitions/);
    const consumed = await kcat(['-C', '-t', 'kcat-t', '-e', '-f', '%k|%s|%o|%h\n']);
    expect(consumed.trim().split('\n')).toEqual(['a|1|0|', 'b|2|1|', '|third|2|h=x']);
    expect((await kcat(['-C', '-t', 'kcat-t', '-o', '2', '-e', '-f', '%s\n'])).trim()).toBe('third');
  });
});

describe.skipIf(!pythonHas('confluent_kafka'))('confluent-kafka (librdkafka)', () => {
  it('creates a topic, produces with every codec, consumes back, rejects oversize records', async () => {
    const result = await runPython(`
import json, os
from confluent_kafka import Producer, Consumer, TopicPartition, KafkaError
from confluent_kafka.admin import AdminClient, NewTopic
b = os.environ['BOOTSTRAP']
admin = AdminClient({'bootstrap.servers': b})
for f in admin.create_topics([NewTopic('ck', 1, 1)]).values(): f.result()
codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd']
errors = {}
for codec in codecs:
    p = Producer({'bootstrap.servers': b, 'compression.type': codec, 'linger.ms': 0})
    out = []
    p.produce('ck', key=codec.encode(), value=None if codec == 'none' else b'v-' + codec.encode(), headers=[('h', b'1')], on_delivery=lambda e, m: out.append(e))
    p.flush(20)
    errors[codec] = None if out[0] is None else out[0].name()
big = []
p = Producer({'bootstrap.servers': b, 'message.max.bytes': 1000000})
p.produce('ck', value=b'x' * 150000, on_delivery=lambda e, m: big.append(e))
p.flush(20)
c = Consumer({'bootstrap.servers': b, 'group.id': 'ck-reader', 'enable.auto.commit': False})
c.assign([TopicPartition('ck', 0, 0)])
got = []
while len(got) < len(codecs):
    m = c.poll(10)
    if m is None: break
    if m.error(): continue
    got.append([m.key().decode(), None if m.value() is None else m.value().decode(), m.offset(), [[k, v.decode()] for k, v in (m.headers() or [])]])
c.close()
md = admin.list_topics(timeout=10)
auto = Producer({'bootstrap.servers': b})
auto.produce('ck-auto', value=b'a'); auto.flush(20)
topics_after = sorted(admin.list_topics(timeout=10).topics.keys())
for f in admin.delete_topics(['ck']).values(): f.result()
print(json.dumps({'errors': errors, 'big': big[0].name() if big[0] else None, 'got': got, 'topics': topics_after, 'after_delete': sorted(admin.list_topics(timeout=10).topics.keys())}))
`) as { errors: Record<string, string | null>; big: string | null; got: unknown[][]; topics: string[]; after_delete: string[] };
    expect(result.errors).toEqual({ none: null, gzip: null, snappy: null, lz4: null, zstd: null });
    expect(result.big).toBe('MSG_SIZE_TOO_LARGE');
    expect(result.got).toEqual([
      ['none', null, 0, [['h', '1']]], ['gzip', 'v-gzip', 1, [['h', '1']]], ['snappy', 'v-snappy', 2, [['h', '1']]],
      ['lz4', 'v-lz4', 3, [['h', '1']]], ['zstd', 'v-zstd', 4, [['h', '1']]],
    ]);
    expect(result.topics).toContain('ck-auto');
    expect(result.after_delete).not.toContain('ck');
  });
});

describe.skipIf(!pythonHas('kafka'))('kafka-python', () => {
  it('creates a topic, produces with its codecs, consumes from an offset and a timestamp', async () => {
    const result = await runPython(`
import json, os, time
from kafka import KafkaProducer, KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
b = os.environ['BOOTSTRAP']
admin = KafkaAdminClient(bootstrap_servers=b)
admin.create_topics([NewTopic('kp', 1, 1)])
sent = []
for codec in [None, 'gzip']:
    p = KafkaProducer(bootstrap_servers=b, compression_type=codec)
    sent.append(p.send('kp', key=b'k', value=b'v-' + (codec or 'none').encode(), headers=[('h', b'1')]).get(timeout=20).offset)
    p.close()
mid = int(time.time() * 1000)
time.sleep(0.05)
p = KafkaProducer(bootstrap_servers=b)
sent.append(p.send('kp', value=None, key=b'late').get(timeout=20).offset)
p.close()
c = KafkaConsumer(bootstrap_servers=b, consumer_timeout_ms=3000)
tp = TopicPartition('kp', 0)
c.assign([tp]); c.seek(tp, 1)
from_offset = [[m.offset, m.value.decode() if m.value else None] for m in c]
by_time = c.offsets_for_times({tp: mid})[tp].offset
c.close()
print(json.dumps({'sent': sent, 'from_offset': from_offset, 'by_time': by_time}))
`) as { sent: number[]; from_offset: unknown[]; by_time: number };
    expect(result.sent).toEqual([0, 1, 2]);
    expect(result.from_offset).toEqual([[1, 'v-gzip'], [2, null]]);
    expect(result.by_time).toBe(2);
  });
});

describe('@platformatic/kafka', () => {
  it('creates a topic, produces and reads metadata', async () => {
    const { Admin, Producer, stringSerializers } = await import('@platformatic/kafka');
    const admin = new Admin({ clientId: 'rill-test', bootstrapBrokers: [broker.bootstrap] });
    await admin.createTopics({ topics: ['pk'], partitions: 2, replicas: 1 });
    expect(await admin.listTopics()).toContain('pk');
    const producer = new Producer({ clientId: 'rill-test', bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers });
    const sent = await producer.send({ messages: [{ topic: 'pk', key: 'k', value: 'v', partition: 1, headers: new Map([['h', 'x']]) }] });
    expect(sent.offsets).toEqual([{ topic: 'pk', partition: 1, offset: 0n }]);
    await producer.close();
    await admin.deleteTopics({ topics: ['pk'] });
    expect(await admin.listTopics()).not.toContain('pk');
    await admin.close();
  });
});
