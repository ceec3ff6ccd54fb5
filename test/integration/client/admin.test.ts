// The admin client against the in-process broker: topics, configs, groups, offsets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../../src/broker.js';
import { Admin, Consumer, KafkaError, Producer } from '../../../src/client/index.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { startQuietBroker, uniqueTopic } from './helpers.js';

let broker: RunningBroker;
let admin: Admin;

beforeAll(async () => {
  broker = await startQuietBroker();
  admin = new Admin({ bootstrap: broker.bootstrap });
});

afterAll(async () => {
  await admin.close();
  await broker.stop();
});

describe('Admin', () => {
  it('creates, lists, describes and deletes topics', async () => {
    const topic = uniqueTopic('admin');
    await admin.createTopics([{ name: topic, numPartitions: 4, configs: { 'retention.ms': '3600000' } }]);
    await expect(admin.createTopics([{ name: topic, numPartitions: 4 }])).rejects.toMatchObject({ errorCode: ErrorCode.TOPIC_ALREADY_EXISTS });
    await admin.createTopics([{ name: topic, numPartitions: 4 }], true);
    expect(await admin.listTopics()).toContain(topic);
    expect((await admin.describeTopic(topic)).partitions).toHaveLength(4);
    await admin.deleteTopics([topic]);
    expect(await admin.listTopics()).not.toContain(topic);
  });

  it('describes and incrementally alters topic configs', async () => {
    const topic = uniqueTopic('admin-configs');
    await admin.createTopics([{ name: topic, numPartitions: 1 }]);
    await admin.alterConfigs('topic', topic, [{ name: 'retention.ms', value: '123456' }]);
    const configs = await admin.describeConfigs('topic', topic);
    const retention = configs.find((c) => c.name === 'retention.ms')!;
    expect(retention.value).toBe('123456');
    expect(retention.isDefault).toBe(false);
    expect(configs.length).toBeGreaterThan(10);
    await admin.alterConfigs('topic', topic, [{ name: 'retention.ms', operation: 'delete' }]);
    expect((await admin.describeConfigs('topic', topic, ['retention.ms']))[0]!.value).toBe('604800000');
  });

  it('lists offsets and groups, describes a group and its committed offsets', async () => {
    const topic = uniqueTopic('admin-groups');
    await admin.createTopics([{ name: topic, numPartitions: 1 }]);
    const producer = new Producer({ bootstrap: broker.bootstrap, acks: 1 });
    for (let i = 0; i < 5; i++) await producer.send({ topic, value: Buffer.from(String(i)), timestampMs: 1_000 + i });
    await producer.close();
    const [earliest, latest, byTime] = await admin.listOffsets([
      { topic, partition: 0, spec: 'earliest' },
      { topic, partition: 0, spec: 'latest' },
      { topic, partition: 0, spec: { timestampMs: 1_003 } },
    ]);
    expect([earliest!.offset, latest!.offset, byTime!.offset]).toEqual([0, 5, 3]);
    const groupId = `g-${topic}`;
    const consumer = new Consumer({ bootstrap: broker.bootstrap, groupId });
    await consumer.assign([{ topic, partition: 0, offset: 2 }]);
    await consumer.commit();
    await consumer.close();
    expect((await admin.listGroups()).map((g) => g.groupId)).toContain(groupId);
    expect((await admin.describeGroup(groupId)).groupId).toBe(groupId);
    expect(await admin.committedOffsets(groupId, [{ topic, partition: 0 }])).toMatchObject([{ topic, partition: 0, offset: 2 }]);
  });

  it('reports a missing topic as a KafkaError', async () => {
    const failure = await admin.describeTopic(uniqueTopic('missing')).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(KafkaError);
  });
});
