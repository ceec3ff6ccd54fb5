// Rebalance time with real clients: kafkajs (classic protocol) vs @platformatic/kafka (KIP-848),
// 10 members over a 100-partition topic on an in-process Rill broker. Measured: from starting the
// 10th consumer of a settled group of 9 to the coordinator reporting 10 members that together own
// all 100 partitions with no overlap (DescribeGroups / ConsumerGroupDescribe polled every
// POLL_INTERVAL_MS). Both clients heartbeat every HEARTBEAT_INTERVAL_MS.
// Usage: node_modules/.bin/vite-node bench/groups/clients.ts [runs]
import { Consumer } from '@platformatic/kafka';
import { AssignerProtocol, Kafka, logLevel, type Consumer as KafkajsConsumer } from 'kafkajs';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { machineInfo } from '../lib/machine.js';
import { formatNumber, markdownTable, median, writeResults } from '../lib/results.js';
import { Connection } from './members.js';

const MEMBER_COUNT = 10;
const PARTITION_COUNT = 100;
const HEARTBEAT_INTERVAL_MS = 300;
const POLL_INTERVAL_MS = 20;
const SETTLE_LIMIT_MS = 60_000;
const TOPIC = 'rebalance-clients';

type Client = 'kafkajs (classic)' | '@platformatic/kafka (KIP-848)';
interface Closable {
  close(): Promise<void>;
}

/** member id -> partitions, as the coordinator reports it. */
async function ownership(connection: Connection, client: Client, groupId: string): Promise<number[][]> {
  if (client === 'kafkajs (classic)') {
    const described = await connection.call<any>(15, 5, { groups: [groupId], includeAuthorizedOperations: false });
    const group = described.groups[0];
    if (group.groupState !== 'Stable') return [];
    return group.members.map((m: any) => (m.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[TOPIC] ?? [] : []));
  }
  const described = await connection.call<any>(69, 0, { groupIds: [groupId], includeAuthorizedOperations: false });
  return (described.groups[0]?.members ?? []).map((m: any) => m.assignment.topicPartitions.flatMap((tp: any) => tp.partitions));
}

function settled(owned: number[][], memberCount: number): boolean {
  const all = owned.flat();
  return owned.length === memberCount && all.length === PARTITION_COUNT && new Set(all).size === PARTITION_COUNT && owned.every((p) => p.length > 0);
}

async function waitSettled(connection: Connection, client: Client, groupId: string, memberCount: number): Promise<void> {
  const deadline = performance.now() + SETTLE_LIMIT_MS;
  while (!settled(await ownership(connection, client, groupId), memberCount)) {
    if (performance.now() > deadline) throw new Error(`${client} group ${groupId} did not settle with ${memberCount} members`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

async function startKafkajs(broker: RunningBroker, groupId: string): Promise<Closable> {
  const kafka = new Kafka({ clientId: 'bench', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const consumer: KafkajsConsumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: HEARTBEAT_INTERVAL_MS, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({ eachMessage: async () => {} });
  return { close: () => consumer.disconnect() };
}

async function startPlatformatic(broker: RunningBroker, groupId: string): Promise<Closable> {
  const consumer = new Consumer({ clientId: 'bench', groupId, bootstrapBrokers: [broker.bootstrap], groupProtocol: 'consumer', maxWaitTime: 100, rebalanceTimeout: 60_000 });
  const stream = await consumer.consume({ topics: [TOPIC], mode: 'earliest' });
  stream.on('error', () => {}); // closing the consumer ends its stream with 'Client is closed'
  return { close: async () => consumer.close(true) };
}

async function oneRun(broker: RunningBroker, connection: Connection, client: Client, groupId: string): Promise<number> {
  const start = client === 'kafkajs (classic)' ? startKafkajs : startPlatformatic;
  const members: Closable[] = [];
  for (let i = 0; i < MEMBER_COUNT - 1; i++) members.push(await start(broker, groupId));
  await waitSettled(connection, client, groupId, MEMBER_COUNT - 1);
  const startedAtMs = performance.now();
  members.push(await start(broker, groupId));
  await waitSettled(connection, client, groupId, MEMBER_COUNT);
  const elapsedMs = performance.now() - startedAtMs;
  await Promise.all(members.map((m) => m.close()));
  return elapsedMs;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 3);
  const machine = machineInfo();
  const broker = await startBroker({
    config: { 'group.initial.rebalance.delay.ms': 0, 'group.consumer.heartbeat.interval.ms': HEARTBEAT_INTERVAL_MS, 'group.consumer.min.heartbeat.interval.ms': 10 },
    log: () => {},
  });
  const connection = await Connection.open(broker.port);
  const results: { client: Client; runsMs: number[]; medianMs: number }[] = [];
  try {
    await connection.call(19, 4, { topics: [{ name: TOPIC, numPartitions: PARTITION_COUNT, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false });
    for (const client of ['kafkajs (classic)', '@platformatic/kafka (KIP-848)'] as const) {
      const runsMs: number[] = [];
      for (let run = 0; run < runs; run++) runsMs.push(await oneRun(broker, connection, client, `clients-${client.length}-${run}`));
      results.push({ client, runsMs, medianMs: median(runsMs) });
      process.stdout.write(`${client}: median ${formatNumber(median(runsMs))} ms over ${runs} runs\n`);
    }
  } finally {
    connection.close();
    await broker.stop();
  }
  const body = [
    `A 10th member joins a settled group of 9 over ${PARTITION_COUNT} partitions; time until the coordinator reports 10 members owning every partition once.`,
    `Both clients heartbeat every ${HEARTBEAT_INTERVAL_MS} ms (kafkajs heartbeatInterval; group.consumer.heartbeat.interval.ms); the coordinator is polled every ${POLL_INTERVAL_MS} ms.`,
    '',
    markdownTable(['client', 'median ms', 'runs ms'], results.map((r) => [r.client, formatNumber(r.medianMs), r.runsMs.map((ms) => formatNumber(ms)).join(', ')])),
    '',
    `Ratio KIP-848 / classic (median): ${formatNumber(results[1]!.medianMs / results[0]!.medianMs)}.`,
  ].join('\n');
  const files = writeResults({ scenario: 'groups-clients', command: 'node_modules/.bin/vite-node bench/groups/clients.ts 3', machine, results, markdownBody: body });
  process.stdout.write(`wrote ${files.jsonPath} and ${files.markdownPath}\n`);
}

await main();
