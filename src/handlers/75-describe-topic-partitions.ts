// DescribeTopicPartitions (api key 75), version 0 (KIP-966): topics by name (all when the list
// is empty), sorted by name, paged by response_partition_limit with a cursor. Unknown topics:
// UNKNOWN_TOPIC_OR_PARTITION. No eligible leader replicas on a single node (empty lists).
import { ErrorCode } from '../protocol/error-codes.js';
import {
  defaultDescribeTopicPartitionsResponse,
  type DescribeTopicPartitionsRequest,
  type DescribeTopicPartitionsResponse,
  type DescribeTopicPartitionsResponseDescribeTopicPartitionsResponseTopic as TopicEntry,
} from '../protocol/index.js';
import { isInternalTopic } from './topic-names.js';
import type { ApiHandler, BrokerState } from './types.js';

export const DESCRIBE_TOPIC_PARTITIONS_KEY = 75;
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
/** Kafka's max.request.partition.size.limit default. */
const PARTITION_LIMIT_MAX = 2000;

function topicNames(broker: BrokerState, request: DescribeTopicPartitionsRequest): string[] {
  const names = request.topics.length === 0 ? broker.topics.list().map((t) => t.name) : request.topics.map((t) => t.name);
  const unique = [...new Set(names)].sort();
  const cursor = request.cursor;
  return cursor === null ? unique : unique.filter((name) => name >= cursor.topicName);
}

function entryFor(broker: BrokerState, name: string, firstPartition: number, budget: { left: number }): { entry: TopicEntry; next: number | null } {
  const topic = broker.topics.get(name);
  if (topic === undefined) {
    const entry = { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, topicId: ZERO_UUID, isInternal: false, partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED };
    return { entry, next: null };
  }
  const partitions = [];
  let index = firstPartition;
  for (; index < topic.partitionCount && budget.left > 0; index++, budget.left--) {
    partitions.push({
      errorCode: ErrorCode.NONE, partitionIndex: index, leaderId: broker.nodeId, leaderEpoch: broker.logs.get(name, index)?.leaderEpoch ?? 0,
      replicaNodes: [broker.nodeId], isrNodes: [broker.nodeId], eligibleLeaderReplicas: [], lastKnownElr: [], offlineReplicas: [],
    });
  }
  const entry = { errorCode: ErrorCode.NONE, name, topicId: topic.topicId, isInternal: isInternalTopic(name), partitions, topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED };
  return { entry, next: index < topic.partitionCount ? index : null };
}

export const describeTopicPartitionsHandler: ApiHandler<DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse> = {
  apiKey: DESCRIBE_TOPIC_PARTITIONS_KEY,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, request) {
    const budget = { left: Math.max(1, Math.min(request.responsePartitionLimit, PARTITION_LIMIT_MAX)) };
    const topics: TopicEntry[] = [];
    let nextCursor: DescribeTopicPartitionsResponse['nextCursor'] = null;
    for (const name of topicNames(ctx.broker, request)) {
      if (budget.left === 0) {
        nextCursor = { topicName: name, partitionIndex: 0 };
        break;
      }
      const first = request.cursor !== null && name === request.cursor.topicName ? request.cursor.partitionIndex : 0;
      const { entry, next } = entryFor(ctx.broker, name, first, budget);
      topics.push(entry);
      if (next !== null) {
        nextCursor = { topicName: name, partitionIndex: next };
        break;
      }
    }
    return { ...defaultDescribeTopicPartitionsResponse(), topics, nextCursor };
  },
};
