// Rebalance time of a consumer group, classic protocol vs KIP-848, against an in-process Rill
// broker: 10 members over a 100-partition topic. Scenarios: cold start (10 members join at
// once), join (an 11th... a 10th member joins 9), leave (one of 10 leaves). The time runs from
// the trigger to the moment every member holds its final assignment (classic: every member
// synced the last generation; KIP-848: members' owned partitions are disjoint, cover the topic
// and are balanced). Members are protocol-level (bench/groups/members.ts) and heartbeat every
// HEARTBEAT_INTERVAL_MS, which bounds how fast a member notices a rebalance.
// Usage: node_modules/.bin/vite-node bench/groups/run.ts [runs]
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { machineInfo } from '../lib/machine.js';
import { formatNumber, markdownTable, median, writeResults } from '../lib/results.js';
import { ClassicMember, Connection, ConsumerMember, type MemberOptions } from './members.js';

const MEMBER_COUNT = 10;
const PARTITION_COUNT = 100;
const HEARTBEAT_INTERVAL_MS = 50;
const CONVERGE_LIMIT_MS = 30_000;
const TOPIC = 'rebalance-bench';

type Protocol = 'classic' | 'consumer';
type Scenario = 'cold-start' | 'join' | 'leave';
type Member = ClassicMember | ConsumerMember;

interface Measurement {
  protocol: Protocol;
  scenario: Scenario;
  runsMs: number[];
  medianMs: number;
}

function converged(protocol: Protocol, members: readonly Member[], afterGeneration: number): boolean {
  return protocol === 'classic' ? classicConverged(members as ClassicMember[], afterGeneration) : consumerConverged(members as ConsumerMember[]);
}

/** Every member synced one generation, newer than the one before the trigger. */
function classicConverged(members: readonly ClassicMember[], afterGeneration: number): boolean {
  const generation = members[0]?.syncedGeneration ?? -1;
  return generation > afterGeneration && members.every((m) => m.syncedGeneration === generation && m.generationId === generation);
}

function consumerConverged(members: readonly ConsumerMember[]): boolean {
  const owned = members.flatMap((m) => m.owned);
  const quota = Math.floor(PARTITION_COUNT / members.length);
  return owned.length === PARTITION_COUNT && new Set(owned).size === PARTITION_COUNT && members.every((m) => m.owned.length >= quota && m.owned.length <= quota + 1);
}

/** Resolves with the elapsed ms once the members converge (checked on every member event). */
function convergence(protocol: Protocol, members: () => readonly Member[], startedAtMs: number, afterGeneration = 0): { promise: Promise<number>; check: () => void } {
  let resolve!: (ms: number) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<number>((res, rej) => ((resolve = res), (reject = rej)));
  const timer = setTimeout(() => reject(new Error(`${protocol} group did not converge within ${CONVERGE_LIMIT_MS} ms`)), CONVERGE_LIMIT_MS);
  const check = () => {
    if (!converged(protocol, members(), afterGeneration)) return;
    clearTimeout(timer);
    resolve(performance.now() - startedAtMs);
  };
  return { promise, check };
}

async function startMember(protocol: Protocol, options: MemberOptions, onEvent: () => void): Promise<Member> {
  return protocol === 'classic' ? ClassicMember.start(options, onEvent) : ConsumerMember.start(options, onEvent);
}

/** Starts `count` members and waits until they converge; returns them and the time it took. */
async function startGroup(protocol: Protocol, options: MemberOptions, count: number): Promise<{ members: Member[]; elapsedMs: number }> {
  const members: Member[] = [];
  let check = () => {};
  const onEvent = () => check();
  const startedAtMs = performance.now();
  const waiting = convergence(protocol, () => members, startedAtMs);
  check = () => members.length === count && waiting.check();
  const started = await Promise.all(Array.from({ length: count }, () => startMember(protocol, options, onEvent)));
  members.push(...started);
  check();
  return { members, elapsedMs: await waiting.promise };
}

