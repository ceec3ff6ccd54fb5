// Rebalance mechanics at the protocol level: group.initial.rebalance.delay.ms gathers members
// into one first generation; a member that does not rejoin within the rebalance timeout is
// dropped; KIP-848 reconciliation revokes before it assigns, and a silent KIP-848 member is
// removed after group.consumer.session.timeout.ms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { groupTestConfig, waitFor } from './helpers.js';
import { RawClient } from './raw-client.js';

let broker: RunningBroker;
const clients: RawClient[] = [];
const TOPIC = 'rebalance-topic';

beforeAll(async () => {
  broker = await startBroker({ config: { ...groupTestConfig, 'group.initial.rebalance.delay.ms': 500 }, log: () => {} });
  const admin = await connection();
  await admin.call(19, 4, { topics: [{ name: TOPIC, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
});

afterAll(async () => {
  for (const client of clients) client.close();
  await broker.stop();
});

async function connection(): Promise<RawClient> {
  const client = await RawClient.open(broker.port);
  clients.push(client);
  return client;
}

function joinBody(groupId: string, memberId: string, timeouts: { sessionTimeoutMs: number; rebalanceTimeoutMs: number }) {
  return { groupId, ...timeouts, memberId, groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from('s') }], reason: null };
}

/** Joins with v3 (no KIP-394 round trip) on its own connection; resolves with the join response. */
async function join(groupId: string, memberId = '', timeouts = { sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 1000 }): Promise<any> {
  return (await connection()).call(11, 3, joinBody(groupId, memberId, timeouts));
}

function consumerHeartbeat(client: RawClient, body: Record<string, unknown>): Promise<any> {
  return client.call(68, 0, {
    groupId: 'kip848-rebalance', memberId: '', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: -1,
    subscribedTopicNames: null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: null, ...body,
  });
}

describe('classic rebalances', () => {
  it('gathers members arriving within group.initial.rebalance.delay.ms into generation 1', async () => {
    const joins = [join('delayed'), join('delayed'), join('delayed')];
    const responses = await Promise.all(joins);
    expect(responses.map((r) => [r.errorCode, r.generationId])).toEqual([[0, 1], [0, 1], [0, 1]]);
    expect(responses.filter((r) => r.members.length === 3).length).toBe(1);
  });

  it('drops a member that does not rejoin within the rebalance timeout', async () => {
    const [a, b] = await Promise.all([join('slow-member'), join('slow-member')]);
    const sync = async (member: any) => (await connection()).call<any>(14, 3, { groupId: 'slow-member', generationId: member.generationId, memberId: member.memberId, groupInstanceId: null, assignments: [] });
    await Promise.all([sync(a), sync(b)]);
    const c = join('slow-member');
    const aClient = await connection();
    await waitFor('a rebalance', async () => (await aClient.call<any>(12, 3, { groupId: 'slow-member', generationId: a.generationId, memberId: a.memberId, groupInstanceId: null })).errorCode === ErrorCode.REBALANCE_IN_PROGRESS);
    const aAgain = await aClient.call<any>(11, 3, joinBody('slow-member', a.memberId, { sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 1000 }));
    const cJoined = await c;
    expect(aAgain.generationId).toBe(a.generationId + 1);
    expect(cJoined.generationId).toBe(aAgain.generationId);
    const leaderView = [aAgain, cJoined].find((r) => r.members.length > 0);
    expect(leaderView.members.map((m: any) => m.memberId).sort()).toEqual([a.memberId, cJoined.memberId].sort());
    const bBeat = await (await connection()).call<any>(12, 3, { groupId: 'slow-member', generationId: b.generationId, memberId: b.memberId, groupInstanceId: null });
    expect(bBeat.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });
});

describe('classic sync timeout', () => {
  it('removes a leader that never sends SyncGroup and tells the waiting follower to rejoin', async () => {
    const [x, y] = await Promise.all([join('no-sync'), join('no-sync')]);
    const leader = x.members.length > 0 ? x : y;
    const follower = leader === x ? y : x;
    const followerClient = await connection();
    const synced = await followerClient.call<any>(14, 3, { groupId: 'no-sync', generationId: follower.generationId, memberId: follower.memberId, groupInstanceId: null, assignments: [] });
    expect(synced.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const rejoined = await followerClient.call<any>(11, 3, joinBody('no-sync', follower.memberId, { sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 1000 }));
    expect(rejoined.members.map((m: any) => m.memberId)).toEqual([follower.memberId]);
    const leaderBeat = await (await connection()).call<any>(12, 3, { groupId: 'no-sync', generationId: leader.generationId, memberId: leader.memberId, groupInstanceId: null });
    expect(leaderBeat.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });
});

describe('KIP-848 reconciliation', () => {
  it('revokes from the owner before assigning to the newcomer, and removes a silent member', async () => {
    const clientA = await connection();
    const clientB = await connection();
    const topicId = ((await clientA.call<any>(3, 12, { topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: TOPIC }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })).topics[0].topicId);
    const a1 = await consumerHeartbeat(clientA, { memberEpoch: 0, rebalanceTimeoutMs: 5000, subscribedTopicNames: [TOPIC], topicPartitions: [] });
    expect(a1.assignment.topicPartitions).toEqual([{ topicId, partitions: [0, 1] }]);
    const ownedByA = (partitions: number[]) => [{ topicId, partitions }];

    const b1 = await consumerHeartbeat(clientB, { memberEpoch: 0, rebalanceTimeoutMs: 5000, subscribedTopicNames: [TOPIC], topicPartitions: [] });
    expect(b1.memberEpoch).toBeGreaterThan(a1.memberEpoch);
    expect(b1.assignment.topicPartitions.flatMap((tp: any) => tp.partitions)).toEqual([]);

    const a2 = await consumerHeartbeat(clientA, { memberId: a1.memberId, memberEpoch: a1.memberEpoch, topicPartitions: ownedByA([0, 1]) });
    expect(a2.memberEpoch).toBe(a1.memberEpoch);
    const kept = a2.assignment.topicPartitions[0].partitions;
    expect(kept.length).toBe(1);
    const b2 = await consumerHeartbeat(clientB, { memberId: b1.memberId, memberEpoch: b1.memberEpoch, topicPartitions: [] });
    expect(b2.assignment?.topicPartitions.flatMap((tp: any) => tp.partitions) ?? []).toEqual([]);

    const a3 = await consumerHeartbeat(clientA, { memberId: a1.memberId, memberEpoch: a2.memberEpoch, topicPartitions: ownedByA(kept) });
    expect(a3.memberEpoch).toBe(b1.memberEpoch);
    const b3 = await consumerHeartbeat(clientB, { memberId: b1.memberId, memberEpoch: b2.memberEpoch, topicPartitions: [] });
    const given = b3.assignment.topicPartitions[0].partitions;
    expect([...kept, ...given].sort()).toEqual([0, 1]);

    await waitFor('the silent member A to be removed', async () => {
      const beat = await consumerHeartbeat(clientB, { memberId: b1.memberId, memberEpoch: b3.memberEpoch, topicPartitions: ownedByA(given) });
      const described = await clientB.call<any>(69, 0, { groupIds: ['kip848-rebalance'], includeAuthorizedOperations: false });
      return beat.errorCode === ErrorCode.NONE && described.groups[0].members.length === 1;
    }, 15_000);
    const takeover = await consumerHeartbeat(clientB, { memberId: b1.memberId, memberEpoch: (await clientB.call<any>(69, 0, { groupIds: ['kip848-rebalance'], includeAuthorizedOperations: false })).groups[0].members[0].memberEpoch, topicPartitions: ownedByA(given) });
    expect(takeover.errorCode).toBe(ErrorCode.NONE);
    const fenced = await consumerHeartbeat(clientA, { memberId: a1.memberId, memberEpoch: a3.memberEpoch, topicPartitions: ownedByA(kept) });
    expect(fenced.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });
});

describe('KIP-848 static members', () => {
  it('keep their partitions across a -2 leave and refuse a second live instance', async () => {
    const group = 'kip848-static';
    const base = { groupId: group, rackId: null, subscribedTopicRegex: null, serverAssignor: null };
    const clientA = await connection();
    const clientB = await connection();
    const a = await clientA.call<any>(68, 0, { ...base, memberId: '', memberEpoch: 0, instanceId: 'ia', rebalanceTimeoutMs: 5000, subscribedTopicNames: [TOPIC], topicPartitions: [] });
    const b = await clientB.call<any>(68, 0, { ...base, memberId: '', memberEpoch: 0, instanceId: 'ib', rebalanceTimeoutMs: 5000, subscribedTopicNames: [TOPIC], topicPartitions: [] });
    const owned = (response: any) => response.assignment?.topicPartitions.flatMap((tp: any) => tp.partitions) ?? [];
    const topicId = a.assignment.topicPartitions[0].topicId;
    const aRevoked = await clientA.call<any>(68, 0, { ...base, memberId: a.memberId, memberEpoch: a.memberEpoch, instanceId: 'ia', rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: [{ topicId, partitions: owned(a) }] });
    const aKept = owned(aRevoked);
    const aSettled = await clientA.call<any>(68, 0, { ...base, memberId: a.memberId, memberEpoch: aRevoked.memberEpoch, instanceId: 'ia', rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: [{ topicId, partitions: aKept }] });
    const bSettled = await clientB.call<any>(68, 0, { ...base, memberId: b.memberId, memberEpoch: b.memberEpoch, instanceId: 'ib', rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: [] });
    expect([...aKept, ...owned(bSettled)].sort()).toEqual([0, 1]);
    const duplicate = await (await connection()).call<any>(68, 0, { ...base, memberId: '', memberEpoch: 0, instanceId: 'ia', rebalanceTimeoutMs: 5000, subscribedTopicNames: [TOPIC], topicPartitions: [] });
    expect(duplicate.errorCode).toBe(ErrorCode.UNRELEASED_INSTANCE_ID);

    const epochBefore = (await clientA.call<any>(69, 0, { groupIds: [group], includeAuthorizedOperations: false })).groups[0].groupEpoch;
    const left = await clientA.call<any>(68, 0, { ...base, memberId: a.memberId, memberEpoch: -2, instanceId: 'ia', rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: null });
    expect(left.memberEpoch).toBe(-2);
    const back = await (await connection()).call<any>(68, 0, { ...base, memberId: '', memberEpoch: 0, instanceId: 'ia', rebalanceTimeoutMs: 5000, subscribedTopicNames: [TOPIC], topicPartitions: [] });
    expect(back.errorCode).toBe(ErrorCode.NONE);
    expect(back.memberId).not.toBe(a.memberId);
    expect(owned(back)).toEqual(aKept);
    const described = await clientA.call<any>(69, 0, { groupIds: [group], includeAuthorizedOperations: false });
    expect(described.groups[0].groupEpoch).toBe(epochBefore);
    expect(aSettled.errorCode).toBe(ErrorCode.NONE);
  });
});
