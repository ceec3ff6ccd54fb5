// The broker's partition logs go through the storage engine's LogManager: compacted topics are
// cleaned by the running broker, and a stop leaves the checkpoints and the clean-shutdown marker
// that the next start reads.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';

const scratch = mkdtempSync(join(tmpdir(), 'rill-log-manager-wiring-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const brokerConfig = {
  'num.partitions': 1,
  'group.initial.rebalance.delay.ms': 0,
  'log.cleaner.backoff.ms': 100,
  'log.flush.offset.checkpoint.interval.ms': 100,
};

interface Seen {
  offset: number;
  key: string;
  value: string;
}

function kafkaFor(broker: RunningBroker): Kafka {
  return new Kafka({ clientId: 'rill-log-manager-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3 } });
}

/** Polls `check` until it returns true or `timeoutMs` passes; says whether it did. */
async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadlineMs = Date.now() + timeoutMs;
  while (Date.now() < deadlineMs) {
    if (await check()) return true;
    await new Promise((done) => setTimeout(done, 100));
  }
  return check();
}

/** Consumes `topic` (one partition) from the beginning with a fresh group until `lastOffset` is seen. */
async function consumeAll(broker: RunningBroker, topic: string, lastOffset: number): Promise<Seen[]> {
  const consumer = kafkaFor(broker).consumer({ groupId: `reader-${topic}-${Date.now()}`, sessionTimeout: 6000, heartbeatInterval: 500 });
  const seen: Seen[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push({ offset: Number(message.offset), key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' });
      },
    });
    const reached = await waitFor(() => seen.some((record) => record.offset >= lastOffset), 30_000);
    expect(reached, `consumer reached offset ${lastOffset}`).toBe(true);
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

function checkpointEntry(dataDir: string, file: string, name: string): number | undefined {
  const path = join(dataDir, file);
  if (!existsSync(path)) return undefined;
  const line = readFileSync(path, 'utf8').split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[2]);
}

const compactConfigs = [
  { name: 'cleanup.policy', value: 'compact' },
  { name: 'segment.bytes', value: '300' },
  { name: 'min.cleanable.dirty.ratio', value: '0.01' },
  { name: 'min.compaction.lag.ms', value: '0' },
];

/**
 * Produces 5 rounds of the same 10 keys (one batch, one segment each) and a last batch, waits for
 * the cleaner to pass the last round, then reads the topic from the beginning. `compactLater`
 * creates the topic with cleanup.policy=delete and turns compaction on with AlterConfigs after producing.
 */
async function expectCompacted(dataDir: string, topic: string, compactLater: boolean): Promise<void> {
  const broker = await startBroker({ dataDir, config: brokerConfig, log: () => {} });
  try {
    const kafka = kafkaFor(broker);
    const admin = kafka.admin();
    await admin.connect();
    const createConfigs = compactLater ? compactConfigs.filter((entry) => entry.name !== 'cleanup.policy') : compactConfigs;
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, configEntries: createConfigs }] });
    const producer = kafka.producer();
    await producer.connect();
    const keys = Array.from({ length: 10 }, (_, i) => `key-${i}`);
    const rounds = 5;
    // One batch (about 260 bytes) per round; two do not fit in a 300-byte segment, so each round rolls one.
    for (let round = 0; round < rounds; round++) {
      await producer.send({ topic, acks: -1, messages: keys.map((key) => ({ key, value: `${key}@${round}` })) });
    }
    // The active segment is never cleaned: one more batch, too big to share a segment, makes the last round cleanable.
    const sentinelValue = 'x'.repeat(100);
    await producer.send({ topic, acks: -1, messages: [{ key: 'sentinel', value: sentinelValue }] });
    await producer.disconnect();
    if (compactLater) {
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: compactConfigs }] });
    }
    await admin.disconnect();
    const sentinelOffset = rounds * keys.length;

    const cleaned = await waitFor(() => (checkpointEntry(dataDir, 'cleaner-offset-checkpoint', topic) ?? 0) >= sentinelOffset, 30_000);
    expect(cleaned, 'cleaner-offset-checkpoint reached the active segment').toBe(true);

    const seen = await consumeAll(broker, topic, sentinelOffset);
    const lastRound = rounds - 1;
    expect(seen).toEqual([
      ...keys.map((key, i) => ({ offset: lastRound * keys.length + i, key, value: `${key}@${lastRound}` })),
      { offset: sentinelOffset, key: 'sentinel', value: sentinelValue },
    ]);
  } finally {
    await broker.stop();
  }
}

describe('LogManager wiring', () => {
  it('compacts a cleanup.policy=compact topic: only the latest value per key stays readable, at its offset', async () => {
    await expectCompacted(join(scratch, 'compact'), 'compacted', false);
  });

  it('compacts a topic once AlterConfigs sets cleanup.policy=compact (config changes reach the logs)', async () => {
    await expectCompacted(join(scratch, 'compact-later'), 'compacted-later', true);
  });

  it('leaves recovery-point-offset-checkpoint and the clean-shutdown marker at stop, and reads everything back after a restart', async () => {
    const dataDir = join(scratch, 'restart');
    const first = await startBroker({ dataDir, config: brokerConfig, log: () => {} });
    const count = 30;
    try {
      const kafka = kafkaFor(first);
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'durable', numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '500' }] }] });
      await admin.disconnect();
      const producer = kafka.producer();
      await producer.connect();
      for (let i = 0; i < count; i += 5) {
        await producer.send({ topic: 'durable', acks: -1, messages: Array.from({ length: 5 }, (_, j) => ({ key: `k${i + j}`, value: `v${i + j}` })) });
      }
      await producer.disconnect();
    } finally {
      await first.stop();
    }
    expect(existsSync(join(dataDir, '.kafka_cleanshutdown'))).toBe(true);
    expect(checkpointEntry(dataDir, 'recovery-point-offset-checkpoint', 'durable')).toBe(count);
    expect(checkpointEntry(dataDir, 'log-start-offset-checkpoint', 'durable')).toBe(0);

    const second = await startBroker({ dataDir, config: brokerConfig, log: () => {} });
    try {
      expect(existsSync(join(dataDir, '.kafka_cleanshutdown'))).toBe(false);
      const seen = await consumeAll(second, 'durable', count - 1);
      expect(seen).toEqual(Array.from({ length: count }, (_, i) => ({ offset: i, key: `k${i}`, value: `v${i}` })));
    } finally {
      await second.stop();
    }
  });
});
