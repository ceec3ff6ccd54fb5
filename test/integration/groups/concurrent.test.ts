// Several kafkajs groups rebalancing at once on one coordinator (a pitfall other brokers fell
// into): every group reaches a stable, disjoint, complete assignment, consumers never crash
// (no spurious UNKNOWN_MEMBER_ID or truncated SyncGroup), and each group reads every message.
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { assertDisjoint, describeOwnership, groupTestConfig, waitFor } from './helpers.js';

const GROUPS = 4;
const MEMBERS_PER_GROUP = 3;
const TOPIC = 'shared-topic';
let broker: RunningBroker;
let kafka: Kafka;

beforeAll(async () => {
  broker = await startBroker({ config: groupTestConfig, log: () => {} });
  kafka = new Kafka({ clientId: 'concurrent', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 6 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: Array.from({ length: 120 }, (_, i) => ({ value: `m${i}` })) });
  await producer.disconnect();
});

afterAll(async () => {
  await broker.stop();
});

describe('several groups rebalancing at once', () => {
  it('all converge with no crashes, no overlap and nothing lost', async () => {
    const crashes: string[] = [];
    const seen = Array.from({ length: GROUPS }, () => new Set<string>());
    const consumers: Consumer[] = [];
    await Promise.all(Array.from({ length: GROUPS * MEMBERS_PER_GROUP }, async (_, index) => {
      const group = index % GROUPS;
      const consumer = kafka.consumer({ groupId: `concurrent-${group}`, sessionTimeout: 3000, heartbeatInterval: 300, maxWaitTimeInMs: 200 });
      consumer.on(consumer.events.CRASH, (event) => crashes.push(String(event.payload.error)));
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen[group]!.add(message.value!.toString()) });
    }));
    const admin = kafka.admin();
    await admin.connect();
    for (let group = 0; group < GROUPS; group++) {
      await waitFor(`group ${group} stable with ${MEMBERS_PER_GROUP} members`, async () => {
        const ownership = await describeOwnership(admin, `concurrent-${group}`);
        return ownership.state === 'Stable' && ownership.byMember.size === MEMBERS_PER_GROUP && assertDisjoint(ownership).size === 6;
      });
      await waitFor(`group ${group} read everything`, () => seen[group]!.size === 120);
    }
    await admin.disconnect();
    await Promise.all(consumers.map((c) => c.disconnect()));
    expect(crashes).toEqual([]);
  });
});
