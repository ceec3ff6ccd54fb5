// Every version of every group API, with fields that are null or absent in old versions: each
// request gets a decodable answer and the connection stays open (a response field that an old
// version cannot carry must never break encoding).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { groupTestConfig } from './helpers.js';
import { RawClient } from './raw-client.js';

let broker: RunningBroker;
let client: RawClient;
const TOPIC = 'versions-topic';

beforeAll(async () => {
  broker = await startBroker({ config: groupTestConfig, log: () => {} });
  client = await RawClient.open(broker.port);
  await client.call(19, 4, { topics: [{ name: TOPIC, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
});

afterAll(async () => {
  client.close();
  await broker.stop();
});

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function joinedMember(groupId: string, version: number): Promise<{ memberId: string; generationId: number; response: any }> {
  const body = (memberId: string) => ({
    groupId, sessionTimeoutMs: 5000, rebalanceTimeoutMs: 5000, memberId, groupInstanceId: version >= 5 ? `instance-${version}` : null,
    protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from([0, 0]) }], reason: null,
  });
  let response: any = await client.call(11, version, body(''));
  if (response.errorCode === ErrorCode.MEMBER_ID_REQUIRED) response = await client.call(11, version, body(response.memberId));
  expect(response.errorCode).toBe(ErrorCode.NONE);
  return { memberId: response.memberId, generationId: response.generationId, response };
}

describe('group APIs at every version', () => {
  it.each(range(0, 9))('JoinGroup v%i, then SyncGroup, Heartbeat, LeaveGroup at matching versions', async (version) => {
    const groupId = `join-v${version}`;
    const { memberId, generationId, response } = await joinedMember(groupId, version);
    expect(response.protocolName).toBe('range');
    const syncVersion = Math.min(version, 5);
    const instance = syncVersion >= 3 && version >= 5 ? `instance-${version}` : null;
    const synced: any = await client.call(14, syncVersion, { groupId, generationId, memberId, groupInstanceId: instance, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId, assignment: Buffer.from('a') }] });
    expect(synced.errorCode).toBe(ErrorCode.NONE);
    const beat: any = await client.call(12, Math.min(version, 4), { groupId, generationId, memberId, groupInstanceId: instance });
    expect(beat.errorCode).toBe(ErrorCode.NONE);
    const leaveVersion = Math.min(version, 5);
    const left: any = await client.call(13, leaveVersion, { groupId, memberId, members: [{ memberId, groupInstanceId: instance, reason: null }] });
    expect(left.errorCode).toBe(ErrorCode.NONE);
  });

  it.each(range(0, 9))('OffsetCommit and OffsetFetch v%i', async (version) => {
    const groupId = `offsets-v${version}`;
    const committed: any = await client.call(8, version, {
      groupId, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n,
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 1, committedOffset: 33n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: 'meta' }] }],
    });
    expect(committed.topics[0].partitions[0].errorCode).toBe(ErrorCode.NONE);
    const fetched: any = await client.call(9, version, {
      groupId, topics: [{ name: TOPIC, partitionIndexes: [1] }], requireStable: false,
      groups: [{ groupId, memberId: null, memberEpoch: -1, topics: [{ name: TOPIC, partitionIndexes: [1] }] }],
    });
    const partition = version >= 8 ? fetched.groups[0].topics[0].partitions[0] : fetched.topics[0].partitions[0];
    expect([partition.committedOffset, partition.metadata]).toEqual([33n, 'meta']);
  });

  it.each(range(0, 6))('FindCoordinator v%i', async (version) => {
    const response: any = await client.call(10, version, { key: 'g', keyType: 0, coordinatorKeys: ['g'] });
    const answer = version >= 4 ? response.coordinators[0] : response;
    expect([answer.errorCode, answer.port]).toEqual([ErrorCode.NONE, broker.port]);
  });

  it.each(range(0, 6))('DescribeGroups v%i of a known and an unknown group', async (version) => {
    await joinedMember(`describe-v${version}`, 4);
    const response: any = await client.call(15, version, { groups: [`describe-v${version}`, 'unknown-group'], includeAuthorizedOperations: true });
    expect(response.groups[0].groupState).toBe('CompletingRebalance');
    expect(response.groups[1].groupState).toBe('Dead');
  });

  it.each(range(0, 5))('ListGroups v%i', async (version) => {
    const response: any = await client.call(16, version, { statesFilter: [], typesFilter: [] });
    expect(response.errorCode).toBe(ErrorCode.NONE);
    expect(response.groups.length).toBeGreaterThan(0);
  });

  it.each(range(0, 2))('DeleteGroups v%i', async (version) => {
    const response: any = await client.call(42, version, { groupsNames: [`never-${version}`] });
    expect(response.results[0].errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });

  it.each(range(0, 1))('ConsumerGroupHeartbeat and ConsumerGroupDescribe v%i', async (version) => {
    const groupId = `kip848-v${version}`;
    const joined: any = await client.call(68, version, {
      groupId, memberId: version >= 1 ? `member-v${version}-abcdefghijkl` : '', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 5000,
      subscribedTopicNames: [TOPIC], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [],
    });
    expect(joined.errorCode).toBe(ErrorCode.NONE);
    const described: any = await client.call(69, version, { groupIds: [groupId], includeAuthorizedOperations: false });
    expect(described.groups[0].members[0].targetAssignment.topicPartitions[0]).toMatchObject({ topicName: TOPIC, partitions: [0, 1] });
  });
});
