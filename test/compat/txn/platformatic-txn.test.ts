// @platformatic/kafka 1.x: idempotent producer and transactions (commit and abort) against Rill,
// checked with a read_committed kafkajs reader: committed records once, aborted ones never.
import { Producer, stringSerializers } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { kafkaFor, readAll, txnTestConfig, uniqueName } from '../../integration/txn/helpers.js';

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startBroker({ config: txnTestConfig, log: () => {} });
});

afterAll(async () => {
  await broker.stop();
});

async function createTopic(topic: string): Promise<void> {
  const admin = kafkaFor(broker.bootstrap).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
  await admin.disconnect();
}

describe('@platformatic/kafka exactly-once', () => {
  it('idempotent sends are written once', async () => {
    const topic = uniqueName('pk-idem');
    await createTopic(topic);
    const producer = new Producer({ clientId: 'pk-idem', bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers, idempotent: true });
    for (let i = 0; i < 10; i++) await producer.send({ messages: [{ topic, key: `k${i}`, value: `v${i}` }] });
    await producer.close();
    expect((await readAll(kafkaFor(broker.bootstrap), topic, { expected: 10 })).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `v${i}`).sort());
  });

  it('commits and aborts transactions', async () => {
    const topic = uniqueName('pk-txn');
    await createTopic(topic);
    const producer = new Producer({ clientId: 'pk-txn', bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers, idempotent: true, transactionalId: uniqueName('pk-tid') });
    const committed = await producer.beginTransaction();
    await committed.send({ messages: [{ topic, key: 'a', value: 'kept-1' }, { topic, key: 'b', value: 'kept-2' }] });
    await committed.commit();
    const aborted = await producer.beginTransaction();
    await aborted.send({ messages: [{ topic, key: 'a', value: 'dropped-1' }, { topic, key: 'b', value: 'dropped-2' }] });
    await aborted.abort();
    const last = await producer.beginTransaction();
    await last.send({ messages: [{ topic, key: 'c', value: 'kept-3' }] });
    await last.commit();
    await producer.close();
    const kafka = kafkaFor(broker.bootstrap);
    expect((await readAll(kafka, topic, { expected: 3 })).sort()).toEqual(['kept-1', 'kept-2', 'kept-3']);
    expect((await readAll(kafka, topic, { expected: 5, readUncommitted: true })).length).toBe(5);
  });
});
