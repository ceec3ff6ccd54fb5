// Group APIs driven at the protocol level with exact versions: the error codes Kafka gives for
// each misuse, batched FindCoordinator, KIP-394 member ids, KIP-345 static members, large
// SyncGroup assignments, OffsetCommit/OffsetFetch checks and metadata, DeleteGroups,
// OffsetDelete, ListGroups filters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { javaStringHashCode, offsetsPartitionFor } from '../../../src/coordinator/group/hash.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { consumerProtocolSubscriptionData, Writer } from '../../../src/protocol/index.js';
import { groupTestConfig } from './helpers.js';
import { RawClient } from './raw-client.js';

let broker: RunningBroker;
let client: RawClient;

const TOPIC = 'proto-topic';

beforeAll(async () => {
  broker = await startBroker({ config: { ...groupTestConfig, 'group.max.size': 3 }, log: () => {} });
  client = await RawClient.open(broker.port);
  await client.call(19, 4, { topics: [{ name: TOPIC, numPartitions: 3, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
});

afterAll(async () => {
  client.close();
  await broker.stop();
});

function subscription(topics: string[]): Buffer {
  const w = new Writer();
  w.writeInt16(1);
  consumerProtocolSubscriptionData.write(w, 1, { topics, userData: null, ownedPartitions: [], generationId: -1, rackId: null });
  return w.finish();
}

interface JoinOptions {
  memberId?: string;
  groupInstanceId?: string | null;
  sessionTimeoutMs?: number;
  protocolType?: string;
  protocols?: { name: string; metadata: Buffer }[];
}

function join(groupId: string, version: number, options: JoinOptions = {}): Promise<any> {
  return client.call(11, version, {
    groupId, sessionTimeoutMs: options.sessionTimeoutMs ?? 5000, rebalanceTimeoutMs: 5000, memberId: options.memberId ?? '',
    groupInstanceId: options.groupInstanceId ?? null, protocolType: options.protocolType ?? 'consumer',
    protocols: options.protocols ?? [{ name: 'range', metadata: subscription([TOPIC]) }], reason: null,
  });
}

/** A one-member group, joined and synced; returns member id and generation. */
async function stableSingleMember(groupId: string, assignment = Buffer.from('assigned')): Promise<{ memberId: string; generationId: number }> {
  const first = await join(groupId, 4);
  expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  const joined = await join(groupId, 4, { memberId: first.memberId });
  expect(joined.errorCode).toBe(ErrorCode.NONE);
  const synced: any = await client.call(14, 3, { groupId, generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null, assignments: [{ memberId: joined.memberId, assignment }] });
  expect(synced.errorCode).toBe(ErrorCode.NONE);
  return { memberId: joined.memberId, generationId: joined.generationId };
}

function commit(groupId: string, generationId: number, memberId: string, partitions: { topic?: string; partition: number; offset: bigint; metadata?: string | null }[]): Promise<any> {
  return client.call(8, 8, {
    groupId, generationIdOrMemberEpoch: generationId, memberId, groupInstanceId: null, retentionTimeMs: -1n,
    topics: [{ name: partitions[0]?.topic ?? TOPIC, partitions: partitions.map((p) => ({ partitionIndex: p.partition, committedOffset: p.offset, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: p.metadata ?? null })) }],
  });
}

/** Heartbeats until the coordinator reports a rebalance (bounded). */
async function waitForRebalance(groupId: string, memberId: string, generationId: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const response: any = await client.call(12, 3, { groupId, generationId, memberId, groupInstanceId: null });
    if (response.errorCode !== ErrorCode.NONE) return response.errorCode;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return ErrorCode.NONE;
}

describe('group id hashing', () => {
  it('matches Java String.hashCode and Kafka\'s Utils.abs', () => {
    expect(javaStringHashCode('hello')).toBe(99162322);
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648);
    expect(offsetsPartitionFor('polygenelubricants', 50)).toBe(0);
    expect(offsetsPartitionFor('hello', 50)).toBe(99162322 % 50);
  });
});

describe('FindCoordinator', () => {
  it('answers single keys (v3) and batches (v4) for groups and transactions with this node', async () => {
    const single: any = await client.call(10, 3, { key: 'g1', keyType: 0 });
    expect(single).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: 1, port: broker.port });
    const batch: any = await client.call(10, 4, { keyType: 1, coordinatorKeys: ['t1', 't2'] });
    expect(batch.coordinators.map((c: any) => [c.key, c.errorCode, c.port])).toEqual([['t1', 0, broker.port], ['t2', 0, broker.port]]);
    const bad: any = await client.call(10, 4, { keyType: 7, coordinatorKeys: ['x'] });
    expect(bad.coordinators[0].errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });
});

describe('JoinGroup and SyncGroup', () => {
  it('requires a member id from v4 and hands a large assignment back whole', async () => {
    const big = Buffer.alloc(200_000, 7);
    const { memberId, generationId } = await stableSingleMember('join-v4', big);
    expect(generationId).toBe(1);
    const again: any = await client.call(14, 3, { groupId: 'join-v4', generationId, memberId, groupInstanceId: null, assignments: [] });
    expect(Buffer.from(again.assignment).equals(big)).toBe(true);
  });

  it('lets v3 join without a member id', async () => {
    const joined = await join('join-v3', 3);
    expect(joined.errorCode).toBe(ErrorCode.NONE);
    expect(joined.memberId).not.toBe('');
    expect(joined.leader).toBe(joined.memberId);
    expect(joined.members.length).toBe(1);
  });

  it('rejects session timeouts outside the broker bounds', async () => {
    expect((await join('bad-timeout', 4, { sessionTimeoutMs: 100 })).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await join('bad-timeout', 4, { sessionTimeoutMs: 10_000_000 })).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
  });

  it('rejects a member with no protocol in common', async () => {
    await stableSingleMember('inconsistent');
    const other = await join('inconsistent', 4, { protocolType: 'connect' });
    expect(other.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const noCommon = await join('inconsistent', 4, { protocols: [{ name: 'roundrobin', metadata: subscription([TOPIC]) }] });
    expect(noCommon.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await join('inconsistent', 4, { protocols: [] })).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const first = await join('no-protocols', 4);
    const known = await join('no-protocols', 4, { memberId: first.memberId });
    expect(known.errorCode).toBe(ErrorCode.NONE);
    expect((await join('no-protocols', 4, { memberId: known.memberId, protocols: [] })).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await join('no-protocols', 4, { memberId: known.memberId, protocolType: '' })).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('answers UNKNOWN_MEMBER_ID for an unknown member id and GROUP_MAX_SIZE_REACHED beyond group.max.size', async () => {
    expect((await join('unknown-member', 4, { memberId: 'nobody' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await join('full', 4)).memberId);
    const fourth = await join('full', 4);
    expect(fourth.errorCode).toBe(ErrorCode.GROUP_MAX_SIZE_REACHED);
  });

  it('picks the protocol every member supports by vote', async () => {
    const protocolsA = [{ name: 'roundrobin', metadata: subscription([TOPIC]) }, { name: 'range', metadata: subscription([TOPIC]) }];
    const protocolsB = [{ name: 'sticky', metadata: subscription([TOPIC]) }, { name: 'range', metadata: subscription([TOPIC]) }, { name: 'roundrobin', metadata: subscription([TOPIC]) }];
    const a = await join('vote', 3, { protocols: protocolsA, sessionTimeoutMs: 2000 });
    expect(a.protocolName).toBe('roundrobin');
    await client.call(14, 3, { groupId: 'vote', generationId: a.generationId, memberId: a.memberId, groupInstanceId: null, assignments: [] });
    const other = await RawClient.open(broker.port, 'other');
    const joinB = other.call<any>(11, 3, { groupId: 'vote', sessionTimeoutMs: 2000, rebalanceTimeoutMs: 5000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: protocolsB, reason: null });
    const heartbeat = await waitForRebalance('vote', a.memberId, a.generationId);
    expect(heartbeat).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const joinA = join('vote', 3, { memberId: a.memberId, protocols: protocolsA, sessionTimeoutMs: 2000 });
    const [ra, rb] = await Promise.all([joinA, joinB]);
    other.close();
    expect(ra.generationId).toBe(2);
    expect(rb.generationId).toBe(2);
    expect(ra.protocolName).toBe(rb.protocolName);
    expect(['roundrobin', 'range']).toContain(ra.protocolName);
  });
});

describe('Heartbeat and LeaveGroup', () => {
  it('checks generation and member, and leaves in batches from v3', async () => {
    const { memberId, generationId } = await stableSingleMember('hb');
    const ok: any = await client.call(12, 3, { groupId: 'hb', generationId, memberId, groupInstanceId: null });
    expect(ok.errorCode).toBe(ErrorCode.NONE);
    const badGen: any = await client.call(12, 3, { groupId: 'hb', generationId: generationId + 5, memberId, groupInstanceId: null });
    expect(badGen.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    const unknown: any = await client.call(12, 3, { groupId: 'hb', generationId, memberId: 'nobody', groupInstanceId: null });
    expect(unknown.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const left: any = await client.call(13, 3, { groupId: 'hb', memberId: '', members: [{ memberId, groupInstanceId: null, reason: null }, { memberId: 'nobody', groupInstanceId: null, reason: null }] });
    expect(left.members.map((m: any) => m.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID]);
    const described: any = await client.call(15, 5, { groups: ['hb'], includeAuthorizedOperations: false });
    expect(described.groups[0].groupState).toBe('Empty');
  });
});

describe('static membership (KIP-345)', () => {
  it('gives a rejoining instance a new member id without a rebalance and fences the old one', async () => {
    const first = await join('static', 5, { groupInstanceId: 'instance-1' });
    expect(first.errorCode).toBe(ErrorCode.NONE);
    await client.call(14, 3, { groupId: 'static', generationId: first.generationId, memberId: first.memberId, groupInstanceId: 'instance-1', assignments: [{ memberId: first.memberId, assignment: Buffer.from('mine') }] });
    const rejoined = await join('static', 5, { groupInstanceId: 'instance-1' });
    expect(rejoined.errorCode).toBe(ErrorCode.NONE);
    expect(rejoined.memberId).not.toBe(first.memberId);
    expect(rejoined.generationId).toBe(first.generationId);
    const synced: any = await client.call(14, 3, { groupId: 'static', generationId: rejoined.generationId, memberId: rejoined.memberId, groupInstanceId: 'instance-1', assignments: [] });
    expect(Buffer.from(synced.assignment).toString()).toBe('mine');
    const old: any = await client.call(12, 3, { groupId: 'static', generationId: first.generationId, memberId: first.memberId, groupInstanceId: 'instance-1' });
    expect(old.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    const fencedLeave: any = await client.call(13, 3, { groupId: 'static', memberId: '', members: [{ memberId: first.memberId, groupInstanceId: 'instance-1', reason: null }] });
    expect(fencedLeave.members[0].errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
  });
});

describe('OffsetCommit and OffsetFetch', () => {
  it('checks generation and member, returns metadata unchanged, and rejects unknown partitions', async () => {
    const { memberId, generationId } = await stableSingleMember('offsets');
    expect((await commit('offsets', generationId + 1, memberId, [{ partition: 0, offset: 5n }])).topics[0].partitions[0].errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect((await commit('offsets', generationId, 'nobody', [{ partition: 0, offset: 5n }])).topics[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await commit('offsets', -1, '', [{ partition: 0, offset: 5n }])).topics[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const metadata = 'ünïcode metadata \u0000 with nul';
    const ok = await commit('offsets', generationId, memberId, [{ partition: 0, offset: 42n, metadata }, { partition: 1, offset: 7n, metadata: '' }, { partition: 9, offset: 1n }]);
    expect(ok.topics[0].partitions.map((p: any) => p.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    const tooLarge = await commit('offsets', generationId, memberId, [{ partition: 2, offset: 1n, metadata: 'x'.repeat(5000) }]);
    expect(tooLarge.topics[0].partitions[0].errorCode).toBe(ErrorCode.OFFSET_METADATA_TOO_LARGE);
    const fetched: any = await client.call(9, 7, { groupId: 'offsets', topics: [{ name: TOPIC, partitionIndexes: [0, 1, 2] }], requireStable: true });
    expect(fetched.topics[0].partitions.map((p: any) => [p.committedOffset, p.metadata])).toEqual([[42n, metadata], [7n, ''], [-1n, '']]);
    const all: any = await client.call(9, 7, { groupId: 'offsets', topics: null, requireStable: false });
    expect(all.topics[0].partitions.map((p: any) => p.partitionIndex)).toEqual([0, 1]);
  });

  it('accepts simple commits (generation -1) for a group without members and fetches several groups at once (v8)', async () => {
    expect((await commit('simple-a', -1, '', [{ partition: 0, offset: 10n }])).topics[0].partitions[0].errorCode).toBe(ErrorCode.NONE);
    expect((await commit('simple-b', -1, '', [{ partition: 1, offset: 20n }])).topics[0].partitions[0].errorCode).toBe(ErrorCode.NONE);
    const fetched: any = await client.call(9, 8, {
      groups: [
        { groupId: 'simple-a', memberId: null, memberEpoch: -1, topics: [{ name: TOPIC, partitionIndexes: [0] }] },
        { groupId: 'simple-b', memberId: null, memberEpoch: -1, topics: null },
      ],
      requireStable: false,
    });
    expect(fetched.groups.map((g: any) => [g.groupId, g.topics[0].partitions[0].committedOffset])).toEqual([['simple-a', 10n], ['simple-b', 20n]]);
  });
});

describe('OffsetFetch require_stable', () => {
  it('answers UNSTABLE_OFFSET_COMMIT while a transactional commit is pending, the offset once committed', async () => {
    const init: any = await client.call(22, 4, { transactionalId: 'stable-txn', transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 });
    expect(init.errorCode).toBe(ErrorCode.NONE);
    const ids = { transactionalId: 'stable-txn', producerId: init.producerId, producerEpoch: init.producerEpoch };
    expect(((await client.call(25, 3, { ...ids, groupId: 'txn-group' })) as any).errorCode).toBe(ErrorCode.NONE);
    const committed: any = await client.call(28, 3, {
      ...ids, groupId: 'txn-group', generationId: -1, memberId: '', groupInstanceId: null,
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 77n, committedLeaderEpoch: -1, committedMetadata: 'txn' }] }],
    });
    expect(committed.topics[0].partitions[0].errorCode).toBe(ErrorCode.NONE);
    const ask = (requireStable: boolean) => client.call<any>(9, 7, { groupId: 'txn-group', topics: [{ name: TOPIC, partitionIndexes: [0] }], requireStable });
    expect((await ask(true)).topics[0].partitions[0].errorCode).toBe(ErrorCode.UNSTABLE_OFFSET_COMMIT);
    expect((await ask(false)).topics[0].partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, committedOffset: -1n });
    expect(((await client.call(26, 3, { ...ids, committed: true })) as any).errorCode).toBe(ErrorCode.NONE);
    expect((await ask(true)).topics[0].partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, committedOffset: 77n, metadata: 'txn' });
  });
});

describe('DeleteGroups, OffsetDelete, ListGroups', () => {
  it('refuses to delete non-empty groups and deletes empty ones with their offsets', async () => {
    const { memberId, generationId } = await stableSingleMember('to-delete');
    await commit('to-delete', generationId, memberId, [{ partition: 0, offset: 3n }]);
    const refused: any = await client.call(42, 2, { groupsNames: ['to-delete', 'never-existed'] });
    expect(refused.results.map((r: any) => r.errorCode)).toEqual([ErrorCode.NON_EMPTY_GROUP, ErrorCode.GROUP_ID_NOT_FOUND]);
    const subscribed: any = await client.call(47, 0, { groupId: 'to-delete', topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0 }] }] });
    expect(subscribed.topics[0].partitions[0].errorCode).toBe(ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
    await client.call(13, 1, { groupId: 'to-delete', memberId, members: [] });
    const deleted: any = await client.call(42, 2, { groupsNames: ['to-delete'] });
    expect(deleted.results[0].errorCode).toBe(ErrorCode.NONE);
    const fetched: any = await client.call(9, 7, { groupId: 'to-delete', topics: [{ name: TOPIC, partitionIndexes: [0] }], requireStable: false });
    expect(fetched.topics[0].partitions[0].committedOffset).toBe(-1n);
  });

  it('deletes offsets of an empty group', async () => {
    await commit('offset-delete', -1, '', [{ partition: 0, offset: 3n }]);
    const result: any = await client.call(47, 0, { groupId: 'offset-delete', topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0 }] }] });
    expect(result.errorCode).toBe(ErrorCode.NONE);
    const fetched: any = await client.call(9, 7, { groupId: 'offset-delete', topics: null, requireStable: false });
    expect(fetched.topics).toEqual([]);
    const noTopic: any = await client.call(47, 0, { groupId: 'offset-delete', topics: [{ name: 'no-such-topic', partitions: [{ partitionIndex: 0 }] }] });
    expect(noTopic.topics[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const unknown: any = await client.call(47, 0, { groupId: 'no-such-group', topics: [] });
    expect(unknown.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });

  it('filters by state (v4) and type (v5)', async () => {
    await stableSingleMember('listed-stable');
    const stable: any = await client.call(16, 5, { statesFilter: ['stable'], typesFilter: [] });
    const ids = stable.groups.map((g: any) => g.groupId);
    expect(ids).toContain('listed-stable');
    expect(stable.groups.every((g: any) => g.groupState === 'Stable')).toBe(true);
    const consumerType: any = await client.call(16, 5, { statesFilter: [], typesFilter: ['consumer'] });
    expect(consumerType.groups.map((g: any) => g.groupId)).not.toContain('listed-stable');
    const classic: any = await client.call(16, 5, { statesFilter: [], typesFilter: ['Classic'] });
    expect(classic.groups.find((g: any) => g.groupId === 'listed-stable')).toMatchObject({ protocolType: 'consumer', groupType: 'classic' });
  });
});
