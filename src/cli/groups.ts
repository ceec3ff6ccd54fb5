// `rill groups list|describe|delete|reset-offsets` against any Kafka-compatible bootstrap server
// (group requests go to the group's coordinator, found with FindCoordinator).
// describe prints, per partition with a committed offset or an owner: committed offset, log end
// offset, lag and owning member, like kafka-consumer-groups.sh --describe.
// reset-offsets plans new offsets (--to-earliest, --to-latest, --to-offset N, --shift-by N) and
// commits them only with --execute; the group must have no members (Kafka's rule).
import { parseArgs } from 'node:util';
import { errorCodeName } from '../protocol/error-codes.js';
import {
  consumerProtocolAssignmentData,
  defaultMetadataRequest,
  defaultMetadataRequestMetadataRequestTopic,
  Reader,
  readConsumerProtocolAssignment,
  type ConsumerGroupDescribeResponse,
  type DeleteGroupsResponse,
  type DescribeGroupsResponse,
  type FindCoordinatorResponse,
  type ListGroupsResponse,
  type ListOffsetsResponse,
  type MetadataResponse,
  type OffsetCommitResponse,
  type OffsetFetchResponse,
} from '../protocol/index.js';
import { AdminConnection } from './admin-connection.js';
import { UsageError } from './start-options.js';
import { KafkaCommandError } from './topics.js';

export const groupsUsage = `usage: rill groups <list|describe|delete|reset-offsets> [--bootstrap-server HOST:PORT] [--group ID]
  reset-offsets: --topic NAME (--to-earliest | --to-latest | --to-offset N | --shift-by N) [--execute]`;

const API = { metadata: 3, offsetCommit: 8, offsetFetch: 9, findCoordinator: 10, listOffsets: 2, describeGroups: 15, listGroups: 16, deleteGroups: 42, consumerGroupDescribe: 69 } as const;
const EARLIEST_TIMESTAMP = -2n;
const LATEST_TIMESTAMP = -1n;

interface GroupsOptions {
  bootstrap: string;
  group: string | undefined;
  topic: string | undefined;
  reset: { kind: 'earliest' | 'latest' | 'offset' | 'shift'; value: bigint } | undefined;
  execute: boolean;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  committedOffset: bigint;
  logEndOffset: bigint;
  /** null when nothing is committed. */
  lag: bigint | null;
  owner: string;
}

function parseReset(values: Record<string, string | boolean | undefined>): GroupsOptions['reset'] {
  if (values['to-earliest'] === true) return { kind: 'earliest', value: 0n };
  if (values['to-latest'] === true) return { kind: 'latest', value: 0n };
  const asBigInt = (flag: string, text: string) => {
    if (!/^-?\d+$/.test(text)) throw new UsageError(`${flag} expects an integer, got ${JSON.stringify(text)}`);
    return BigInt(text);
  };
  if (typeof values['to-offset'] === 'string') return { kind: 'offset', value: asBigInt('--to-offset', values['to-offset']) };
  if (typeof values['shift-by'] === 'string') return { kind: 'shift', value: asBigInt('--shift-by', values['shift-by']) };
  return undefined;
}

function parseGroupsArgs(args: string[]): GroupsOptions {
  const { values } = parseArgs({
    args,
    options: {
      'bootstrap-server': { type: 'string' }, group: { type: 'string' }, topic: { type: 'string' },
      'to-earliest': { type: 'boolean' }, 'to-latest': { type: 'boolean' }, 'to-offset': { type: 'string' }, 'shift-by': { type: 'string' },
      execute: { type: 'boolean' },
    },
    strict: true,
  });
  return { bootstrap: values['bootstrap-server'] ?? '127.0.0.1:9092', group: values.group, topic: values.topic, reset: parseReset(values), execute: values.execute === true };
}

function requireGroup(options: GroupsOptions): string {
  if (options.group === undefined) throw new UsageError('--group is required');
  return options.group;
}

function check(errorCode: number, what: string, errorMessage?: string | null): void {
  if (errorCode !== 0) throw new KafkaCommandError(`${what}: ${errorCodeName(errorCode)}${errorMessage ? `: ${errorMessage}` : ''}`);
}

/** A connection to the group's coordinator (the bootstrap connection when it is the same node). */
async function coordinatorFor(admin: AdminConnection, bootstrap: string, groupId: string): Promise<AdminConnection> {
  const found = await admin.call<FindCoordinatorResponse>(API.findCoordinator, { key: groupId, keyType: 0, coordinatorKeys: [groupId] });
  const answer = found.coordinators.length > 0 ? found.coordinators[0]! : found;
  check(answer.errorCode, `finding the coordinator of ${groupId}`, answer.errorMessage);
  const address = `${answer.host.includes(':') ? `[${answer.host}]` : answer.host}:${answer.port}`;
  if (address === bootstrap) return admin;
  try {
    return await AdminConnection.open(address);
  } catch {
    return admin;
  }
}

