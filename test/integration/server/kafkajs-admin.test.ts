// First real-client milestone: kafkajs's admin client against startBroker().
import { ConfigResourceTypes, Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/index.js';

let broker: RunningBroker;
let admin: Admin;

beforeAll(async () => {
  broker = await startBroker({ port: 0, config: { 'num.partitions': 2 }, log: () => {} });
  const kafka = new Kafka({ clientId: 'rill-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 1 } });
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin?.disconnect();
  await broker.stop();
});

describe('kafkajs admin', () => {
  it('describes the cluster', async () => {
    const cluster = await admin.describeCluster();
    expect(cluster.brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: broker.port }]);
    expect(cluster.controller).toBe(1);
    expect(cluster.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('creates a topic and fetches its metadata; the admin does not auto-create', async () => {
    expect(await admin.createTopics({ topics: [{ topic: 'kafkajs-topic', numPartitions: 3 }] })).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: 'kafkajs-topic' }] })).toBe(false);
    const metadata = await admin.fetchTopicMetadata({ topics: ['kafkajs-topic'] });
    expect(metadata.topics).toHaveLength(1);
    expect(metadata.topics[0]!.name).toBe('kafkajs-topic');
    expect(metadata.topics[0]!.partitions.map((p) => [p.partitionId, p.leader]).sort()).toEqual([[0, 1], [1, 1], [2, 1]]);
    expect(await admin.listTopics()).toContain('kafkajs-topic');
    await expect(admin.fetchTopicMetadata({ topics: ['never-created'] })).rejects.toThrow(/does not host/);
  });

  it('rejects invalid topic configs and replication factors', async () => {
    await expect(admin.createTopics({ topics: [{ topic: 'bad-config', configEntries: [{ name: 'retention.ms', value: 'soon' }] }] })).rejects.toThrow();
    await expect(admin.createTopics({ topics: [{ topic: 'bad-rf', replicationFactor: 3 }] })).rejects.toThrow();
    expect(await admin.listTopics()).not.toContain('bad-config');
  });

  it('adds partitions, alters and describes configs, deletes the topic', async () => {
    await admin.createTopics({ topics: [{ topic: 'grow-me', numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
    await admin.createPartitions({ topicPartitions: [{ topic: 'grow-me', count: 4 }] });
    const metadata = await admin.fetchTopicMetadata({ topics: ['grow-me'] });
    expect(metadata.topics[0]!.partitions).toHaveLength(4);
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'grow-me', configEntries: [{ name: 'retention.ms', value: '1234' }] }] });
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'grow-me' }] });
    const entries = described.resources[0]!.configEntries;
    expect(entries.find((e) => e.configName === 'retention.ms')).toMatchObject({ configValue: '1234', isDefault: false });
    // AlterConfigs replaces every override: cleanup.policy went back to its default.
    expect(entries.find((e) => e.configName === 'cleanup.policy')).toMatchObject({ configValue: 'delete' });
    expect(entries.find((e) => e.configName === 'segment.bytes')).toMatchObject({ configValue: '1073741824', isDefault: true });
    await admin.deleteTopics({ topics: ['grow-me'] });
    expect(await admin.listTopics()).not.toContain('grow-me');
  });

  it('describes the broker configs', async () => {
    const described = await admin.describeConfigs({ includeSynonyms: true, resources: [{ type: ConfigResourceTypes.BROKER, name: '1' }] });
    const entries = described.resources[0]!.configEntries;
    expect(entries.find((e) => e.configName === 'num.partitions')).toMatchObject({ configValue: '2', readOnly: true });
    expect(entries.find((e) => e.configName === 'message.max.bytes')).toMatchObject({ configValue: '1048588', isDefault: true });
  });
});
