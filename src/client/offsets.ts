// ListOffsets: earliest, latest or by timestamp, for a set of partitions (grouped per leader).
import {
  defaultListOffsetsRequest,
  defaultListOffsetsRequestListOffsetsPartition,
  type ListOffsetsResponse,
} from '../protocol/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { Cluster } from './cluster.js';
import { ApiKey } from './connection.js';
import { KafkaError } from './errors.js';

/** Where to start reading: an offset, the log start, the log end, or the first record at/after a time. */
export type OffsetSpec = number | 'earliest' | 'latest' | { timestampMs: number };

export const LATEST_TIMESTAMP = -1n;
export const EARLIEST_TIMESTAMP = -2n;

export interface TopicPartitionSpec {
  topic: string;
  partition: number;
  spec: OffsetSpec;
}

export interface ListedOffset {
  topic: string;
  partition: number;
  /** -1 when no record has a timestamp at or after the one asked for. */
  offset: number;
  timestampMs: number;
}

function specTimestamp(spec: OffsetSpec): bigint {
  if (spec === 'earliest') return EARLIEST_TIMESTAMP;
  if (spec === 'latest') return LATEST_TIMESTAMP;
  if (typeof spec === 'object') return BigInt(spec.timestampMs);
  throw new Error('a numeric offset needs no ListOffsets');
}

async function groupByLeader(cluster: Cluster, specs: TopicPartitionSpec[]): Promise<Map<number, TopicPartitionSpec[]>> {
  const byLeader = new Map<number, TopicPartitionSpec[]>();
  for (const spec of specs) {
    const leaderId = await cluster.leaderOf(spec.topic, spec.partition);
    let list = byLeader.get(leaderId);
    if (list === undefined) byLeader.set(leaderId, (list = []));
    list.push(spec);
  }
  return byLeader;
}

function requestFor(specs: TopicPartitionSpec[], isolationLevel: number): object {
  const topics = new Map<string, { name: string; partitions: object[] }>();
  for (const { topic, partition, spec } of specs) {
    let entry = topics.get(topic);
    if (entry === undefined) topics.set(topic, (entry = { name: topic, partitions: [] }));
    entry.partitions.push({ ...defaultListOffsetsRequestListOffsetsPartition(), partitionIndex: partition, timestamp: specTimestamp(spec), maxNumOffsets: 1 });
  }
  return { ...defaultListOffsetsRequest(), replicaId: -1, isolationLevel, topics: [...topics.values()] };
}

function readResponse(response: ListOffsetsResponse): ListedOffset[] {
  const listed: ListedOffset[] = [];
  for (const topic of response.topics) {
    for (const p of topic.partitions) {
      if (p.errorCode !== ErrorCode.NONE) throw new KafkaError(p.errorCode, `ListOffsets ${topic.name}-${p.partitionIndex}`);
      const offset = p.oldStyleOffsets.length > 0 ? Number(p.oldStyleOffsets[0]) : Number(p.offset);
      listed.push({ topic: topic.name, partition: p.partitionIndex, offset, timestampMs: Number(p.timestamp) });
    }
  }
  return listed;
}

/** Resolves offset specs (numbers pass through) to offsets. isolationLevel 1 = read_committed. */
export async function listOffsets(cluster: Cluster, specs: TopicPartitionSpec[], isolationLevel = 0): Promise<ListedOffset[]> {
  const numeric = specs.filter((s) => typeof s.spec === 'number');
  const listed: ListedOffset[] = numeric.map((s) => ({ topic: s.topic, partition: s.partition, offset: s.spec as number, timestampMs: -1 }));
  const byLeader = await groupByLeader(cluster, specs.filter((s) => typeof s.spec !== 'number'));
  const answers = await Promise.all(
    [...byLeader].map(async ([leaderId, group]) => {
      const connection = await cluster.connection(leaderId);
      return readResponse(await connection.request<ListOffsetsResponse>(ApiKey.ListOffsets, requestFor(group, isolationLevel)));
    }),
  );
  return listed.concat(...answers);
}
