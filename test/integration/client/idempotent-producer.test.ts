// Rill's producer with idempotence (on by default, as the Java client since KIP-679), through the
// shared fault proxy: Produce answers are lost with their connection cut, and some Produce
// requests have one record byte flipped (that partition answers CORRUPT_MESSAGE, so the batches
// behind it in flight come back OUT_OF_ORDER_SEQUENCE_NUMBER). With 5 requests in flight, every
// record must land exactly once, in order, per partition. Also: the option defaults and
// conflicts, and the epoch bump after a batch failed for good and left a sequence gap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { Consumer, KafkaError, Producer } from '../../../src/client/index.js';
import { ProducerConfigError } from '../../../src/client/errors.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { freePort, startFaultProxy, type FaultProxy } from '../txn/fault-proxy.js';
import { createTopic, uniqueTopic } from './helpers.js';

const PARTITIONS = 4;
const RECORDS = 4000;
const VALUE_MARK = Buffer.from('rec-');

let broker: RunningBroker;
let proxy: FaultProxy;
let bootstrap: string;

beforeAll(async () => {
  proxy = await startFaultProxy({ cutProbability: 0.25, seed: 11 });
  const brokerPort = await freePort();
  proxy.setTarget(brokerPort);
  broker = await startBroker({ port: brokerPort, config: { 'num.partitions': 1, 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` }, log: () => {} });
  bootstrap = `127.0.0.1:${proxy.port}`;
});

afterAll(async () => {
  await broker.stop();
  await proxy.close();
});

/** Flips one byte of the first record value in the frame (the broker then fails that batch's CRC check). */
function flipFirstValueByte(frame: Buffer): boolean {
  const at = frame.indexOf(VALUE_MARK);
  if (at < 0) return false;
  frame[at + VALUE_MARK.length] ^= 0x01;
  return true;
}

function valueOf(partition: number, index: number): string {
  return `rec-${partition}-${index}`;
}

/** Every record of the topic, by partition, read until `expected` arrived in all. */
async function readByPartition(topic: string, partitions: number, expected: number): Promise<string[][]> {
  const consumer = new Consumer({ bootstrap, maxWaitMs: 100 });
  await consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 'earliest' as const })));
  const values: string[][] = Array.from({ length: partitions }, () => []);
  let total = 0;
  const guard = setTimeout(() => void consumer.stop(), 20_000); // a hang guard, not an assertion
  await consumer.run({
    eachBatch: (batch) => {
      values[batch.partition]!.push(...batch.records.map((r) => r.value!.toString()));
      total += batch.records.length;
      if (total >= expected) void consumer.stop();
    },
  });
  clearTimeout(guard);
  await consumer.close();
  return values;
}

describe('idempotence defaults (KIP-679)', () => {
  it('is on by default (acks all), off with acks 1 or 0 when not asked for', () => {
    expect(new Producer({ bootstrap }).idempotent).toBe(true);
    expect(new Producer({ bootstrap, acks: 'all' }).idempotent).toBe(true);
    expect(new Producer({ bootstrap, acks: 1 }).idempotent).toBe(false);
    expect(new Producer({ bootstrap, acks: 0 }).idempotent).toBe(false);
    expect(new Producer({ bootstrap, retries: 0 }).idempotent).toBe(false);
    expect(new Producer({ bootstrap, maxInFlightRequests: 6 }).idempotent).toBe(false);
    expect(new Producer({ bootstrap, idempotent: false }).idempotent).toBe(false);
  });

  it('throws a config error naming the option when asked for with conflicting options', () => {
    const optionAtFault = (options: ConstructorParameters<typeof Producer>[0]): string => {
      try {
        new Producer(options);
      } catch (err) {
        expect(err).toBeInstanceOf(ProducerConfigError);
        expect((err as Error).message).toContain((err as ProducerConfigError).option);
        return (err as ProducerConfigError).option;
      }
      return 'no error';
    };
    expect(optionAtFault({ bootstrap, idempotent: true, acks: 1 })).toBe('acks');
    expect(optionAtFault({ bootstrap, idempotent: true, acks: 0 })).toBe('acks');
    expect(optionAtFault({ bootstrap, idempotent: true, retries: 0 })).toBe('retries');
    expect(optionAtFault({ bootstrap, idempotent: true, maxInFlightRequests: 6 })).toBe('maxInFlightRequests');
    expect(optionAtFault({ bootstrap, idempotent: true, acks: 'all', maxInFlightRequests: 5 })).toBe('no error');
  });

  /** Sends one record at a time until the proxy lost one answer; returns what was sent and what the log holds. */
  async function sendUntilAnswerLost(options: { acks?: 1 }, extraInLog: number): Promise<{ sent: string[]; log: string[] }> {
    const topic = uniqueTopic(options.acks === 1 ? 'acks1-lost' : 'default-lost');
    await createTopic(bootstrap, topic, 1);
    const producer = new Producer({ bootstrap, lingerMs: 0, retryBackoffMs: 20, maxInFlightRequests: 1, ...options });
    await producer.connect();
    const cutsBefore = proxy.cuts;
    proxy.cutsLeft = 1;
    const sent: string[] = [];
    while (proxy.cuts === cutsBefore) {
      sent.push(valueOf(0, sent.length));
      await producer.send({ topic, partition: 0, value: Buffer.from(sent[sent.length - 1]!) });
    }
    await producer.close();
    return { sent, log: (await readByPartition(topic, 1, sent.length + extraInLog))[0]! };
  }

  it('a default producer does not write a batch twice when its answer is lost', async () => {
    const { sent, log } = await sendUntilAnswerLost({}, 0);
    expect(log).toEqual(sent);
  });

  it('with acks 1 (idempotence off) the batch whose answer was lost is written twice', async () => {
    const { sent, log } = await sendUntilAnswerLost({ acks: 1 }, 1);
    expect(log).toEqual([...sent, sent[sent.length - 1]]);
  });
});

describe('idempotent producer with 5 requests in flight through a faulty proxy', () => {
  const faults = [
    { name: 'a corrupted batch (the batches behind it come back OUT_OF_ORDER_SEQUENCE_NUMBER)', corrupt: 3, cuts: 0 },
    { name: 'lost answers with the connection cut', corrupt: 0, cuts: 8 },
    { name: 'both', corrupt: 3, cuts: 8 },
  ];
  it.each(faults)('writes every record exactly once, in order per partition: $name', async ({ corrupt, cuts }) => {
    const topic = uniqueTopic('idem-inflight');
    await createTopic(bootstrap, topic, PARTITIONS);
    const producer = new Producer({ bootstrap, maxInFlightRequests: 5, lingerMs: 1, batchSizeBytes: 2048, retryBackoffMs: 10 });
    expect(producer.idempotent).toBe(true);
    // The broker accepts any sequence from a producer it does not know: the faults start once each partition knows this one.
    await Promise.all(Array.from({ length: PARTITIONS }, (_, partition) => producer.send({ topic, partition, value: Buffer.from('warm-up') })));
    const [cutsBefore, corruptionsBefore] = [proxy.cuts, proxy.corruptions];
    proxy.cutsLeft = cuts;
    proxy.corruptLeft = corrupt;
    proxy.corruptProduce = flipFirstValueByte;
    const sends: Array<Promise<unknown>> = [];
    for (let i = 0; i < RECORDS; i++) {
      const partition = i % PARTITIONS;
      sends.push(producer.send({ topic, partition, value: Buffer.from(valueOf(partition, Math.floor(i / PARTITIONS))) }));
    }
    const settled = await Promise.allSettled(sends);
    await producer.close();
    proxy.cutsLeft = 0;
    proxy.corruptLeft = 0;
    expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
    expect(proxy.cuts - cutsBefore > 0).toBe(cuts > 0);
    expect(proxy.corruptions - corruptionsBefore).toBe(corrupt);
    const values = await readByPartition(topic, PARTITIONS, RECORDS + PARTITIONS);
    for (let partition = 0; partition < PARTITIONS; partition++) {
      expect(values[partition]).toEqual(['warm-up', ...Array.from({ length: RECORDS / PARTITIONS }, (_, index) => valueOf(partition, index))]);
    }
  });

  it.each([
    { name: 'no other fault', cuts: 0 },
    { name: 'lost answers in the other partitions meanwhile', cuts: 6 },
  ])('bumps the epoch after a batch failed for good and delivers the batches behind it exactly once: $name', async ({ cuts }) => {
    const topic = uniqueTopic('idem-gap');
    const partitions = 3;
    await createTopic(broker.bootstrap, topic, partitions, { 'max.message.bytes': '3000' });
    const producer = new Producer({ bootstrap, maxInFlightRequests: 5, lingerMs: 0, batchSizeBytes: 1024, retryBackoffMs: 10 });
    await Promise.all(Array.from({ length: partitions }, (_, partition) => producer.send({ topic, partition, value: Buffer.from('warm-up') })));
    proxy.cutsLeft = cuts;
    const perPartition = 200;
    const tooLargeAt = 60;
    const sends = Array.from({ length: perPartition * partitions }, (_, i) => {
      const [partition, index] = [i % partitions, Math.floor(i / partitions)];
      const value = partition === 0 && index === tooLargeAt ? Buffer.alloc(8000, 0x41) : Buffer.from(valueOf(partition, index));
      return producer.send({ topic, partition, value });
    });
    const settled = await Promise.allSettled(sends);
    await producer.close().catch(() => undefined);
    proxy.cutsLeft = 0;
    const failed = settled.flatMap((s, i) => (s.status === 'rejected' ? [{ i, err: s.reason as unknown }] : []));
    expect(failed.map((f) => f.i)).toEqual([tooLargeAt * partitions]);
    expect((failed[0]!.err as KafkaError).errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    const values = await readByPartition(topic, partitions, partitions * (perPartition + 1) - 1);
    for (let partition = 0; partition < partitions; partition++) {
      const expected = Array.from({ length: perPartition }, (_, index) => valueOf(partition, index)).filter((_, index) => partition !== 0 || index !== tooLargeAt);
      expect(values[partition]).toEqual(['warm-up', ...expected]);
    }
  });
});
