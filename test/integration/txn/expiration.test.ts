// producer.id.expiration.ms and transactional.id.expiration.ms: the periodic sweep forgets idle
// producers (DescribeProducers no longer lists them; their next batch may start at any
// sequence) and removes idle transactional ids (DescribeTransactions: TRANSACTIONAL_ID_NOT_FOUND).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { RawClient } from '../groups/raw-client.js';
import { kafkaFor, txnTestConfig, uniqueName, waitFor } from './helpers.js';
import { describeTransaction, initProducerId, produceBatch } from './raw-txn.js';

let broker: RunningBroker;
let client: RawClient;

beforeAll(async () => {
  broker = await startBroker({ config: { ...txnTestConfig, 'producer.id.expiration.ms': 300, 'transactional.id.expiration.ms': 300 }, log: () => {} });
  client = await RawClient.open(broker.port);
});

afterAll(async () => {
  client.close();
  await broker.stop();
});

async function activeProducers(topic: string): Promise<bigint[]> {
  const response = await client.call<{ topics: { partitions: { activeProducers: { producerId: bigint }[] }[] }[] }>(61, 0, { topics: [{ name: topic, partitionIndexes: [0] }] });
  return response.topics[0]!.partitions[0]!.activeProducers.map((p) => p.producerId);
}

describe('expiration', () => {
  it('forgets idle producers and idle transactional ids', async () => {
    const topic = uniqueName('expire');
    const admin = kafkaFor(broker.bootstrap).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await admin.disconnect();
    const ids = await initProducerId(client, null);
    expect((await produceBatch(client, topic, { ...ids, baseSequence: 0, count: 2 })).errorCode).toBe(ErrorCode.NONE);
    expect(await activeProducers(topic)).toEqual([ids.producerId]);
    expect((await produceBatch(client, topic, { ...ids, baseSequence: 7, count: 1 })).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    await waitFor('the producer to expire', async () => (await activeProducers(topic)).length === 0);
    expect((await produceBatch(client, topic, { ...ids, baseSequence: 7, count: 1 })).errorCode).toBe(ErrorCode.NONE);

    const transactionalId = uniqueName('tid');
    expect((await initProducerId(client, transactionalId)).errorCode).toBe(ErrorCode.NONE);
    expect((await describeTransaction(client, transactionalId)).errorCode).toBe(ErrorCode.NONE);
    await waitFor('the transactional id to expire', async () => (await describeTransaction(client, transactionalId)).errorCode === ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  });
});
