// Rill's producer and consumer against an in-process broker: round trips with keys, headers,
// null values and every codec; batching; start positions; delivery metadata.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../../src/broker.js';
import { Consumer, Producer, type ConsumerRecord } from '../../../src/client/index.js';
import { accel } from '../../../src/accel/index.js';
import { createTopic, startQuietBroker, uniqueTopic } from './helpers.js';

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startQuietBroker();
});

afterAll(async () => {
  await broker.stop();
});

async function consumeAll(topic: string, expectedCount: number, offset: 'earliest' | number = 'earliest'): Promise<ConsumerRecord[]> {
  const consumer = new Consumer({ bootstrap: broker.bootstrap, maxWaitMs: 100 });
  const records: ConsumerRecord[] = [];
  await consumer.assignTopics([topic], offset);
  const running = consumer.run({
    eachBatch: (batch) => {
      records.push(...batch.records);
      if (records.length >= expectedCount) void consumer.stop();
    },
  });
  await running;
  await consumer.close();
  return records;
}

describe('produce then consume', () => {
  // zstd needs the native module (Node 20's zlib has none): not under RILL_ACCEL=js or =wasm.
  const codecs = (['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const).filter((codec) => codec !== 'zstd' || accel.implementation === 'native');
  for (const compression of codecs) {
    it(`round-trips keys, headers and null values with ${compression}`, async () => {
      const topic = uniqueTopic(`rt-${compression}`);
      await createTopic(broker.bootstrap, topic, 1);
      const producer = new Producer({ bootstrap: broker.bootstrap, compression, acks: 1, lingerMs: 2 });
      const sent = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          producer.send({
            topic,
            key: i % 3 === 0 ? null : Buffer.from(`key-${i}`),
            value: i % 7 === 0 ? null : Buffer.from(`value-${i}-`.repeat(i % 5)),
            headers: i % 2 === 0 ? [{ key: Buffer.from('h'), value: Buffer.from(String(i)) }, { key: Buffer.from('n'), value: null }] : null,
            timestampMs: 1_700_000_000_000 + i,
          }),
        ),
      );
      await producer.close();
      expect(sent.map((m) => m.offset)).toEqual(Array.from({ length: 200 }, (_, i) => i));
      const records = await consumeAll(topic, 200);
      expect(records).toHaveLength(200);
      records.forEach((r, i) => {
        expect(r.offset).toBe(i);
        expect(r.key === null ? null : r.key.toString()).toBe(i % 3 === 0 ? null : `key-${i}`);
        expect(r.value === null ? null : r.value.toString()).toBe(i % 7 === 0 ? null : `value-${i}-`.repeat(i % 5));
        expect(r.timestampMs).toBe(1_700_000_000_000 + i);
        const headers = r.headers.map((h) => [h.key.toString(), h.value === null ? null : h.value.toString()]);
        expect(headers).toEqual(i % 2 === 0 ? [['h', String(i)], ['n', null]] : []);
      });
    });
  }

  it('batches many sends into few produce batches', async () => {
    const topic = uniqueTopic('batching');
    await createTopic(broker.bootstrap, topic, 1);
    const producer = new Producer({ bootstrap: broker.bootstrap, acks: 1, lingerMs: 20, batchSizeBytes: 1_000_000 });
    const value = Buffer.alloc(100, 1);
    const deliveries = Array.from({ length: 5_000 }, () => producer.sendBatched({ topic, partition: 0, value }));
    const batches = [...new Set(await Promise.all(deliveries))];
    await producer.close();
    expect(batches.length).toBeLessThanOrEqual(5);
    expect(batches.reduce((sum, b) => sum + b.recordCount, 0)).toBe(5_000);
    const consumer = new Consumer({ bootstrap: broker.bootstrap, maxWaitMs: 100 });
    await consumer.assign([{ topic, partition: 0, offset: 'earliest' }]);
    let batchCount = 0;
    let recordCount = 0;
    await consumer.run({
      eachBatch: (batch) => {
        batchCount += 1;
        recordCount += batch.records.length;
        if (recordCount >= 5_000) void consumer.stop();
      },
    });
    await consumer.close();
    expect(recordCount).toBe(5_000);
    expect(batchCount).toBe(batches.length);
  });

  it('splits at batch.size', async () => {
    const topic = uniqueTopic('batch-size');
    await createTopic(broker.bootstrap, topic, 1);
    const producer = new Producer({ bootstrap: broker.bootstrap, acks: 1, lingerMs: 50, batchSizeBytes: 10_000 });
    const deliveries = Array.from({ length: 1_000 }, () => producer.sendBatched({ topic, value: Buffer.alloc(88) }));
    const batches = new Set(await Promise.all(deliveries));
    await producer.close();
    // Each record encodes to 96-98 bytes (88 value + framing): about 102 fit in 10000 bytes.
    const counts = [...batches].map((b) => b.recordCount);
    expect(counts.reduce((sum, c) => sum + c, 0)).toBe(1_000);
    expect(counts).toHaveLength(10);
    for (const count of counts.slice(0, -1)) expect(count).toBeGreaterThanOrEqual(100);
    for (const count of counts.slice(0, -1)) expect(count).toBeLessThanOrEqual(104);
  });

  it('starts from the end, from an offset and from a timestamp', async () => {
    const topic = uniqueTopic('positions');
    await createTopic(broker.bootstrap, topic, 1);
    const producer = new Producer({ bootstrap: broker.bootstrap, acks: 1, lingerMs: 0 });
    for (let i = 0; i < 10; i++) await producer.send({ topic, value: Buffer.from(String(i)), timestampMs: 1_000_000 + i * 10 });
    const fromOffset = await consumeAll(topic, 4, 6);
    expect(fromOffset.map((r) => r.value!.toString())).toEqual(['6', '7', '8', '9']);
    const consumer = new Consumer({ bootstrap: broker.bootstrap, maxWaitMs: 100 });
    await consumer.assign([{ topic, partition: 0, offset: { timestampMs: 1_000_035 } }]);
    expect(consumer.position(topic, 0)).toBe(4);
    await consumer.seek(topic, 0, 'latest');
    expect(consumer.position(topic, 0)).toBe(10);
    const received: string[] = [];
    const running = consumer.run({
      eachBatch: (batch) => {
        received.push(...batch.records.map((r) => r.value!.toString()));
        void consumer.stop();
      },
    });
    await producer.send({ topic, value: Buffer.from('after') });
    await running;
    await consumer.close();
    await producer.close();
    expect(received).toEqual(['after']);
  });

  it('produce() lets the caller reuse one record object and buffer, before and after metadata arrives', async () => {
    const topic = uniqueTopic('reuse');
    await createTopic(broker.bootstrap, topic, 1);
    const producer = new Producer({ bootstrap: broker.bootstrap, acks: 1, lingerMs: 1 });
    const value = Buffer.alloc(4);
    const record = { topic, value };
    for (let i = 0; i < 100; i++) {
      value.writeInt32BE(i, 0);
      producer.produce(record);
      if (i === 49) await producer.flush();
    }
    await producer.close();
    const records = await consumeAll(topic, 100);
    expect(records.map((r) => r.value!.readInt32BE(0))).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('acks=0 delivers without offsets', async () => {
    const topic = uniqueTopic('acks0');
    await createTopic(broker.bootstrap, topic, 2);
    const producer = new Producer({ bootstrap: broker.bootstrap, acks: 0, lingerMs: 1 });
    const metadata = await Promise.all(Array.from({ length: 100 }, (_, i) => producer.send({ topic, value: Buffer.from(String(i)) })));
    await producer.close();
    expect(metadata.every((m) => m.offset === -1)).toBe(true);
    const records = await consumeAll(topic, 100);
    expect(records.map((r) => Number(r.value!.toString())).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
