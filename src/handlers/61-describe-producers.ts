// DescribeProducers (api key 61), version 0.
// The active producers of each asked partition from its producer state: id, epoch, last
// sequence, last timestamp, coordinator epoch, and the first offset of the open transaction (or
// -1). Unknown topics/partitions get UNKNOWN_TOPIC_OR_PARTITION.
import { producerStateOf } from '../log/producer-state-store.js';
import { ErrorCode } from '../protocol/error-codes.js';
import {
  defaultDescribeProducersResponse,
  type DescribeProducersRequest,
  type DescribeProducersResponse,
  type DescribeProducersResponsePartitionResponse,
} from '../protocol/index.js';
import type { ApiHandler, BrokerState } from './types.js';

export const DESCRIBE_PRODUCERS_KEY = 61;

async function describePartition(broker: BrokerState, topic: string, partitionIndex: number): Promise<DescribeProducersResponsePartitionResponse> {
  const partitionLog = broker.topics.get(topic) === undefined ? undefined : broker.logs.get(topic, partitionIndex);
  if (partitionLog === undefined) {
    return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.', activeProducers: [] };
  }
  const state = await producerStateOf(partitionLog);
  const activeProducers = [...state.producers.values()].map((entry) => ({
    producerId: BigInt(entry.producerId),
    producerEpoch: entry.producerEpoch,
    lastSequence: entry.batches[entry.batches.length - 1]?.lastSeq ?? -1,
    lastTimestamp: BigInt(entry.lastTimestampMs),
    coordinatorEpoch: entry.coordinatorEpoch,
    currentTxnStartOffset: BigInt(entry.currentTxnFirstOffset),
  }));
  return { partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers };
}

export const describeProducersHandler: ApiHandler<DescribeProducersRequest, DescribeProducersResponse> = {
  apiKey: DESCRIBE_PRODUCERS_KEY,
  minVersion: 0,
  maxVersion: 0,
  async handle(ctx, request) {
    const topics = [];
    for (const t of request.topics) {
      const partitions = [];
      for (const p of t.partitionIndexes) partitions.push(await describePartition(ctx.broker, t.name, p));
      topics.push({ name: t.name, partitions });
    }
    return { ...defaultDescribeProducersResponse(), topics };
  },
};
