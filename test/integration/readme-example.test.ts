// The README's embedding example, kept runnable: a Vitest file using kafkajs against startBroker().
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/index.js';

let broker: RunningBroker;
beforeAll(async () => {
  broker = await startBroker({ port: 0 });
});
afterAll(async () => {
  await broker.stop();
});

test('kafkajs produces and consumes through an embedded broker', async () => {
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'greetings', messages: [{ key: 'k', value: 'hello' }] });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: 'readme' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'greetings', fromBeginning: true });
  const received = await new Promise<string>((resolve) => {
    void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) });
  });
  await consumer.disconnect();
  expect(received).toBe('hello');
});
