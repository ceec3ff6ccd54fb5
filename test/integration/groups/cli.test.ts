// `rill groups list|describe|delete|reset-offsets` (runGroups, in process) against a broker with
// a kafkajs group: lag is log end offset minus committed offset, owners show while members run.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { runGroups } from '../../../src/cli/groups.js';
import { groupTestConfig, waitFor } from './helpers.js';

let broker: RunningBroker;
let kafka: Kafka;
const TOPIC = 'cli-topic';
const GROUP = 'cli-group';

beforeAll(async () => {
  broker = await startBroker({ config: groupTestConfig, log: () => {} });
  kafka = new Kafka({ clientId: 'cli-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3 }] });
  await admin.disconnect();
});

afterAll(async () => {
  await broker.stop();
});

async function produce(count: number, prefix: string): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: Array.from({ length: count }, (_, i) => ({ key: `${prefix}${i}`, value: `${prefix}${i}` })) });
  await producer.disconnect();
}

function rows(lines: string[]): { partition: number; current: string; end: string; lag: string; owner: string }[] {
  return lines.slice(2).map((line) => {
    const [, , partition, current, end, lag, owner] = line.split('\t');
    return { partition: Number(partition), current: current!, end: end!, lag: lag!, owner: owner! };
  });
}

const run = (...args: string[]) => runGroups([...args, '--bootstrap-server', broker.bootstrap]);

describe('rill groups', () => {
  it('describes offsets, log end offsets, lag and owners; resets and deletes', async () => {
    await produce(90, 'a');
    const seen = new Set<string>();
    const consumer = kafka.consumer({ groupId: GROUP, sessionTimeout: 3000, heartbeatInterval: 300, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.add(message.value!.toString()) });
    await waitFor('all 90 consumed', () => seen.size === 90);
    await waitFor('offsets committed and owners shown', async () => {
      const table = rows(await run('describe', '--group', GROUP));
      return table.length === 3 && table.every((r) => r.lag === '0' && r.owner !== '-');
    });
    expect((await run('list')).some((line) => line.startsWith(`${GROUP}\tclassic\tStable\tconsumer`))).toBe(true);
    await consumer.disconnect();

    await produce(30, 'b');
    const lines = await run('describe', '--group', GROUP);
    expect(lines[0]).toBe(`group ${GROUP} is Empty`);
    const table = rows(lines);
    expect(table.map((r) => r.partition)).toEqual([0, 1, 2]);
    expect(table.reduce((sum, r) => sum + Number(r.lag), 0)).toBe(30);
    expect(table.reduce((sum, r) => sum + Number(r.end), 0)).toBe(120);
    for (const r of table) expect(Number(r.end) - Number(r.current)).toBe(Number(r.lag));

    const dryRun = await run('reset-offsets', '--group', GROUP, '--topic', TOPIC, '--to-earliest');
    expect(dryRun.at(-1)).toContain('dry run');
    expect(rows(await run('describe', '--group', GROUP)).reduce((sum, r) => sum + Number(r.lag), 0)).toBe(30);
    await run('reset-offsets', '--group', GROUP, '--topic', TOPIC, '--to-earliest', '--execute');
    expect(rows(await run('describe', '--group', GROUP)).reduce((sum, r) => sum + Number(r.lag), 0)).toBe(120);
    await run('reset-offsets', '--group', GROUP, '--topic', TOPIC, '--shift-by', '5', '--execute');
    expect(rows(await run('describe', '--group', GROUP)).map((r) => r.current)).toEqual(['5', '5', '5']);

    expect(await run('delete', '--group', GROUP)).toEqual([`deleted group ${GROUP}`]);
    expect((await run('list')).some((line) => line.startsWith(`${GROUP}\t`))).toBe(false);
    await expect(run('delete', '--group', GROUP)).rejects.toThrow(/GROUP_ID_NOT_FOUND/);
  });
});