async function list(admin: AdminConnection): Promise<string[]> {
  const response = await admin.call<ListGroupsResponse>(API.listGroups, { statesFilter: [], typesFilter: [] });
  check(response.errorCode, 'listing groups');
  return response.groups
    .sort((a, b) => (a.groupId < b.groupId ? -1 : 1))
    .map((g) => [g.groupId, g.groupType || '-', g.groupState || '-', g.protocolType || '-'].join('\t'));
}

function decodeAssignment(bytes: Buffer): { topic: string; partitions: number[] }[] {
  if (bytes.length < 2) return [];
  try {
    const version = Math.min(bytes.readInt16BE(0), consumerProtocolAssignmentData.maxVersion);
    return readConsumerProtocolAssignment(new Reader(bytes, 2), version).assignedPartitions;
  } catch {
    return [];
  }
}

/** "topic:partition" -> member id, for classic and KIP-848 groups. */
async function owners(coordinator: AdminConnection, groupId: string): Promise<{ state: string; owners: Map<string, string> }> {
  const described = await coordinator.call<DescribeGroupsResponse>(API.describeGroups, { groups: [groupId], includeAuthorizedOperations: false });
  const group = described.groups[0]!;
  const byPartition = new Map<string, string>();
  for (const member of group.members) {
    for (const tp of decodeAssignment(member.memberAssignment)) for (const p of tp.partitions) byPartition.set(`${tp.topic}:${p}`, member.memberId);
  }
  if (group.protocolType === 'consumer' && group.members.length > 0 && byPartition.size === 0) await addConsumerGroupOwners(coordinator, groupId, byPartition);
  return { state: group.groupState, owners: byPartition };
}

async function addConsumerGroupOwners(coordinator: AdminConnection, groupId: string, byPartition: Map<string, string>): Promise<void> {
  try {
    const described = await coordinator.call<ConsumerGroupDescribeResponse>(API.consumerGroupDescribe, { groupIds: [groupId], includeAuthorizedOperations: false });
    for (const member of described.groups[0]?.members ?? []) {
      for (const tp of member.assignment.topicPartitions) for (const p of tp.partitions) byPartition.set(`${tp.topicName}:${p}`, member.memberId);
    }
  } catch {
    // A broker without KIP-848 describes no owners here.
  }
}

async function committed(coordinator: AdminConnection, groupId: string): Promise<Map<string, bigint>> {
  const response = await coordinator.call<OffsetFetchResponse>(API.offsetFetch, {
    groupId, topics: null, requireStable: false, groups: [{ groupId, memberId: null, memberEpoch: -1, topics: null }],
  });
  const topics = response.groups.length > 0 ? response.groups[0]!.topics : response.topics;
  const offsets = new Map<string, bigint>();
  for (const topic of topics) for (const p of topic.partitions) if (p.committedOffset >= 0n) offsets.set(`${topic.name}:${p.partitionIndex}`, p.committedOffset);
  return offsets;
}

async function listOffsets(admin: AdminConnection, keys: string[], timestamp: bigint): Promise<Map<string, bigint>> {
  const byTopic = new Map<string, number[]>();
  for (const key of keys) {
    const [topic, partition] = splitKey(key);
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
  }
  const response = await admin.call<ListOffsetsResponse>(API.listOffsets, {
    replicaId: -1, isolationLevel: 0, timeoutMs: 10_000,
    topics: [...byTopic].map(([name, partitions]) => ({ name, partitions: partitions.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 })) })),
  });
  const offsets = new Map<string, bigint>();
  for (const topic of response.topics) for (const p of topic.partitions) if (p.errorCode === 0) offsets.set(`${topic.name}:${p.partitionIndex}`, p.offset);
  return offsets;
}

function splitKey(key: string): [string, number] {
  const separator = key.lastIndexOf(':');
  return [key.slice(0, separator), Number(key.slice(separator + 1))];
}

/** Committed offset, log end offset and lag per partition the group committed or owns. */
export async function groupLag(admin: AdminConnection, coordinator: AdminConnection, groupId: string): Promise<{ state: string; partitions: PartitionLag[] }> {
  const [{ state, owners: byPartition }, offsets] = await Promise.all([owners(coordinator, groupId), committed(coordinator, groupId)]);
  const keys = [...new Set([...offsets.keys(), ...byPartition.keys()])].sort(compareKeys);
  const ends = keys.length > 0 ? await listOffsets(admin, keys, LATEST_TIMESTAMP) : new Map<string, bigint>();
  const partitions = keys.map((key) => {
    const [topic, partition] = splitKey(key);
    const committedOffset = offsets.get(key) ?? -1n;
    const logEndOffset = ends.get(key) ?? -1n;
    const lag = committedOffset >= 0n && logEndOffset >= 0n ? logEndOffset - committedOffset : null;
    return { topic, partition, committedOffset, logEndOffset, lag, owner: byPartition.get(key) ?? '-' };
  });
  return { state, partitions };
}

