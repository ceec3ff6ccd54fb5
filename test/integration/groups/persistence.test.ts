// Durability of group state in __consumer_offsets: deletions (tombstones) and group metadata
// survive a restart; a restored member that never comes back is expired after its session
// timeout; offsets.retention.minutes expires offsets of empty groups (driven with a clock
// argument on a coordinator built from the broker's own storage classes).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { FileMetadataStore } from '../../../src/cluster/metadata-store.js';
import { BrokerConfig, type ConfigInput } from '../../../src/config/broker-config.js';
import { parseTopicOverrides } from '../../../src/config/topic-config.js';
import { GroupCoordinator } from '../../../src/coordinator/group/coordinator.js';
import { commitOffsets } from '../../../src/coordinator/group/offset-ops.js';
import { PartitionLogs } from '../../../src/handlers/partition-logs.js';
import { TopicStore } from '../../../src/handlers/topic-store.js';
import { defaultStorageContext } from '../../../src/log/io.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { groupTestConfig, waitFor } from './helpers.js';
import { RawClient } from './raw-client.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rill-groups-persist-'));
  dirs.push(dir);
  return dir;
}

const TOPIC = 'persisted';

async function commit(client: RawClient, groupId: string, offsets: number[]): Promise<void> {
  const response: any = await client.call(8, 8, {
    groupId, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n,
    topics: [{ name: TOPIC, partitions: offsets.map((offset, partitionIndex) => ({ partitionIndex, committedOffset: BigInt(offset), committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: `m${offset}` })) }],
  });
  expect(response.topics[0].partitions.every((p: any) => p.errorCode === ErrorCode.NONE)).toBe(true);
}

async function fetchOffsets(client: RawClient, groupId: string): Promise<[bigint, string | null][]> {
  const response: any = await client.call(9, 7, { groupId, topics: [{ name: TOPIC, partitionIndexes: [0, 1] }], requireStable: false });
  return response.topics[0].partitions.map((p: any) => [p.committedOffset, p.metadata]);
}

describe('group state across a restart', () => {
  it('keeps offsets, deletions and group metadata; expires a restored member that does not return', async () => {
    const dataDir = tempDir();
    let broker: RunningBroker = await startBroker({ dataDir, config: groupTestConfig, log: () => {} });
    let client = await RawClient.open(broker.port);
    await client.call(19, 4, { topics: [{ name: TOPIC, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
    await commit(client, 'kept', [11, 12]);
    await commit(client, 'deleted', [1, 2]);
    await commit(client, 'partly', [5, 6]);
    expect(((await client.call(42, 2, { groupsNames: ['deleted'] })) as any).results[0].errorCode).toBe(ErrorCode.NONE);
    await client.call(47, 0, { groupId: 'partly', topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0 }] }] });
    const first: any = await client.call(11, 4, { groupId: 'live', sessionTimeoutMs: 1000, rebalanceTimeoutMs: 1000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from('sub') }], reason: null });
    const joined: any = await client.call(11, 4, { groupId: 'live', sessionTimeoutMs: 1000, rebalanceTimeoutMs: 1000, memberId: first.memberId, groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from('sub') }], reason: null });
    await client.call(14, 3, { groupId: 'live', generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null, assignments: [{ memberId: joined.memberId, assignment: Buffer.from('assignment-bytes') }] });
    client.close();
    await broker.stop();

    broker = await startBroker({ dataDir, config: groupTestConfig, log: () => {} });
    client = await RawClient.open(broker.port);
    expect(await fetchOffsets(client, 'kept')).toEqual([[11n, 'm11'], [12n, 'm12']]);
    expect(await fetchOffsets(client, 'deleted')).toEqual([[-1n, ''], [-1n, '']]);
    expect(await fetchOffsets(client, 'partly')).toEqual([[-1n, ''], [6n, 'm6']]);
    const listed: any = await client.call(16, 4, { statesFilter: [], typesFilter: [] });
    expect(listed.groups.map((g: any) => g.groupId).sort()).toEqual(['kept', 'live', 'partly']);
    const described: any = await client.call(15, 5, { groups: ['live'], includeAuthorizedOperations: false });
    expect(described.groups[0]).toMatchObject({ groupState: 'Stable', protocolData: 'range' });
    expect(described.groups[0].members.map((m: any) => [m.memberId, Buffer.from(m.memberAssignment).toString()])).toEqual([[joined.memberId, 'assignment-bytes']]);
    await waitFor('the restored member to expire', async () => {
      const again: any = await client.call(15, 5, { groups: ['live'], includeAuthorizedOperations: false });
      return again.groups[0].groupState === 'Empty';
    });
    client.close();
    await broker.stop();
  });
});

