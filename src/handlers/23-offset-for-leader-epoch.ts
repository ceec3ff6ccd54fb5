// OffsetForLeaderEpoch (api key 23), versions 0-4: the end offset of the requested leader
// epoch from the partition's leader-epoch cache. A current_leader_epoch newer than the
// partition's is UNKNOWN_LEADER_EPOCH, an older one FENCED_LEADER_EPOCH (-1 skips the check).
import { ErrorCode } from '../protocol/error-codes.js';
import {
  defaultOffsetForLeaderEpochResponse,
  type OffsetForLeaderEpochRequest,
  type OffsetForLeaderEpochRequestOffsetForLeaderPartition,
  type OffsetForLeaderEpochResponse,
  type OffsetForLeaderEpochResponseEpochEndOffset,
} from '../protocol/index.js';
import type { ApiHandler, BrokerState } from './types.js';

export const OFFSET_FOR_LEADER_EPOCH_KEY = 23;

function failed(partition: number, errorCode: number): OffsetForLeaderEpochResponseEpochEndOffset {
  return { errorCode, partition, leaderEpoch: -1, endOffset: -1n };
}

function epochEnd(broker: BrokerState, topic: string, request: OffsetForLeaderEpochRequestOffsetForLeaderPartition): OffsetForLeaderEpochResponseEpochEndOffset {
  const partitionLog = broker.logs.get(topic, request.partition);
  if (partitionLog === undefined) return failed(request.partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (request.currentLeaderEpoch > partitionLog.leaderEpoch) return failed(request.partition, ErrorCode.UNKNOWN_LEADER_EPOCH);
  if (request.currentLeaderEpoch !== -1 && request.currentLeaderEpoch < partitionLog.leaderEpoch) {
    return failed(request.partition, ErrorCode.FENCED_LEADER_EPOCH);
  }
  const found = partitionLog.endOffsetForEpoch(request.leaderEpoch);
  return { errorCode: ErrorCode.NONE, partition: request.partition, leaderEpoch: found.epoch, endOffset: BigInt(found.endOffset) };
}

export const offsetForLeaderEpochHandler: ApiHandler<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse> = {
  apiKey: OFFSET_FOR_LEADER_EPOCH_KEY,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, request) {
    const topics = request.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => epochEnd(ctx.broker, t.topic, p)) }));
    return { ...defaultOffsetForLeaderEpochResponse(), topics };
  },
};
