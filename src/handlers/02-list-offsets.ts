// ListOffsets (api key 2), versions 0-10.
// timestamp -2 earliest (log start offset), -1 latest (high watermark, or the last stable
// offset for read_committed), -3 the record with the largest timestamp (v7+), -4 earliest local
// (v8+, = earliest: no tiered storage), -5 earliest pending upload (v9+, none: -1), otherwise
// the first offset whose timestamp is >= the target (offset -1 when there is none).
// v0 answers old_style_offsets (at most max_num_offsets of them).
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, type PartitionLog } from '../log/partition-log.js';
import { lastStableOffsetOf } from '../log/producer-state-store.js';
import { ErrorCode } from '../protocol/error-codes.js';
import {
  defaultListOffsetsResponse,
  type ListOffsetsRequest,
  type ListOffsetsRequestListOffsetsPartition,
  type ListOffsetsResponse,
  type ListOffsetsResponseListOffsetsPartitionResponse,
} from '../protocol/index.js';
import type { ApiHandler, BrokerState } from './types.js';

export const LIST_OFFSETS_KEY = 2;
const READ_COMMITTED = 1;
const EARLIEST_LOCAL_TIMESTAMP = -4;
const EARLIEST_PENDING_UPLOAD_TIMESTAMP = -5;

type PartitionResponse = ListOffsetsResponseListOffsetsPartitionResponse;

function answer(partitionIndex: number, errorCode: number, offset: number, timestamp: number, leaderEpoch: number, version: number): PartitionResponse {
  return {
    partitionIndex,
    errorCode,
    oldStyleOffsets: version === 0 && offset >= 0 ? [BigInt(offset)] : [],
    timestamp: BigInt(timestamp),
    offset: BigInt(offset),
    leaderEpoch,
  };
}

function lookup(partitionLog: PartitionLog, timestamp: number, readCommitted: boolean): { offset: number; timestamp: number } {
  if (timestamp === LATEST_TIMESTAMP) return { offset: readCommitted ? lastStableOffsetOf(partitionLog) : partitionLog.highWatermark, timestamp: -1 };
  if (timestamp === EARLIEST_TIMESTAMP || timestamp === EARLIEST_LOCAL_TIMESTAMP) return { offset: partitionLog.logStartOffset, timestamp: -1 };
  if (timestamp === EARLIEST_PENDING_UPLOAD_TIMESTAMP) return { offset: -1, timestamp: -1 };
  return partitionLog.offsetForTimestamp(timestamp) ?? { offset: -1, timestamp: -1 };
}

function listPartition(
  broker: BrokerState, topicName: string, partition: ListOffsetsRequestListOffsetsPartition, readCommitted: boolean, version: number,
): PartitionResponse {
  const partitionLog = broker.topics.get(topicName) === undefined ? undefined : broker.logs.get(topicName, partition.partitionIndex);
  if (partitionLog === undefined) return answer(partition.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1, -1, version);
  const found = lookup(partitionLog, Number(partition.timestamp), readCommitted);
  if (version === 0 && partition.maxNumOffsets <= 0) return answer(partition.partitionIndex, ErrorCode.NONE, -1, -1, -1, version);
  return answer(partition.partitionIndex, ErrorCode.NONE, found.offset, found.timestamp, partitionLog.leaderEpoch, version);
}

export const listOffsetsHandler: ApiHandler<ListOffsetsRequest, ListOffsetsResponse> = {
  apiKey: LIST_OFFSETS_KEY,
  minVersion: 0,
  maxVersion: 10,
  handle(ctx, request, version) {
    const readCommitted = request.isolationLevel === READ_COMMITTED;
    const topics = request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p) => listPartition(ctx.broker, topic.name, p, readCommitted, version)),
    }));
    return { ...defaultListOffsetsResponse(), topics };
  },
};