describe('KIP-848 groups across a restart', () => {
  it('keep epochs, members and assignments; a restored member goes on heartbeating; deletion is durable', async () => {
    const dataDir = tempDir();
    let broker = await startBroker({ dataDir, config: groupTestConfig, log: () => {} });
    let client = await RawClient.open(broker.port);
    await client.call(19, 4, { topics: [{ name: TOPIC, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
    const beat = (c: RawClient, body: Record<string, unknown>) => c.call<any>(68, 0, {
      groupId: 'kip848-durable', memberId: '', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: -1,
      subscribedTopicNames: null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: null, ...body,
    });
    const joined = await beat(client, { rebalanceTimeoutMs: 5000, subscribedTopicNames: [TOPIC], serverAssignor: 'range', topicPartitions: [] });
    const topicId = joined.assignment.topicPartitions[0].topicId;
    await beat(client, { memberId: joined.memberId, memberEpoch: joined.memberEpoch, topicPartitions: [{ topicId, partitions: [0, 1] }] });
    const before = (await client.call<any>(69, 0, { groupIds: ['kip848-durable'], includeAuthorizedOperations: false })).groups[0];
    client.close();
    await broker.stop();

    broker = await startBroker({ dataDir, config: groupTestConfig, log: () => {} });
    client = await RawClient.open(broker.port);
    const after = (await client.call<any>(69, 0, { groupIds: ['kip848-durable'], includeAuthorizedOperations: false })).groups[0];
    expect(after.errorCode).toBe(ErrorCode.NONE);
    expect([after.groupEpoch, after.assignmentEpoch, after.assignorName]).toEqual([before.groupEpoch, before.assignmentEpoch, 'range']);
    expect(after.members.map((m: any) => [m.memberId, m.memberEpoch, m.subscribedTopicNames, m.assignment.topicPartitions[0].partitions])).toEqual([[joined.memberId, joined.memberEpoch, [TOPIC], [0, 1]]]);
    const resumed = await beat(client, { memberId: joined.memberId, memberEpoch: joined.memberEpoch, topicPartitions: [{ topicId, partitions: [0, 1] }] });
    expect([resumed.errorCode, resumed.memberEpoch]).toEqual([ErrorCode.NONE, joined.memberEpoch]);
    expect((await beat(client, { memberId: joined.memberId, memberEpoch: -1 })).errorCode).toBe(ErrorCode.NONE);
    expect(((await client.call(42, 2, { groupsNames: ['kip848-durable'] })) as any).results[0].errorCode).toBe(ErrorCode.NONE);
    client.close();
    await broker.stop();

    broker = await startBroker({ dataDir, config: groupTestConfig, log: () => {} });
    client = await RawClient.open(broker.port);
    const gone = (await client.call<any>(69, 0, { groupIds: ['kip848-durable'], includeAuthorizedOperations: false })).groups[0];
    expect(gone.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    client.close();
    await broker.stop();
  });
});

describe('offsets.retention.minutes', () => {
  it('drops offsets of deleted topics, expires offsets of empty groups once the retention has passed, with tombstones that survive a reload', async () => {
    const dataDir = tempDir();
    const config = new BrokerConfig({ ...groupTestConfig, 'log.dirs': dataDir, 'offsets.retention.minutes': 10 } as ConfigInput);
    const open = async () => {
      const logs = new PartitionLogs(dataDir, defaultStorageContext(), () => {});
      const store = FileMetadataStore.open(dataDir);
      const topics = new TopicStore(config, logs, store);
      await topics.load();
      const coordinator = new GroupCoordinator({ config, topics, logs, log: () => {} });
      await coordinator.load();
      return { logs, store, topics, coordinator };
    };
    const first = await open();
    await first.topics.create(TOPIC, 1, 1, parseTopicOverrides([]));
    const commitNow = (groupId: string) => commitOffsets(first.coordinator, {
      groupId, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, version: 8,
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 3n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }],
    });
    await commitNow('old');
    await first.topics.create('short-lived', 1, 1, parseTopicOverrides([]));
    await commitOffsets(first.coordinator, {
      groupId: 'old', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, version: 8,
      topics: [{ name: 'short-lived', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }],
    });
    await first.topics.delete('short-lived');
    const nowMs = Date.now();
    expect(await first.coordinator.expireOffsets(nowMs)).toBe(1);
    expect(first.coordinator.offsets.get('old', 'short-lived', 0)).toBeUndefined();
    expect(await first.coordinator.expireOffsets(nowMs + 9 * 60_000)).toBe(0);
    expect(await first.coordinator.expireOffsets(nowMs + 11 * 60_000)).toBe(1);
    expect(first.coordinator.offsets.get('old', TOPIC, 0)).toBeUndefined();
    expect(first.coordinator.groups.has('old')).toBe(false);
    first.coordinator.close();
    await first.logs.closeAll();
    await first.store.close();

    const second = await open();
    expect(second.coordinator.offsets.get('old', TOPIC, 0)).toBeUndefined();
    expect(second.coordinator.groups.has('old')).toBe(false);
    second.coordinator.close();
    await second.logs.closeAll();
    await second.store.close();
  });
});
