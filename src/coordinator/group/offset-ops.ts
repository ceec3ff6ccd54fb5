// OffsetCommit, OffsetFetch and OffsetDelete against the coordinator's groups and offset store.
// Commit checks follow Kafka: a classic group accepts a simple commit (generation < 0) only while
// Empty; otherwise member id (UNKNOWN_MEMBER_ID), instance id (FENCED_INSTANCE_ID) and
// generation (ILLEGAL_GENERATION; REBALANCE_IN_PROGRESS while CompletingRebalance) must match;
// a KIP-848 group checks the member epoch (STALE_MEMBER_EPOCH). Partitions of unknown topics
// get UNKNOWN_TOPIC_OR_PARTITION; metadata above offset.metadata.max.bytes gets
// OFFSET_METADATA_TOO_LARGE. The response waits for the __consumer_offsets append.
import { ErrorCode } from '../../protocol/error-codes.js';
import type { RecordInput } from '../../accel/types.js';
import type { ClassicGroup } from './classic-group.js';
import type { ConsumerGroup } from './consumer-group.js';
import type { GroupCoordinator } from './coordinator.js';
import { encodeOffsetKey, encodeOffsetValue, type CommittedOffset } from './offsets-records.js';

export interface CommitPartition {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch: number;
  /** -1: now. */
  commitTimestamp: bigint;
  committedMetadata: string | null;
}

export interface CommitRequest {
  groupId: string;
  generationIdOrMemberEpoch: number;
  memberId: string;
  groupInstanceId: string | null;
  topics: { name: string; partitions: CommitPartition[] }[];
  /** OffsetCommit v9+ (KIP-848 epochs). */
  version: number;
}

export interface PartitionErrorTopic {
  name: string;
  partitions: { partitionIndex: number; errorCode: number }[];
}

export interface FetchedPartition {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}

export interface FetchedGroup {
  errorCode: number;
  topics: { name: string; partitions: FetchedPartition[] }[];
}

function validateClassicCommit(group: ClassicGroup, req: CommitRequest): number {
  if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (req.generationIdOrMemberEpoch < 0 && group.state === 'Empty') return ErrorCode.NONE;
  if (group.isStaticMemberFenced(req.groupInstanceId, req.memberId)) return ErrorCode.FENCED_INSTANCE_ID;
  if (!group.members.has(req.memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
  if (group.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
  if (req.generationIdOrMemberEpoch !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  return ErrorCode.NONE;
}

function validateConsumerCommit(group: ConsumerGroup, req: CommitRequest): number {
  if (req.generationIdOrMemberEpoch < 0 && req.memberId === '' && group.members.size === 0) return ErrorCode.NONE;
  const member = group.members.get(req.memberId);
  if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
  const epoch = req.generationIdOrMemberEpoch;
  if (epoch === member.memberEpoch || epoch === member.previousMemberEpoch) return ErrorCode.NONE;
  if (req.version >= 9) return ErrorCode.STALE_MEMBER_EPOCH;
  return ErrorCode.ILLEGAL_GENERATION;
}

/** The group-level error for a commit, creating an empty classic group for a simple commit. */
function validateCommit(coordinator: GroupCoordinator, req: CommitRequest): number {
  if (req.groupId === '') return ErrorCode.INVALID_GROUP_ID;
  const group = coordinator.groups.get(req.groupId);
  if (group === undefined) {
    if (req.generationIdOrMemberEpoch >= 0 || req.memberId !== '') return ErrorCode.ILLEGAL_GENERATION;
    coordinator.createClassicGroup(req.groupId);
    return ErrorCode.NONE;
  }
  return group.kind === 'classic' ? validateClassicCommit(group, req) : validateConsumerCommit(group, req);
}

function partitionCheck(coordinator: GroupCoordinator, topicName: string, partition: CommitPartition): number {
  const topic = coordinator.deps.topics.get(topicName);
  if (topic === undefined || partition.partitionIndex < 0 || partition.partitionIndex >= topic.partitionCount) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  const metadata = partition.committedMetadata ?? '';
  if (Buffer.byteLength(metadata) > coordinator.config.number('offset.metadata.max.bytes')) return ErrorCode.OFFSET_METADATA_TOO_LARGE;
  return ErrorCode.NONE;
}

function committedValue(partition: CommitPartition, nowMs: number): CommittedOffset {
  return {
    offset: partition.committedOffset,
    leaderEpoch: partition.committedLeaderEpoch,
    metadata: partition.committedMetadata ?? '',
    commitTimestampMs: partition.commitTimestamp >= 0n ? Number(partition.commitTimestamp) : nowMs,
    expireTimestampMs: -1,
  };
}

function allWithError(req: CommitRequest, errorCode: number): PartitionErrorTopic[] {
  return req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) }));
}

