// WriteTxnMarkers (api key 27), versions 1 (v0 was removed in Kafka 4.0).
// The coordinator's request to partition leaders: per marker and partition, append a
// commit/abort control batch for the producer. Unknown partitions get
// UNKNOWN_TOPIC_OR_PARTITION; a marker older than the producer's epoch INVALID_PRODUCER_EPOCH.
// Rill's own coordinator writes markers directly; this serves other coordinators and tools.
import { appendMarker } from '../log/producer-state-store.js';
import { StorageError } from '../log/errors.js';
import { ErrorCode } from '../protocol/error-codes.js';
import {
  defaultWriteTxnMarkersResponse,
  type WriteTxnMarkersRequest,
  type WriteTxnMarkersRequestWritableTxnMarker,
  type WriteTxnMarkersResponse,
} from '../protocol/index.js';
import { buildControlBatch } from '../protocol/records/index.js';
import type { ApiHandler, BrokerState } from './types.js';

export const WRITE_TXN_MARKERS_KEY = 27;

async function writeOne(broker: BrokerState, marker: WritableMarker, topic: string, partition: number): Promise<number> {
  const partitionLog = broker.topics.get(topic) === undefined ? undefined : broker.logs.get(topic, partition);
  if (partitionLog === undefined) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  const producerId = Number(marker.producerId);
  const commit = marker.transactionResult;
  const batch = buildControlBatch({ marker: commit ? 'commit' : 'abort', producerId, producerEpoch: marker.producerEpoch, coordinatorEpoch: marker.coordinatorEpoch });
  try {
    const errorCode = await appendMarker(partitionLog, batch, { producerId, producerEpoch: marker.producerEpoch, commit, coordinatorEpoch: marker.coordinatorEpoch });
    broker.logs.notifyAppend(topic, partition);
    return errorCode;
  } catch (err) {
    if (err instanceof StorageError) return err.errorCode;
    throw err;
  }
}

type WritableMarker = WriteTxnMarkersRequestWritableTxnMarker;

async function writeMarker(broker: BrokerState, marker: WritableMarker) {
  const topics = [];
  for (const topic of marker.topics) {
    const partitions = [];
    for (const partitionIndex of topic.partitionIndexes) partitions.push({ partitionIndex, errorCode: await writeOne(broker, marker, topic.name, partitionIndex) });
    topics.push({ name: topic.name, partitions });
  }
  return { producerId: marker.producerId, topics };
}

export const writeTxnMarkersHandler: ApiHandler<WriteTxnMarkersRequest, WriteTxnMarkersResponse> = {
  apiKey: WRITE_TXN_MARKERS_KEY,
  minVersion: 1,
  maxVersion: 1,
  async handle(ctx, request) {
    const markers = [];
    for (const marker of request.markers) markers.push(await writeMarker(ctx.broker, marker));
    return { ...defaultWriteTxnMarkersResponse(), markers };
  },
};
