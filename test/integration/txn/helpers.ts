// Shared helpers for the exactly-once tests: broker configs with short transaction timeouts and
// a fast abort check, and waiting without timing assertions.
import { Kafka, logLevel } from 'kafkajs';

/** Broker configs for txn tests: few internal partitions, quick timeout sweeps. */
export const txnTestConfig = {
  'num.partitions': 1,
  'group.initial.rebalance.delay.ms': 0,
  'group.min.session.timeout.ms': 500,
  'offsets.topic.num.partitions': 3,
  'transaction.state.log.num.partitions': 3,
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': 200,
  'transaction.max.timeout.ms': 60_000,
} as const;

let counter = 0;
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

export function kafkaFor(bootstrap: string, clientId = 'txn-test'): Kafka {
  return new Kafka({ clientId, brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 50, maxRetryTime: 500 } });
}

/** Polls until `check` returns true; throws with `what` when `limitMs` passes. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every record value of a topic as a read_committed (or read_uncommitted) consumer sees it, up to `expected` values or the end. */
export async function readAll(kafka: Kafka, topic: string, options: { readUncommitted?: boolean; expected: number; settleMs?: number }): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), readUncommitted: options.readUncommitted ?? false, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const values: string[] = [];
  let lastChangeMs = Date.now();
  await consumer.run({
    eachMessage: async ({ message }) => {
      values.push(message.value?.toString() ?? '');
      lastChangeMs = Date.now();
    },
  });
  const settleMs = options.settleMs ?? 1500;
  await waitFor(`${options.expected} values from ${topic}`, () => values.length >= options.expected && Date.now() - lastChangeMs > settleMs, 60_000);
  await consumer.disconnect();
  return values;
}