export async function commitOffsets(coordinator: GroupCoordinator, req: CommitRequest): Promise<PartitionErrorTopic[]> {
  const groupError = validateCommit(coordinator, req);
  if (groupError !== ErrorCode.NONE) return allWithError(req, groupError);
  const nowMs = Date.now();
  const accepted: { topic: string; partition: number; value: CommittedOffset }[] = [];
  const results = req.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => {
      const errorCode = partitionCheck(coordinator, t.name, p);
      if (errorCode === ErrorCode.NONE) accepted.push({ topic: t.name, partition: p.partitionIndex, value: committedValue(p, nowMs) });
      return { partitionIndex: p.partitionIndex, errorCode };
    }),
  }));
  const records: RecordInput[] = accepted.map((a) => ({ key: encodeOffsetKey(req.groupId, a.topic, a.partition), value: encodeOffsetValue(a.value) }));
  try {
    await coordinator.offsetsTopic.append(req.groupId, records);
  } catch (err) {
    coordinator.log(`rill: offset commit for group ${req.groupId} failed: ${String(err)}`);
    return allWithError(req, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  }
  for (const a of accepted) coordinator.offsets.set(req.groupId, a.topic, a.partition, a.value);
  return results;
}

// ---- OffsetFetch ----------------------------------------------------------------------------

function fetchedPartition(coordinator: GroupCoordinator, groupId: string, topic: string, partitionIndex: number): FetchedPartition {
  const value = coordinator.offsets.get(groupId, topic, partitionIndex);
  if (value === undefined) return { partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE };
  return { partitionIndex, committedOffset: value.offset, committedLeaderEpoch: value.leaderEpoch, metadata: value.metadata, errorCode: ErrorCode.NONE };
}

function validateFetchMember(coordinator: GroupCoordinator, groupId: string, member: { memberId: string | null; memberEpoch: number } | undefined): number {
  if (member === undefined || member.memberId === null || member.memberId === '') return ErrorCode.NONE;
  const group = coordinator.groups.get(groupId);
  if (group === undefined) return ErrorCode.GROUP_ID_NOT_FOUND;
  if (group.kind !== 'consumer') return ErrorCode.NONE;
  const current = group.members.get(member.memberId);
  if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
  if (member.memberEpoch >= 0 && member.memberEpoch !== current.memberEpoch) return ErrorCode.STALE_MEMBER_EPOCH;
  return ErrorCode.NONE;
}

/** Offsets of the asked topics/partitions, or of every committed partition when topics is null. */
export function fetchOffsets(
  coordinator: GroupCoordinator,
  groupId: string,
  topics: { name: string; partitionIndexes: number[] }[] | null,
  member?: { memberId: string | null; memberEpoch: number },
): FetchedGroup {
  const memberError = validateFetchMember(coordinator, groupId, member);
  if (memberError !== ErrorCode.NONE) return { errorCode: memberError, topics: [] };
  if (topics !== null) {
    return { errorCode: ErrorCode.NONE, topics: topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => fetchedPartition(coordinator, groupId, t.name, p)) })) };
  }
  const all = [...coordinator.offsets.topicsOf(groupId)].map(([name, partitions]) => ({
    name,
    partitions: [...partitions.keys()].sort((a, b) => a - b).map((p) => fetchedPartition(coordinator, groupId, name, p)),
  }));
  return { errorCode: ErrorCode.NONE, topics: all };
}

// ---- OffsetDelete ---------------------------------------------------------------------------

function subscribedTopicsOf(coordinator: GroupCoordinator, groupId: string): Set<string> | 'non-consumer' {
  const group = coordinator.groups.get(groupId)!;
  if (group.kind === 'consumer') return group.subscribedTopics();
  if (group.state === 'Empty') return new Set();
  if (group.protocolType !== 'consumer') return 'non-consumer';
  return subscribedTopicsOfClassic(coordinator, group);
}

function subscribedTopicsOfClassic(coordinator: GroupCoordinator, group: ClassicGroup): Set<string> {
  const topics = new Set<string>();
  for (const member of group.members.values()) {
    for (const topic of coordinator.consumer.decodeSubscribedTopics(group.metadataFor(member, group.protocolName))) topics.add(topic);
  }
  return topics;
}

/** Deletes committed offsets of topics the group does not subscribe to. */
export async function deleteOffsets(
  coordinator: GroupCoordinator,
  groupId: string,
  topics: { name: string; partitions: { partitionIndex: number }[] }[],
): Promise<{ errorCode: number; topics: PartitionErrorTopic[] }> {
  if (!coordinator.groups.has(groupId)) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] };
  const subscribed = subscribedTopicsOf(coordinator, groupId);
  if (subscribed === 'non-consumer') return { errorCode: ErrorCode.NON_EMPTY_GROUP, topics: [] };
  const doomed: { topic: string; partition: number }[] = [];
  const results = topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => {
      if (coordinator.deps.topics.get(t.name) === undefined) return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
      if (subscribed.has(t.name)) return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
      if (coordinator.offsets.get(groupId, t.name, p.partitionIndex) !== undefined) doomed.push({ topic: t.name, partition: p.partitionIndex });
      return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE };
    }),
  }));
  try {
    await coordinator.offsetsTopic.append(groupId, doomed.map((d) => ({ key: encodeOffsetKey(groupId, d.topic, d.partition), value: null })));
  } catch (err) {
    coordinator.log(`rill: deleting offsets of group ${groupId} failed: ${String(err)}`);
    return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, topics: [] };
  }
  for (const d of doomed) coordinator.offsets.delete(groupId, d.topic, d.partition);
  return { errorCode: ErrorCode.NONE, topics: results };
}
