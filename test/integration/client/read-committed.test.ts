// Rill's consumer with isolation read_committed against a real broker: two kafkajs transactional
// producers write committed and aborted transactions interleaved with plain records on three
// partitions; the read_committed consumer sees exactly the committed and plain records, in order
// per partition; read_uncommitted sees every data record and no control record.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel, type Producer as KafkajsProducer, type Transaction } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../../src/broker.js';
import { Admin, Consumer, type ConsumedBatch, type ConsumerOptions } from '../../../src/client/index.js';
import { createTopic, startQuietBroker, uniqueTopic } from './helpers.js';

const PARTITION_COUNT = 3;

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startQuietBroker({
    'transaction.state.log.num.partitions': 3,
    'offsets.topic.num.partitions': 3,
    'transaction.max.timeout.ms': 60_000,
  });
});

afterAll(async () => {
  await broker.stop();
});

function kafkaFor(bootstrap: string): Kafka {
  return new Kafka({ clientId: 'read-committed-test', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 50, maxRetryTime: 500 } });
}

/** What was written, per partition, in write order. */
interface Written {
  committed: string[][];
  all: string[][];
}

function emptyWritten(): Written {
  return { committed: Array.from({ length: PARTITION_COUNT }, () => []), all: Array.from({ length: PARTITION_COUNT }, () => []) };
}

async function transactionalProducer(kafka: Kafka, name: string): Promise<KafkajsProducer> {
  const producer = kafka.producer({ transactionalId: `${name}-${process.pid}-${Date.now()}`, idempotent: true, maxInFlightRequests: 1, transactionTimeout: 30_000 });
  await producer.connect();
  return producer;
}

/** Sends `count` records to every partition inside txn (or plainly), recording them as written. */
async function sendToEach(sender: KafkajsProducer | Transaction, topic: string, label: string, count: number, written: Written, committed: boolean): Promise<void> {
  for (let partition = 0; partition < PARTITION_COUNT; partition++) {
    const values = Array.from({ length: count }, (_, i) => `${label}-p${partition}-${i}`);
    await sender.send({ topic, messages: values.map((value) => ({ partition, value })) });
    written.all[partition]!.push(...values);
    if (committed) written.committed[partition]!.push(...values);
  }
}

/** Two transactional producers and a plain one, interleaved: A and B batches alternate inside each partition. */
async function writeInterleaved(topic: string): Promise<Written> {
  const kafka = kafkaFor(broker.bootstrap);
  const written = emptyWritten();
  const plain = kafka.producer();
  await plain.connect();
  const producerA = await transactionalProducer(kafka, 'a');
  const producerB = await transactionalProducer(kafka, 'b');
  await sendToEach(plain, topic, 'plain0', 2, written, true);
  for (let round = 0; round < 4; round++) {
    const txnA = await producerA.transaction();
    const txnB = await producerB.transaction();
    const aCommits = round % 2 === 0;
    const bCommits = round !== 1;
    await sendToEach(txnA, topic, `a${round}x`, 3, written, aCommits);
    await sendToEach(txnB, topic, `b${round}x`, 2, written, bCommits);
    await sendToEach(plain, topic, `plain${round + 1}`, 1, written, true);
    await sendToEach(txnA, topic, `a${round}y`, 2, written, aCommits);
    await sendToEach(txnB, topic, `b${round}y`, 1, written, bCommits);
    await (aCommits ? txnA.commit() : txnA.abort());
    await (bCommits ? txnB.commit() : txnB.abort());
  }
  await sendToEach(plain, topic, 'plainEnd', 2, written, true);
  await Promise.all([plain.disconnect(), producerA.disconnect(), producerB.disconnect()]);
  return written;
}

async function endOffsets(topic: string): Promise<number[]> {
  const admin = new Admin({ bootstrap: broker.bootstrap });
  try {
    const listed = await admin.listOffsets(Array.from({ length: PARTITION_COUNT }, (_, partition) => ({ topic, partition, spec: 'latest' as const })));
    return listed.sort((a, b) => a.partition - b.partition).map((l) => l.offset);
  } finally {
    await admin.close();
  }
}

/** Reads every partition from the start to its end offset; values per partition, in delivery order. */
async function readToEnd(topic: string, options: Partial<ConsumerOptions>, inspect?: (batch: ConsumedBatch) => void): Promise<string[][]> {
  const ends = await endOffsets(topic);
  const consumer = new Consumer({ bootstrap: broker.bootstrap, maxWaitMs: 50, ...options });
  const seen: string[][] = Array.from({ length: PARTITION_COUNT }, () => []);
  await consumer.assignTopics([topic], 'earliest');
  const running = consumer.run({
    eachBatch: (batch) => {
      for (let i = 0; i < batch.count; i++) seen[batch.partition]!.push(batch.valueAt(i)!.toString());
      inspect?.(batch);
    },
  });
  const reachedEnd = () => ends.every((end, partition) => (consumer.position(topic, partition) ?? 0) >= end);
  while (!reachedEnd()) await new Promise((resolve) => setTimeout(resolve, 20));
  await consumer.stop();
  await running;
  await consumer.close();
  return seen;
}

const TOPIC_SETUPS: Record<string, Record<string, string>> = {
  'one segment': {},
  // Each transaction spans several segments; markers and aborted batches land in different files.
  '1 KiB segments': { 'segment.bytes': '1024' },
};

for (const [setup, topicConfigs] of Object.entries(TOPIC_SETUPS)) {
  describe(`read_committed consumption (${setup})`, () => {
    let topic: string;
    let written: Written;

    beforeAll(async () => {
      topic = uniqueTopic('rc');
      await createTopic(broker.bootstrap, topic, PARTITION_COUNT, topicConfigs);
      written = await writeInterleaved(topic);
    }, 60_000);

    it('writes aborted records to the log (the test would prove nothing otherwise)', async () => {
      const abortedCount = written.all.flat().length - written.committed.flat().length;
      expect(abortedCount).toBeGreaterThan(0);
      const segmentFiles = (await readdir(join(broker.dataDirs[0]!, `${topic}-0`))).filter((name) => name.endsWith('.log'));
      expect(segmentFiles.length > 1).toBe(topicConfigs['segment.bytes'] !== undefined);
    });

    it('read_committed sees exactly the committed and plain records, in order per partition', async () => {
      expect(await readToEnd(topic, { isolationLevel: 'read_committed' })).toEqual(written.committed);
    });

    it('read_committed with small fetches (fetches start inside transactions) sees the same', async () => {
      expect(await readToEnd(topic, { isolationLevel: 'read_committed', partitionMaxBytes: 150 })).toEqual(written.committed);
    });

    it('read_uncommitted sees every data record and no control record', async () => {
      expect(await readToEnd(topic, { isolationLevel: 'read_uncommitted' })).toEqual(written.all);
    });

    it('records materialized through batch.records match the table accessors', async () => {
      const mismatches: number[] = [];
      const seen = await readToEnd(topic, { isolationLevel: 'read_committed' }, (batch) => {
        batch.records.forEach((record, i) => {
          if (record.offset !== batch.offsetAt(i) || !record.value!.equals(batch.valueAt(i)!) || record.timestampMs !== batch.timestampAt(i)) mismatches.push(record.offset);
        });
      });
      expect(mismatches).toEqual([]);
      expect(seen).toEqual(written.committed);
    });
  });
}
