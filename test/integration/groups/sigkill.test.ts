// Crashes: a kafkajs member in a child process is SIGKILLed and its partitions move to the
// others after the session timeout with nothing lost; a broker in a child process is SIGKILLed
// and the committed offsets are there after it restarts on the same data directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { assertDisjoint, describeOwnership, groupTestConfig, waitFor } from './helpers.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const viteNode = join(import.meta.dirname, '../../../node_modules/.bin/vite-node');
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function kafka(bootstrap: string, clientId: string): Kafka {
  return new Kafka({ clientId, brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100 } });
}

function spawnLines(command: string, args: string[], onLine: (line: string) => void): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) onLine(line);
  });
  child.stderr!.resume();
  return child;
}

async function produce(bootstrap: string, topic: string, values: string[]): Promise<void> {
  const producer = kafka(bootstrap, 'producer').producer();
  await producer.connect();
  await producer.send({ topic, messages: values.map((value) => ({ value })) });
  await producer.disconnect();
}

describe('a SIGKILLed member', () => {
  it('loses its partitions to the others after the session timeout, and no message is lost', async () => {
    const broker: RunningBroker = await startBroker({ config: groupTestConfig, log: () => {} });
    const topic = 'killed-member';
    const groupId = 'sigkill-group';
    const admin = kafka(broker.bootstrap, 'admin').admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 6 }] });
    const seen = new Set<string>();
    const first = Array.from({ length: 240 }, (_, i) => `a${i}`);
    await produce(broker.bootstrap, topic, first);

    const child = spawnLines(process.execPath, [join(fixtures, 'kafkajs-member.mjs'), broker.bootstrap, groupId, topic, '3000'], (line) => {
      if (line.startsWith('value ')) seen.add(line.slice(6));
    });
    const members: Consumer[] = [];
    for (const name of ['p1', 'p2']) {
      const consumer = kafka(broker.bootstrap, name).consumer({ groupId, sessionTimeout: 3000, heartbeatInterval: 300, rebalanceTimeout: 5000, maxWaitTimeInMs: 200 });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.add(message.value!.toString()) });
      members.push(consumer);
    }
    await waitFor('a stable group of 3 owning all partitions', async () => {
      const ownership = await describeOwnership(admin, groupId);
      return ownership.state === 'Stable' && ownership.byMember.size === 3 && [...ownership.byMember.values()].every((owned) => owned.length === 2);
    });
    expect(assertDisjoint(await describeOwnership(admin, groupId)).size).toBe(6);
    await waitFor('every first message', () => first.every((v) => seen.has(v)));

    child.kill('SIGKILL');
    const second = Array.from({ length: 240 }, (_, i) => `b${i}`);
    await produce(broker.bootstrap, topic, second);
    await waitFor('a stable group of 2', async () => {
      const ownership = await describeOwnership(admin, groupId);
      return ownership.state === 'Stable' && ownership.byMember.size === 2;
    });
    expect(assertDisjoint(await describeOwnership(admin, groupId)).size).toBe(6);
    await waitFor('every second message', () => second.every((v) => seen.has(v)));
    await Promise.all(members.map((m) => m.disconnect()));
    await admin.disconnect();
    await broker.stop();
  });
});

describe('a SIGKILLed broker', () => {
  it('keeps committed offsets and group metadata', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rill-groups-kill-'));
    dirs.push(dataDir);
    const startChild = async (port: number): Promise<{ child: ChildProcess; port: number }> => {
      let resolveReady: (port: number) => void;
      const ready = new Promise<number>((resolve) => (resolveReady = resolve));
      const child = spawnLines(viteNode, [join(fixtures, 'broker-child.ts'), dataDir, String(port)], (line) => {
        if (line.startsWith('ready ')) resolveReady(Number(line.slice(6)));
      });
      return { child, port: await ready };
    };
    const first = await startChild(0);
    const bootstrap = `127.0.0.1:${first.port}`;
    const admin = kafka(bootstrap, 'admin').admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kept', numPartitions: 3 }] });
    await admin.setOffsets({ groupId: 'kept-group', topic: 'kept', partitions: [{ partition: 0, offset: '5' }, { partition: 1, offset: '0' }, { partition: 2, offset: '17' }] });
    await admin.setOffsets({ groupId: 'kept-group', topic: 'kept', partitions: [{ partition: 1, offset: '9' }] });
    await admin.disconnect();
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));

    await startChild(first.port);
    const after = kafka(bootstrap, 'admin-after').admin();
    await after.connect();
    const [offsets] = await after.fetchOffsets({ groupId: 'kept-group', topics: ['kept'] });
    const groups = await after.listGroups();
    await after.disconnect();
    expect(offsets!.partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset)).toEqual(['5', '9', '17']);
    expect(groups.groups.map((g) => g.groupId)).toContain('kept-group');
  });
});
