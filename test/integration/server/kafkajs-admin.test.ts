// First real-client milestone: kafkajs's admin client against startBroker().
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startBroker({ port: 0, config: { 'num.partitions': 2 }, log: () => {} });
});

afterAll(async () => {
  await broker.stop();
});

describe('kafkajs admin', () => {
  it('connects, describes the cluster and fetches metadata of an auto-created topic', async () => {
    const kafka = new Kafka({ clientId: 'rill-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      expect(cluster.brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: broker.port }]);
      expect(cluster.controller).toBe(1);
      expect(cluster.clusterId.length).toBe(22);
      const metadata = await admin.fetchTopicMetadata({ topics: ['kafkajs-topic'] });
      expect(metadata.topics).toEqual([
        expect.objectContaining({ name: 'kafkajs-topic', partitions: [expect.objectContaining({ partitionId: 0, leader: 1 }), expect.objectContaining({ partitionId: 1, leader: 1 })] }),
      ]);
      expect(await admin.listTopics()).toContain('kafkajs-topic');
    } finally {
      await admin.disconnect();
    }
  });
});
