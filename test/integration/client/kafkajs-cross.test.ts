// Cross-checks with kafkajs against the same broker: what Rill's producer writes, kafkajs
// reads back identically, and what kafkajs writes, Rill's consumer reads back identically.
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../../src/broker.js';
import { Consumer, Producer, type ConsumerRecord } from '../../../src/client/index.js';
import { createTopic, startQuietBroker, uniqueTopic } from './helpers.js';

let broker: RunningBroker;
let kafka: Kafka;

beforeAll(async () => {
  broker = await startQuietBroker();
  kafka = new Kafka({ clientId: 'cross', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
});

afterAll(async () => {
  await broker.stop();
});

const COUNT = 300;

function expected(i: number) {
  return { key: `k${i}`, value: `v${i}`.repeat(1 + (i % 4)), header: `h${i}` };
}

describe('Rill client and kafkajs', () => {
  it('kafkajs reads what Rill produced (gzip, 3 partitions, keyed)', async () => {
    const topic = uniqueTopic('rill-to-kafkajs');
    await createTopic(broker.bootstrap, topic, 3);
    const producer = new Producer({ bootstrap: broker.bootstrap, compression: 'gzip', acks: 'all' });
    const sent = await Promise.all(
      Array.from({ length: COUNT }, (_, i) => {
        const e = expected(i);
        return producer.send({ topic, key: Buffer.from(e.key), value: Buffer.from(e.value), headers: [{ key: Buffer.from('h'), value: Buffer.from(e.header) }] });
      }),
    );
    await producer.close();
    const consumer = kafka.consumer({ groupId: `g-${topic}` });
    const seen: Array<{ key: string; value: string; header: string; partition: number; offset: number }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          seen.push({ key: message.key!.toString(), value: message.value!.toString(), header: String(message.headers!.h), partition, offset: Number(message.offset) });
          if (seen.length === COUNT) resolve();
        },
      });
    });
    await consumer.disconnect();
    const byKey = new Map(seen.map((s) => [s.key, s]));
    sent.forEach((m, i) => {
      const e = expected(i);
      const got = byKey.get(e.key)!;
      expect({ value: got.value, header: got.header, partition: got.partition, offset: got.offset }).toEqual({ value: e.value, header: e.header, partition: m.partition, offset: m.offset });
    });
  }, 60_000);

  it('Rill reads what kafkajs produced (gzip, keyed, headers)', async () => {
    const topic = uniqueTopic('kafkajs-to-rill');
    await createTopic(broker.bootstrap, topic, 2);
    const producer = kafka.producer();
    await producer.connect();
    const messages = Array.from({ length: COUNT }, (_, i) => {
      const e = expected(i);
      return { key: e.key, value: e.value, headers: { h: e.header } };
    });
    await producer.send({ topic, compression: CompressionTypes.GZIP, messages });
    await producer.disconnect();
    const consumer = new Consumer({ bootstrap: broker.bootstrap, maxWaitMs: 100 });
    await consumer.assignTopics([topic], 'earliest');
    const records: ConsumerRecord[] = [];
    await consumer.run({
      eachBatch: (batch) => {
        records.push(...batch.records);
        if (records.length >= COUNT) void consumer.stop();
      },
    });
    await consumer.close();
    const byKey = new Map(records.map((r) => [r.key!.toString(), r]));
    for (let i = 0; i < COUNT; i++) {
      const e = expected(i);
      const got = byKey.get(e.key)!;
      expect(got.value!.toString()).toBe(e.value);
      expect(got.headers.map((h) => [h.key.toString(), h.value!.toString()])).toEqual([['h', e.header]]);
    }
  });
});
