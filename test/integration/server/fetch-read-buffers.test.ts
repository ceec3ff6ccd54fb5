// Fetch reads into pooled buffers that go back to the pool once the answer is written. If a
// buffer came back early, a later read would overwrite bytes still waiting in a socket: several
// consumers fetching small slices at once from a live topic would then see corrupted values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accel } from '../../../src/accel/index.js';
import { Consumer, Producer } from '../../../src/client/index.js';
import type { RunningBroker } from '../../../src/index.js';
import { defaultFetchRequest, defaultFetchRequestFetchPartition, type FetchResponse } from '../../../src/protocol/index.js';
import { decodeBatchRecords, iterateBatches, validateBatch } from '../../../src/protocol/records/index.js';
import { createTopic, startQuietBroker, uniqueTopic } from '../client/helpers.js';
import { WireClient } from './wire-client.js';

const PARTITIONS = 3;
const RECORDS_PER_PARTITION = 4000;
const CONSUMERS = 4;

let broker: RunningBroker;
beforeAll(async () => {
  broker = await startQuietBroker();
});
afterAll(async () => {
  await broker.stop();
});

function valueFor(partition: number, index: number): Buffer {
  return Buffer.from(`${partition}:${index}:${'x'.repeat(20 + ((index * 7 + partition) % 180))}`);
}

async function readAll(topic: string): Promise<Map<number, string[]>> {
  const consumer = new Consumer({ bootstrap: broker.bootstrap, partitionMaxBytes: 8 * 1024, maxWaitMs: 50 });
  await consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition, offset: 'earliest' as const })));
  const seen = new Map<number, string[]>(Array.from({ length: PARTITIONS }, (_, p) => [p, []]));
  let total = 0;
  await consumer.run({
    eachBatch: (batch) => {
      for (let i = 0; i < batch.count; i++) seen.get(batch.partition)!.push(String(batch.valueAt(i)));
      total += batch.count;
      if (total >= PARTITIONS * RECORDS_PER_PARTITION) void consumer.stop();
    },
  });
  await consumer.close();
  return seen;
}

describe('Fetch with pooled read buffers', () => {
  it('gives every concurrent consumer every value intact while the topic is being written', async () => {
    const topic = uniqueTopic('read-buffers');
    await createTopic(broker.bootstrap, topic, PARTITIONS);
    const producer = new Producer({ bootstrap: broker.bootstrap, acks: 1, lingerMs: 1, batchSizeBytes: 4096 });
    const producing = (async () => {
      for (let index = 0; index < RECORDS_PER_PARTITION; index++) {
        for (let partition = 0; partition < PARTITIONS; partition++) producer.produce({ topic, partition, value: valueFor(partition, index) });
        if (index % 200 === 199) await producer.flush();
      }
      await producer.flush();
    })();
    const results = await Promise.all([producing.then(() => undefined), ...Array.from({ length: CONSUMERS }, () => readAll(topic))]);
    await producer.close();
    for (const seen of results.slice(1) as Map<number, string[]>[]) {
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const values = seen.get(partition)!;
        expect(values.length).toBe(RECORDS_PER_PARTITION);
        const wrong = values.findIndex((value, index) => value !== String(valueFor(partition, index)));
        expect(wrong, `partition ${partition}: first wrong value at ${wrong}: ${values[wrong]}`).toBe(-1);
      }
    }
  });
});

describe('Fetch with pooled read buffers behind a slow reader', () => {
  it('keeps the bytes of answers waiting in a stalled socket while other fetches reuse the pool', async () => {
    const topic = uniqueTopic('read-buffers-stalled');
    await createTopic(broker.bootstrap, topic, 2);
    const producer = new Producer({ bootstrap: broker.bootstrap, acks: 1, lingerMs: 1, batchSizeBytes: 64 * 1024 });
    const value = (partition: number, index: number) => Buffer.from(`${partition}:${index}:${String(partition).repeat(500)}`);
    for (let index = 0; index < 12_000; index++) for (const partition of [0, 1]) producer.produce({ topic, partition, value: value(partition, index) });
    await producer.close();

    const metadata = await new Consumer({ bootstrap: broker.bootstrap }).cluster.topic(topic);
    const slow = await WireClient.open(broker.port);
    slow.socket.pause();
    const answers = Array.from({ length: STALLED_FETCHES }, (_, i) => slow.call<FetchResponse>(1, 11, fetchOf(topic, metadata.topicId, i * 500)));
    await delay(300); // the broker answers into a socket nobody reads: the answers wait in its buffers
    for (let pass = 0; pass < 3; pass++) await readPartitionOne(topic);
    slow.socket.resume();
    for (const response of await Promise.all(answers)) {
      const records = response.responses[0]!.partitions[0]!.records!;
      expect(records.length).toBeGreaterThan(0);
      for (const view of iterateBatches(records)) {
        expect(validateBatch(records, view.offset, view.end, accel)).toBeNull();
        const firstValue = String(decodeBatchRecords(view)[0]!.value);
        expect(firstValue.startsWith('0:')).toBe(true);
      }
    }
    slow.close();
  });
});

const STALLED_FETCHES = 16;

function fetchOf(topic: string, topicId: string, fetchOffset: number) {
  return {
    ...defaultFetchRequest(), replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionEpoch: -1,
    topics: [{ topic, topicId, partitions: [{ ...defaultFetchRequestFetchPartition(), partition: 0, fetchOffset: BigInt(fetchOffset), partitionMaxBytes: 1 << 20 }] }],
  };
}

async function readPartitionOne(topic: string): Promise<void> {
  const consumer = new Consumer({ bootstrap: broker.bootstrap, partitionMaxBytes: 1 << 20 });
  await consumer.assign([{ topic, partition: 1, offset: 'earliest' }]);
  let total = 0;
  await consumer.run({
    eachBatch: (batch) => {
      total += batch.count;
      if (total >= 12_000) void consumer.stop();
    },
  });
  await consumer.close();
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
