// Committed offsets of a consumer group: FindCoordinator, then OffsetCommit / OffsetFetch at the
// group's coordinator. Without group membership the commit uses generation -1 and an empty
// member id, which Kafka accepts for groups with no active members ("simple" consumers).
import {
  defaultFindCoordinatorRequest,
  defaultOffsetCommitRequest,
  defaultOffsetCommitRequestOffsetCommitRequestPartition,
  defaultOffsetFetchRequest,
  type FindCoordinatorResponse,
  type OffsetCommitResponse,
  type OffsetFetchResponse,
} from '../protocol/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { Cluster } from './cluster.js';
import { ApiKey, type Connection } from './connection.js';
import { KafkaError } from './errors.js';

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: number;
  metadata?: string | null;
}

export interface GroupMembership {
  generationId: number;
  memberId: string;
}

const COORDINATOR_KEY_TYPE_GROUP = 0;

/** Opens a connection to the group's coordinator. */
export async function coordinatorConnection(cluster: Cluster, groupId: string): Promise<Connection> {
  const any = await cluster.anyConnection();
  const response = await any.request<FindCoordinatorResponse>(ApiKey.FindCoordinator, { ...defaultFindCoordinatorRequest(), key: groupId, keyType: COORDINATOR_KEY_TYPE_GROUP });
  if (response.errorCode !== ErrorCode.NONE) throw new KafkaError(response.errorCode, `FindCoordinator ${groupId}`);
  return cluster.connectionTo(response.host, response.port);
}

function byTopic<T extends { topic: string }>(items: T[]): Map<string, T[]> {
  const grouped = new Map<string, T[]>();
  for (const item of items) {
    let list = grouped.get(item.topic);
    if (list === undefined) grouped.set(item.topic, (list = []));
    list.push(item);
  }
  return grouped;
}

export async function commitOffsets(connection: Connection, groupId: string, offsets: TopicPartitionOffset[], member?: GroupMembership): Promise<void> {
  const topics = [...byTopic(offsets)].map(([name, list]) => ({
    name,
    partitions: list.map((o) => ({
      ...defaultOffsetCommitRequestOffsetCommitRequestPartition(),
      partitionIndex: o.partition,
      committedOffset: BigInt(o.offset),
      committedMetadata: o.metadata ?? null,
    })),
  }));
  const request = { ...defaultOffsetCommitRequest(), groupId, generationIdOrMemberEpoch: member?.generationId ?? -1, memberId: member?.memberId ?? '', retentionTimeMs: -1n, topics };
  const response = await connection.request<OffsetCommitResponse>(ApiKey.OffsetCommit, request);
  for (const topic of response.topics) {
    for (const p of topic.partitions) {
      if (p.errorCode !== ErrorCode.NONE) throw new KafkaError(p.errorCode, `OffsetCommit ${groupId} ${topic.name}-${p.partitionIndex}`);
    }
  }
}

/** Committed offsets (-1 where none) for the given partitions, or all the group has when topics is null. */
export async function fetchCommittedOffsets(
  connection: Connection,
  groupId: string,
  partitions: Array<{ topic: string; partition: number }> | null,
): Promise<TopicPartitionOffset[]> {
  const topics = partitions === null ? null : [...byTopic(partitions)].map(([name, list]) => ({ name, partitionIndexes: list.map((p) => p.partition) }));
  const response = await connection.request<OffsetFetchResponse>(ApiKey.OffsetFetch, { ...defaultOffsetFetchRequest(), groupId, topics });
  if (response.errorCode !== ErrorCode.NONE) throw new KafkaError(response.errorCode, `OffsetFetch ${groupId}`);
  const committed: TopicPartitionOffset[] = [];
  for (const topic of response.topics) {
    for (const p of topic.partitions) {
      if (p.errorCode !== ErrorCode.NONE) throw new KafkaError(p.errorCode, `OffsetFetch ${groupId} ${topic.name}-${p.partitionIndex}`);
      committed.push({ topic: topic.name, partition: p.partitionIndex, offset: Number(p.committedOffset), metadata: p.metadata });
    }
  }
  return committed;
}
