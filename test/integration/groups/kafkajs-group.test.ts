// kafkajs consumer groups against an in-process broker: 3 members over 6 partitions join,
// consume everything, one leaves and its partitions move, committed offsets survive a broker
// restart. Ownership is checked through DescribeGroups (no partition owned twice in one
// generation) and delivery through the set of values seen (nothing lost; at-least-once).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { assertDisjoint, describeOwnership, groupTestConfig, waitFor } from './helpers.js';

const TOPIC = 'orders';
const PARTITIONS = 6;
const GROUP = 'kafkajs-group';

let dataDir: string;
let broker: RunningBroker;

async function start(): Promise<RunningBroker> {
  return startBroker({ dataDir, port: broker?.port ?? 0, config: groupTestConfig, log: () => {} });
}

function client(clientId: string): Kafka {
  return new Kafka({ clientId, brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100 } });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rill-groups-'));
  broker = await start();
  const admin = client('setup').admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
  await admin.disconnect();
});

afterAll(async () => {
  await broker.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function produce(values: string[]): Promise<void> {
  const producer = client('producer').producer();
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: values.map((value, i) => ({ key: `k${i}`, value })) });
  await producer.disconnect();
}

async function startMember(name: string, seen: Map<string, number>): Promise<Consumer> {
  const consumer = client(name).consumer({ groupId: GROUP, sessionTimeout: 3000, heartbeatInterval: 300, rebalanceTimeout: 5000, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const value = message.value!.toString();
      seen.set(value, (seen.get(value) ?? 0) + 1);
    },
  });
  return consumer;
}

describe('kafkajs group of 3 over 6 partitions', () => {
  it('shares partitions, rebalances on leave, and resumes from committed offsets after a restart', async () => {
    const seen = new Map<string, number>();
    const first = Array.from({ length: 300 }, (_, i) => `a${i}`);
    await produce(first);
    const members = [await startMember('m1', seen), await startMember('m2', seen), await startMember('m3', seen)];
    const admin = client('observer').admin();
    await admin.connect();
    await waitFor('all first messages', () => first.every((v) => seen.has(v)));
    await waitFor('a stable group of 3', async () => {
      const ownership = await describeOwnership(admin, GROUP);
      return ownership.state === 'Stable' && ownership.byMember.size === 3;
    });
    const three = await describeOwnership(admin, GROUP);
    expect(assertDisjoint(three).size).toBe(PARTITIONS);
    for (const owned of three.byMember.values()) expect(owned.length).toBe(2);

    await members[2]!.disconnect();
    await waitFor('a stable group of 2', async () => {
      const ownership = await describeOwnership(admin, GROUP);
      return ownership.state === 'Stable' && ownership.byMember.size === 2;
    });
    const two = await describeOwnership(admin, GROUP);
    expect(assertDisjoint(two).size).toBe(PARTITIONS);

    const second = Array.from({ length: 120 }, (_, i) => `b${i}`);
    await produce(second);
    await waitFor('all second messages', () => second.every((v) => seen.has(v)));
    await Promise.all(members.slice(0, 2).map((m) => m.disconnect()));
    await admin.disconnect();

    const offsetsBefore = await committedOffsets();
    expect(offsetsBefore.reduce((sum, o) => sum + o, 0)).toBe(first.length + second.length);

    await broker.stop();
    broker = await start();
    expect(await committedOffsets()).toEqual(offsetsBefore);

    const third = Array.from({ length: 60 }, (_, i) => `c${i}`);
    await produce(third);
    const afterRestart = new Map<string, number>();
    const resumed = await startMember('m4', afterRestart);
    await waitFor('all third messages', () => third.every((v) => afterRestart.has(v)));
    await resumed.disconnect();
    expect([...afterRestart.keys()].filter((v) => !v.startsWith('c'))).toEqual([]);
  });
});

async function committedOffsets(): Promise<number[]> {
  const admin = client('offsets').admin();
  await admin.connect();
  const [topic] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
  await admin.disconnect();
  return topic!.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
}
