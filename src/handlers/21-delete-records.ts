// DeleteRecords (api key 21), versions 0-2: moves each partition's log start offset up to the
// given offset (-1 = the high watermark); segments wholly below it are deleted. An offset above
// the high watermark is OFFSET_OUT_OF_RANGE. The answer's low watermark is the new log start.
import { StorageError } from '../log/errors.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { defaultDeleteRecordsResponse, type DeleteRecordsRequest, type DeleteRecordsResponse } from '../protocol/index.js';
import type { ApiHandler, BrokerState } from './types.js';

export const DELETE_RECORDS_KEY = 21;
const HIGH_WATERMARK = -1;

function deleteBefore(broker: BrokerState, topic: string, partitionIndex: number, offset: bigint) {
  const partitionLog = broker.logs.get(topic, partitionIndex);
  if (partitionLog === undefined) return { partitionIndex, lowWatermark: -1n, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
  const target = Number(offset) === HIGH_WATERMARK ? partitionLog.highWatermark : Number(offset);
  try {
    return { partitionIndex, lowWatermark: BigInt(partitionLog.deleteRecordsBefore(target)), errorCode: ErrorCode.NONE };
  } catch (err) {
    if (err instanceof StorageError) return { partitionIndex, lowWatermark: -1n, errorCode: err.errorCode };
    throw err;
  }
}

export const deleteRecordsHandler: ApiHandler<DeleteRecordsRequest, DeleteRecordsResponse> = {
  apiKey: DELETE_RECORDS_KEY,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, request) {
    const topics = request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p) => deleteBefore(ctx.broker, topic.name, p.partitionIndex, p.offset)),
    }));
    return { ...defaultDeleteRecordsResponse(), topics };
  },
};
