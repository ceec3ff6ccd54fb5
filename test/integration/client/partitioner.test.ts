// The default partitioner against an independent Java-compatible murmur2 (kafkajs's), over
// many random keys, and end to end: the partition a keyed record lands on at the broker.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../../src/broker.js';
import { murmur2, partitionForKey, Producer, StickyPartitions, toPositive } from '../../../src/client/index.js';
import { createTopic, startQuietBroker, uniqueTopic } from './helpers.js';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer) => number;

describe('murmur2', () => {
  it('matches a Java-compatible implementation on 20000 random keys of 0-64 bytes', () => {
    for (let i = 0; i < 20_000; i++) {
      const key = randomBytes(i % 65);
      expect(murmur2(key)).toBe(kafkajsMurmur2(key) | 0);
    }
  });

  it('gives the Java client partitions for known string keys', () => {
    // Each expectation computed by the independent implementation: toPositive(h) % 6.
    for (const text of ['', 'a', 'ab', 'abc', 'abcd', 'hello', 'user-42', 'Kafka', '21', 'ß€🙂']) {
      const key = Buffer.from(text);
      expect(partitionForKey(key, 6)).toBe((kafkajsMurmur2(key) & 0x7fffffff) % 6);
    }
  });

  it('toPositive clears the sign bit instead of negating', () => {
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(5)).toBe(5);
  });
});

describe('sticky partitions', () => {
  it('stays on one partition until the batch closes, then moves', () => {
    const sticky = new StickyPartitions();
    const first = sticky.partition('t', 6);
    expect(sticky.partition('t', 6)).toBe(first);
    sticky.batchClosed('t', first, 6);
    expect(sticky.partition('t', 6)).not.toBe(first);
  });
});

describe('keyed records at the broker', () => {
  let broker: RunningBroker;
  beforeAll(async () => {
    broker = await startQuietBroker();
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('land on toPositive(murmur2(key)) % partitions', async () => {
    const topic = uniqueTopic('keyed');
    await createTopic(broker.bootstrap, topic, 7);
    const producer = new Producer({ bootstrap: broker.bootstrap, acks: 1 });
    const keys = Array.from({ length: 300 }, () => randomBytes(1 + Math.floor(Math.random() * 30)));
    const metadata = await Promise.all(keys.map((key) => producer.send({ topic, key, value: key })));
    await producer.close();
    metadata.forEach((m, i) => expect(m.partition).toBe((kafkajsMurmur2(keys[i]!) & 0x7fffffff) % 7));
  });
});
