// Produce (api key 0), versions 0-12.
// acks 0/1/-1 (anything else: INVALID_REQUIRED_ACKS; acks=0 is never answered); per partition:
// unknown topic or partition -> UNKNOWN_TOPIC_OR_PARTITION (Produce does not auto-create, as in
// Kafka); the records go through the topic's policy (src/protocol/records/validate-produce.ts:
// magic, CRC, counts, max.message.bytes, timestamps, keys on compacted topics, compression.type)
// and are appended with offsets assigned in place. A single node's acks=-1 equals acks=1, except
// that min.insync.replicas above 1 answers NOT_ENOUGH_REPLICAS (the ISR has one member), as Kafka.
// acks=0 with a failed partition closes the connection (Kafka's signal to such producers).
// Idempotent and transactional batches go through the partition's producer state
// (src/log/producer-state.ts): duplicates answer with their original offset, sequence gaps
// OUT_OF_ORDER_SEQUENCE_NUMBER, old epochs INVALID_PRODUCER_EPOCH, transactional batches outside
// the producer's open transaction INVALID_TXN_STATE.
import type { TopicConfig } from '../config/topic-config.js';
import { StorageError } from '../log/errors.js';
import { appendWithProducerState } from '../log/producer-state-store.js';
import { ErrorCode } from '../protocol/error-codes.js';
import {
  defaultProduceResponse,
  type ProduceRequest,
  type ProduceRequestPartitionProduceData,
  type ProduceResponse,
  type ProduceResponsePartitionProduceResponse,
} from '../protocol/index.js';
import { validateProduceRecords, type ProducePolicy, type TopicCompressionType } from '../protocol/records/validate-produce.js';
import { CloseConnection } from '../server/types.js';
import type { TopicMetadata } from './topic-store.js';
import type { ApiHandler, BrokerState } from './types.js';

export const PRODUCE_KEY = 0;

type PartitionResponse = ProduceResponsePartitionProduceResponse;

function producePolicy(config: TopicConfig): ProducePolicy {
  return {
    maxMessageBytes: config.number('max.message.bytes'),
    compacted: config.list('cleanup.policy').includes('compact'),
    timestampType: config.string('message.timestamp.type') as ProducePolicy['timestampType'],
    timestampBeforeMaxMs: config.number('message.timestamp.before.max.ms'),
    timestampAfterMaxMs: config.number('message.timestamp.after.max.ms'),
    compressionType: config.string('compression.type') as TopicCompressionType,
  };
}

function partitionError(index: number, errorCode: number, errorMessage: string | null): PartitionResponse {
  return {
    index, errorCode, errorMessage,
    baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [],
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
  };
}

/** A single node's in-sync replica set has one member. */
const ISR_SIZE = 1;

/** One topic of a Produce request: its metadata and its policy, read once for all its partitions. */
interface ProduceTarget {
  topic: TopicMetadata;
  policy: ProducePolicy;
}

async function appendPartition(
  broker: BrokerState, target: ProduceTarget, data: ProduceRequestPartitionProduceData, version: number, acks: number,
): Promise<PartitionResponse> {
  const { topic, policy } = target;
  const partitionLog = broker.logs.get(topic.name, data.index);
  if (partitionLog === undefined) return partitionError(data.index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
  const minInsyncReplicas = topic.config.number('min.insync.replicas');
  if (acks === -1 && minInsyncReplicas > ISR_SIZE) {
    return partitionError(data.index, ErrorCode.NOT_ENOUGH_REPLICAS,
      `The size of the current ISR ${ISR_SIZE} is insufficient to satisfy the min.isr requirement of ${minInsyncReplicas}`);
  }
  const validation = validateProduceRecords(data.records ?? Buffer.alloc(0), policy, { produceVersion: version, nowMs: Date.now() });
  if (!validation.ok) {
    const response = partitionError(data.index, validation.problem.errorCode, validation.problem.message);
    response.recordErrors = validation.recordErrors.map((e) => ({ batchIndex: e.batchIndex, batchIndexErrorMessage: e.message }));
    return response;
  }
  try {
    const appended = await appendWithProducerState(partitionLog, validation.recordSet, (header) => broker.txn.verifyTransactionalBatch(topic.name, data.index, header));
    if (!appended.ok) return partitionError(data.index, appended.errorCode, appended.message);
    if (!appended.duplicate) broker.logs.notifyAppend(topic.name, data.index);
    return {
      ...partitionError(data.index, ErrorCode.NONE, null),
      baseOffset: BigInt(appended.baseOffset),
      logAppendTimeMs: BigInt(validation.logAppendTimeMs),
      logStartOffset: BigInt(appended.logStartOffset),
    };
  } catch (err) {
    if (err instanceof StorageError) return partitionError(data.index, err.errorCode, err.message);
    throw err;
  }
}

function produceTopic(broker: BrokerState, name: string, partitions: ProduceRequestPartitionProduceData[], version: number, acks: number) {
  const topic = broker.topics.get(name);
  const acksValid = acks === 0 || acks === 1 || acks === -1;
  const target = topic === undefined || !acksValid ? undefined : { topic, policy: producePolicy(topic.config) };
  const results = partitions.map((data) => {
    if (!acksValid) return Promise.resolve(partitionError(data.index, ErrorCode.INVALID_REQUIRED_ACKS, 'acks must be -1, 0 or 1'));
    if (target === undefined) return Promise.resolve(partitionError(data.index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.'));
    return appendPartition(broker, target, data, version, acks);
  });
  return Promise.all(results).then((partitionResponses) => ({ name, partitionResponses }));
}

/** acks=0: nothing is sent back; on an error Kafka closes the connection so the client notices. */
function closeOnError(responses: { partitionResponses: PartitionResponse[] }[]): null {
  const failed = responses.some((t) => t.partitionResponses.some((p) => p.errorCode !== ErrorCode.NONE));
  if (failed) throw new CloseConnection('acks=0 produce failed; closing the connection as Kafka does');
  return null;
}

export const produceHandler: ApiHandler<ProduceRequest, ProduceResponse> = {
  apiKey: PRODUCE_KEY,
  minVersion: 0,
  maxVersion: 12,
  async handle(ctx, request, version) {
    const responses = await Promise.all(request.topicData.map((t) => produceTopic(ctx.broker, t.name, t.partitionData, version, request.acks)));
    if (request.acks === 0) return closeOnError(responses);
    return { ...defaultProduceResponse(), responses };
  },
};
