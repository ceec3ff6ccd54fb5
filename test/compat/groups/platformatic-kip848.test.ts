// @platformatic/kafka consumers with the KIP-848 protocol (groupProtocol 'consumer'): three
// members share six partitions through ConsumerGroupHeartbeat with the server-side assignor;
// one leaves and its partitions move; nothing is lost. Ownership is checked with
// ConsumerGroupDescribe: current assignments never overlap, and a Stable group covers every
// partition.
import { Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { groupTestConfig, waitFor } from '../../integration/groups/helpers.js';
import { RawClient } from '../../integration/groups/raw-client.js';

const TOPIC = 'kip848-topic';
const GROUP = 'kip848-group';
let broker: RunningBroker;
let raw: RawClient;

beforeAll(async () => {
  broker = await startBroker({ config: groupTestConfig, log: () => {} });
  raw = await RawClient.open(broker.port);
  await raw.call(19, 4, { topics: [{ name: TOPIC, numPartitions: 6, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
});

afterAll(async () => {
  raw.close();
  await broker.stop();
});

async function produce(values: string[]): Promise<void> {
  const producer = new Producer({ clientId: 'kip848-producer', bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers });
  await producer.send({ messages: values.map((value) => ({ topic: TOPIC, value })) });
  await producer.close();
}

async function member(name: string, seen: Set<string>): Promise<Consumer<string, string, string, string>> {
  const consumer = new Consumer({
    clientId: name, groupId: GROUP, bootstrapBrokers: [broker.bootstrap], groupProtocol: 'consumer',
    deserializers: stringDeserializers, maxWaitTime: 200, rebalanceTimeout: 60000,
  });
  const stream = await consumer.consume({ topics: [TOPIC], mode: 'committed', fallbackMode: 'earliest', autocommit: 100 });
  stream.on('data', (message) => void seen.add(message.value));
  stream.on('error', () => {}); // closing the consumer ends its stream with 'Client is closed'
  return consumer;
}

interface Described {
  errorCode: number;
  groupState: string;
  groupEpoch: number;
  assignorName: string;
  members: { memberId: string; memberEpoch: number; assignment: { topicPartitions: { topicName: string; partitions: number[] }[] } }[];
}

async function describeGroup(): Promise<Described> {
  const response: any = await raw.call(69, 0, { groupIds: [GROUP], includeAuthorizedOperations: false });
  return response.groups[0];
}

/** Throws when two members currently own one partition; returns how many are owned. */
function ownedCount(group: Described): number {
  const owners = new Map<string, string>();
  for (const m of group.members) {
    for (const tp of m.assignment.topicPartitions) {
      for (const p of tp.partitions) {
        const key = `${tp.topicName}:${p}`;
        if (owners.has(key)) throw new Error(`${key} owned by ${owners.get(key)} and ${m.memberId}`);
        owners.set(key, m.memberId);
      }
    }
  }
  return owners.size;
}

async function stableWith(memberCount: number): Promise<boolean> {
  const group = await describeGroup();
  return group.errorCode === ErrorCode.NONE && group.groupState === 'Stable' && group.members.length === memberCount && ownedCount(group) === 6;
}

describe('@platformatic/kafka with the KIP-848 consumer protocol', () => {
  it('shares partitions, reconciles on join and leave, and loses nothing', async () => {
    const seen = new Set<string>();
    const first = Array.from({ length: 120 }, (_, i) => `a${i}`);
    await produce(first);
    const consumers = [await member('c1', seen)];
    await waitFor('one member owning everything', () => stableWith(1));
    consumers.push(await member('c2', seen), await member('c3', seen));
    const overlapChecks: Promise<void>[] = [];
    await waitFor('three members sharing six partitions', async () => {
      overlapChecks.push(describeGroup().then((g) => void ownedCount(g)));
      return stableWith(3);
    });
    await Promise.all(overlapChecks);
    const three = await describeGroup();
    expect(three.members.map((m) => m.assignment.topicPartitions.reduce((n, tp) => n + tp.partitions.length, 0))).toEqual([2, 2, 2]);
    expect(three.assignorName).toBe('uniform');
    await waitFor('every first message', () => first.every((v) => seen.has(v)));

    await consumers[0]!.close(true);
    await waitFor('two members sharing six partitions', () => stableWith(2));
    const second = Array.from({ length: 120 }, (_, i) => `b${i}`);
    await produce(second);
    await waitFor('every second message', () => second.every((v) => seen.has(v)));
    await Promise.all(consumers.slice(1).map((c) => c.close(true)));
    await waitFor('an empty group', async () => (await describeGroup()).groupState === 'Empty');
  });

  it('rejects an unknown server assignor and answers UNKNOWN_MEMBER_ID / FENCED_MEMBER_EPOCH to strangers', async () => {
    const base = { groupId: 'kip848-errors', instanceId: null, rackId: null, rebalanceTimeoutMs: 5000, subscribedTopicNames: [TOPIC], subscribedTopicRegex: null, topicPartitions: [] };
    const badAssignor: any = await raw.call(68, 0, { ...base, memberId: '', memberEpoch: 0, serverAssignor: 'nope' });
    expect(badAssignor.errorCode).toBe(ErrorCode.UNSUPPORTED_ASSIGNOR);
    const joined: any = await raw.call(68, 0, { ...base, memberId: '', memberEpoch: 0, serverAssignor: 'range' });
    expect(joined.errorCode).toBe(ErrorCode.NONE);
    expect(joined.memberEpoch).toBeGreaterThan(0);
    expect(joined.assignment.topicPartitions[0].partitions).toEqual([0, 1, 2, 3, 4, 5]);
    const stranger: any = await raw.call(68, 0, { ...base, memberId: 'stranger', memberEpoch: 3, serverAssignor: null, subscribedTopicNames: null, topicPartitions: null });
    expect(stranger.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const fenced: any = await raw.call(68, 0, { ...base, memberId: joined.memberId, memberEpoch: joined.memberEpoch + 5, serverAssignor: null, subscribedTopicNames: null, topicPartitions: null });
    expect(fenced.errorCode).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
    const left: any = await raw.call(68, 0, { ...base, memberId: joined.memberId, memberEpoch: -1, serverAssignor: null, subscribedTopicNames: null, topicPartitions: null });
    expect(left.memberEpoch).toBe(-1);
  });
});
