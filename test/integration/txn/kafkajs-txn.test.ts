// Exactly-once with kafkajs: idempotent producers, transactional producers (send, sendOffsets,
// commit, abort) and read_committed consumers against a real broker over TCP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { kafkaFor, readAll, txnTestConfig, uniqueName } from './helpers.js';

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startBroker({ config: txnTestConfig, log: () => {} });
});

afterAll(async () => {
  await broker.stop();
});

async function createTopic(topic: string, partitions = 1): Promise<void> {
  const admin = kafkaFor(broker.bootstrap).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
  await admin.disconnect();
}

describe('kafkajs idempotent producer', () => {
  it('writes every record once with a producer id', async () => {
    const topic = uniqueName('idem');
    await createTopic(topic);
    const kafka = kafkaFor(broker.bootstrap);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let i = 0; i < 20; i++) await producer.send({ topic, messages: [{ value: `v${i}` }] });
    await producer.disconnect();
    const values = await readAll(kafka, topic, { expected: 20 });
    expect(values).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`));
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    expect(offsets[0]!.high).toBe('20');
  });
});

describe('kafkajs transactions', () => {
  it('delivers committed records once and never aborted ones to read_committed', async () => {
    const topic = uniqueName('txn');
    await createTopic(topic, 2);
    const kafka = kafkaFor(broker.bootstrap);
    const producer = kafka.producer({ transactionalId: uniqueName('tid'), idempotent: true, maxInFlightRequests: 1, transactionTimeout: 30_000 });
    await producer.connect();
    for (let t = 0; t < 6; t++) {
      const txn = await producer.transaction();
      await txn.send({ topic, messages: [0, 1, 2].map((i) => ({ key: `k${i}`, value: `t${t}-${i}` })) });
      if (t % 2 === 0) await txn.commit();
      else await txn.abort();
    }
    await producer.disconnect();
    const committed = await readAll(kafka, topic, { expected: 9 });
    expect(committed.sort()).toEqual([0, 2, 4].flatMap((t) => [0, 1, 2].map((i) => `t${t}-${i}`)).sort());
    const everything = await readAll(kafka, topic, { expected: 18, readUncommitted: true });
    expect(everything.length).toBe(18);
  });

  it('keeps an open transaction invisible to read_committed until it commits', async () => {
    const topic = uniqueName('open');
    await createTopic(topic);
    const kafka = kafkaFor(broker.bootstrap);
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic, messages: [{ value: 'before' }] });
    const producer = kafka.producer({ transactionalId: uniqueName('tid'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic, messages: [{ value: 'inside' }] });
    await plain.send({ topic, messages: [{ value: 'after' }] });
    const admin = kafka.admin();
    await admin.connect();
    const lso = await admin.fetchTopicOffsets(topic);
    expect(lso[0]!.high).toBe('1');
    const seen = await readAll(kafka, topic, { expected: 1, settleMs: 800 });
    expect(seen).toEqual(['before']);
    await txn.commit();
    expect((await admin.fetchTopicOffsets(topic))[0]!.high).toBe('4');
    await admin.disconnect();
    const all = await readAll(kafka, topic, { expected: 3 });
    expect(all).toEqual(['before', 'inside', 'after']);
    await producer.disconnect();
    await plain.disconnect();
  });

  it('commits consumer offsets with sendOffsets only when the transaction commits', async () => {
    const topic = uniqueName('offsets');
    await createTopic(topic);
    const groupId = uniqueName('group');
    const kafka = kafkaFor(broker.bootstrap);
    const producer = kafka.producer({ transactionalId: uniqueName('tid'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const admin = kafka.admin();
    await admin.connect();
    const committedOffset = async () => (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions[0]!.offset;

    const aborted = await producer.transaction();
    await aborted.send({ topic, messages: [{ value: 'x' }] });
    await aborted.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 0, offset: '7' }] }] });
    await aborted.abort();
    expect(await committedOffset()).toBe('-1');

    const txn = await producer.transaction();
    await txn.send({ topic, messages: [{ value: 'y' }] });
    await txn.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 0, offset: '5' }] }] });
    expect(await committedOffset()).toBe('-1');
    await txn.commit();
    expect(await committedOffset()).toBe('5');
    await admin.disconnect();
    await producer.disconnect();
  });

  it('fences the older producer when a new one starts with the same transactional id', async () => {
    const topic = uniqueName('fence');
    await createTopic(topic);
    const transactionalId = uniqueName('tid');
    const kafka = kafkaFor(broker.bootstrap);
    const first = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
    await first.connect();
    const open = await first.transaction();
    await open.send({ topic, messages: [{ value: 'zombie' }] });
    const second = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
    await second.connect();
    // kafkajs sends InitProducerId with the transactional id when the first transaction starts.
    const txn = await second.transaction();
    await expect(open.commit()).rejects.toThrow();
    await txn.send({ topic, messages: [{ value: 'fresh' }] });
    await txn.commit();
    expect(await readAll(kafka, topic, { expected: 1 })).toEqual(['fresh']);
    await first.disconnect().catch(() => {});
    await second.disconnect();
  });
});