async function runScenario(protocol: Protocol, scenario: Scenario, options: MemberOptions): Promise<number> {
  if (scenario === 'cold-start') {
    const { members, elapsedMs } = await startGroup(protocol, options, MEMBER_COUNT);
    await Promise.all(members.map((m) => m.leave()));
    return elapsedMs;
  }
  const initialCount = scenario === 'join' ? MEMBER_COUNT - 1 : MEMBER_COUNT;
  const { members } = await startGroup(protocol, options, initialCount);
  const startedAtMs = performance.now();
  const generationBefore = members[0] instanceof ClassicMember ? members[0].syncedGeneration : 0;
  const waiting = convergence(protocol, () => members, startedAtMs, generationBefore);
  if (scenario === 'join') {
    members.push(await startMember(protocol, options, () => waiting.check()));
  } else {
    const leaving = members.pop()!;
    await leaving.leave();
  }
  for (const member of members) member.onEvent = () => waiting.check();
  waiting.check();
  const elapsedMs = await waiting.promise;
  await Promise.all(members.map((m) => m.leave()));
  return elapsedMs;
}

async function createTopic(broker: RunningBroker): Promise<void> {
  const connection = await Connection.open(broker.port);
  await connection.call(19, 4, { topics: [{ name: TOPIC, numPartitions: PARTITION_COUNT, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false });
  connection.close();
}

async function measure(broker: RunningBroker, protocol: Protocol, scenario: Scenario, runs: number): Promise<Measurement> {
  const runsMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const options = { port: broker.port, groupId: `${protocol}-${scenario}-${run}`, topic: TOPIC, partitionCount: PARTITION_COUNT, heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS };
    runsMs.push(await runScenario(protocol, scenario, options));
  }
  return { protocol, scenario, runsMs, medianMs: median(runsMs) };
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 5);
  const machine = machineInfo();
  const broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': 0, 'group.consumer.heartbeat.interval.ms': HEARTBEAT_INTERVAL_MS, 'group.consumer.min.heartbeat.interval.ms': 10 }, log: () => {} });
  const results: Measurement[] = [];
  try {
    await createTopic(broker);
    for (const scenario of ['cold-start', 'join', 'leave'] as const) {
      for (const protocol of ['classic', 'consumer'] as const) {
        const measurement = await measure(broker, protocol, scenario, runs);
        process.stdout.write(`${protocol} ${scenario}: median ${formatNumber(measurement.medianMs)} ms over ${runs} runs\n`);
        results.push(measurement);
      }
    }
  } finally {
    await broker.stop();
  }
  const rows = results.map((r) => [r.scenario, r.protocol, formatNumber(r.medianMs), r.runsMs.map((ms) => formatNumber(ms)).join(', ')]);
  const body = [
    `${MEMBER_COUNT} members, ${PARTITION_COUNT} partitions, members heartbeat every ${HEARTBEAT_INTERVAL_MS} ms, group.initial.rebalance.delay.ms=0, in-process broker.`,
    'Classic members react to REBALANCE_IN_PROGRESS on their next heartbeat; the leader computes a range assignment. KIP-848 members use the server-side uniform assignor and revoke at once.',
    '',
    markdownTable(['scenario', 'protocol', 'median ms', 'runs ms'], rows),
    '',
    `Ratio KIP-848 / classic (median): ${(['cold-start', 'join', 'leave'] as const).map((s) => `${s} ${formatNumber(ratio(results, s))}`).join(', ')}.`,
  ].join('\n');
  const files = writeResults({ scenario: 'groups', command: 'node_modules/.bin/vite-node bench/groups/run.ts 5', machine, results, markdownBody: body });
  process.stdout.write(`wrote ${files.jsonPath} and ${files.markdownPath}\n`);
}

function ratio(results: readonly Measurement[], scenario: Scenario): number {
  const of = (protocol: Protocol) => results.find((r) => r.scenario === scenario && r.protocol === protocol)!.medianMs;
  return of('consumer') / of('classic');
}

await main();
