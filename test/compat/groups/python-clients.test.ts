// Real librdkafka (python3-confluent-kafka), kafka-python and kcat groups against an
// in-process broker. Skipped when Debian's python3 packages or kcat are missing.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { groupTestConfig } from '../../integration/groups/helpers.js';

const PYTHON = '/usr/bin/python3';
const hasModule = (module: string) => spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
const hasConfluent = hasModule('confluent_kafka');
const hasKafkaPython = hasModule('kafka');
const hasKcat = spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0;

let broker: RunningBroker;
let kafka: Kafka;

beforeAll(async () => {
  broker = await startBroker({ config: groupTestConfig, log: () => {} });
  kafka = new Kafka({ clientId: 'compat', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
});

afterAll(async () => {
  await broker.stop();
});

async function createTopic(topic: string, numPartitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions }] });
  await admin.disconnect();
}

function run(command: string, args: string[], limitMs = 120_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function committedTotal(groupId: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  await admin.disconnect();
  return offsets!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

const script = join(import.meta.dirname, 'confluent_group.py');

describe.skipIf(!hasConfluent)('python3-confluent-kafka (librdkafka)', () => {
  for (const strategy of ['range', 'cooperative-sticky']) {
    it(`${strategy}: members join and leave, no partition has two owners, nothing lost`, async () => {
      const topic = `confluent-${strategy}`;
      await createTopic(topic, 6);
      const result = await run(PYTHON, [script, 'rebalance', broker.bootstrap, topic, `confluent-${strategy}-group`, strategy]);
      expect(result.code, result.stderr).toBe(0);
      const summary = JSON.parse(result.stdout.trim().split('\n').pop()!);
      expect(summary.violations).toEqual([]);
      expect(summary.missing).toBe(0);
      expect(summary.seen).toBe(600);
      expect(summary.m3_assigned).toBeGreaterThan(0);
    });
  }

  it('static membership: a restarted instance gets its partitions back without a rebalance', async () => {
    const topic = 'confluent-static';
    await createTopic(topic, 4);
    const result = await run(PYTHON, [script, 'static', broker.bootstrap, topic, 'confluent-static-group']);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout.trim().split('\n').pop()!);
    expect(summary.violations).toEqual([]);
    expect(summary.missing).toBe(0);
    expect(summary.b_after).toEqual(summary.b_before);
    expect(summary.a_assigns_after).toBe(summary.a_assigns_before);
  });
});

const kafkaPythonScript = `
import sys, json
from kafka import KafkaConsumer, KafkaProducer
bootstrap, topic, group = sys.argv[1:4]
producer = KafkaProducer(bootstrap_servers=bootstrap)
for i in range(150):
    producer.send(topic, value=('k%d' % i).encode())
producer.flush()
consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset='earliest',
                         enable_auto_commit=False, session_timeout_ms=3000, heartbeat_interval_ms=300, consumer_timeout_ms=8000)
seen = set()
for message in consumer:
    seen.add(message.value.decode())
    if len(seen) == 150:
        break
consumer.commit()
assignment = sorted(tp.partition for tp in consumer.assignment())
consumer.close()
print(json.dumps({'seen': len(seen), 'assignment': assignment}))
`;

describe.skipIf(!hasKafkaPython)('kafka-python', () => {
  it('group consumer gets every partition, consumes everything and commits', async () => {
    const topic = 'kafka-python-topic';
    await createTopic(topic, 3);
    const result = await run(PYTHON, ['-c', kafkaPythonScript, broker.bootstrap, topic, 'kafka-python-group']);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout.trim().split('\n').pop()!);
    expect(summary).toEqual({ seen: 150, assignment: [0, 1, 2] });
    expect(await committedTotal('kafka-python-group', topic)).toBe(150);
  });
});

describe.skipIf(!hasKcat)('kcat -G', () => {
  it('two balanced consumers together read every message once per group and commit', async () => {
    const topic = 'kcat-topic';
    await createTopic(topic, 4);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 200 }, (_, i) => ({ value: `v${i}` })) });
    await producer.disconnect();
    const args = ['-b', broker.bootstrap, '-G', 'kcat-group', '-o', 'beginning', '-e', '-q', '-f', '%s\\n',
      '-X', 'session.timeout.ms=3000', '-X', 'heartbeat.interval.ms=300', '-X', 'auto.commit.interval.ms=100', topic];
    const [a, b] = await Promise.all([run('kcat', args, 60_000), run('kcat', args, 60_000)]);
    const values = [...a.stdout.split('\n'), ...b.stdout.split('\n')].filter((v) => v !== '');
    expect(new Set(values).size).toBe(200);
    expect(await committedTotal('kcat-group', topic)).toBe(200);
  });
});