function compareKeys(a: string, b: string): number {
  const [ta, pa] = splitKey(a);
  const [tb, pb] = splitKey(b);
  return ta === tb ? pa - pb : ta < tb ? -1 : 1;
}

async function describe(admin: AdminConnection, options: GroupsOptions): Promise<string[]> {
  const groupId = requireGroup(options);
  const coordinator = await coordinatorFor(admin, options.bootstrap, groupId);
  const { state, partitions } = await groupLag(admin, coordinator, groupId);
  if (coordinator !== admin) coordinator.close();
  const header = ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID'].join('\t');
  const rows = partitions.map((p) => [groupId, p.topic, p.partition, p.committedOffset >= 0n ? p.committedOffset : '-', p.logEndOffset, p.lag ?? '-', p.owner].join('\t'));
  return [`group ${groupId} is ${state}`, header, ...rows];
}

async function deleteGroup(admin: AdminConnection, options: GroupsOptions): Promise<string[]> {
  const groupId = requireGroup(options);
  const coordinator = await coordinatorFor(admin, options.bootstrap, groupId);
  const response = await coordinator.call<DeleteGroupsResponse>(API.deleteGroups, { groupsNames: [groupId] });
  if (coordinator !== admin) coordinator.close();
  check(response.results[0]!.errorCode, `deleting group ${groupId}`);
  return [`deleted group ${groupId}`];
}

function newOffset(reset: NonNullable<GroupsOptions['reset']>, current: bigint | undefined, earliest: bigint, latest: bigint): bigint {
  const wanted = reset.kind === 'earliest' ? earliest : reset.kind === 'latest' ? latest : reset.kind === 'offset' ? reset.value : (current ?? latest) + reset.value;
  return wanted < earliest ? earliest : wanted > latest ? latest : wanted;
}

async function topicPartitionKeys(admin: AdminConnection, topic: string): Promise<string[]> {
  const metadata = await admin.call<MetadataResponse>(API.metadata, {
    ...defaultMetadataRequest(), topics: [{ ...defaultMetadataRequestMetadataRequestTopic(), name: topic }], allowAutoTopicCreation: false,
  });
  const found = metadata.topics.find((t) => t.name === topic);
  if (found === undefined || found.errorCode !== 0) throw new KafkaCommandError(`topic ${topic}: ${errorCodeName(found?.errorCode ?? 3)}`);
  return found.partitions.map((p) => `${topic}:${p.partitionIndex}`).sort(compareKeys);
}

async function resetOffsets(admin: AdminConnection, options: GroupsOptions): Promise<string[]> {
  const groupId = requireGroup(options);
  if (options.topic === undefined) throw new UsageError('--topic is required');
  if (options.reset === undefined) throw new UsageError('one of --to-earliest, --to-latest, --to-offset, --shift-by is required');
  const coordinator = await coordinatorFor(admin, options.bootstrap, groupId);
  const keys = await topicPartitionKeys(admin, options.topic);
  const [earliest, latest, current] = await Promise.all([listOffsets(admin, keys, EARLIEST_TIMESTAMP), listOffsets(admin, keys, LATEST_TIMESTAMP), committed(coordinator, groupId)]);
  const plan = keys.map((key) => ({ key, offset: newOffset(options.reset!, current.get(key), earliest.get(key) ?? 0n, latest.get(key) ?? 0n) }));
  const lines = [['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'].join('\t'), ...plan.map(({ key, offset }) => [groupId, ...splitKey(key), offset].join('\t'))];
  if (options.execute) await commitPlan(coordinator, groupId, options.topic, plan);
  if (coordinator !== admin) coordinator.close();
  return options.execute ? lines : [...lines, '(dry run: add --execute to commit these offsets)'];
}

async function commitPlan(coordinator: AdminConnection, groupId: string, topic: string, plan: { key: string; offset: bigint }[]): Promise<void> {
  const response = await coordinator.call<OffsetCommitResponse>(API.offsetCommit, {
    groupId, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n,
    topics: [{ name: topic, partitions: plan.map(({ key, offset }) => ({ partitionIndex: splitKey(key)[1], committedOffset: offset, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: '' })) }],
  });
  for (const t of response.topics) for (const p of t.partitions) check(p.errorCode, `committing ${t.name}:${p.partitionIndex} for ${groupId}`);
}

/** Runs one `rill groups` subcommand; returns the lines to print. */
export async function runGroups(args: string[]): Promise<string[]> {
  const [command, ...rest] = args;
  const options = parseGroupsArgs(rest);
  const actions: Record<string, (admin: AdminConnection, options: GroupsOptions) => Promise<string[]>> = {
    list: (admin) => list(admin), describe, delete: deleteGroup, 'reset-offsets': resetOffsets,
  };
  const action = command === undefined ? undefined : actions[command];
  if (action === undefined) throw new UsageError(`unknown groups command ${command ?? '(none)'}\n${groupsUsage}`);
  const admin = await AdminConnection.open(options.bootstrap);
  try {
    return await action(admin, options);
  } finally {
    admin.close();
  }
}
