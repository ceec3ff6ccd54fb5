// AddPartitionsToTxn (api key 24), versions 0-5.
// v0-3 (clients): one transaction; v4+ (brokers): a batch of transactions, each optionally
// verify_only (KIP-890: answer whether the partitions are already in the open transaction,
// INVALID_TXN_STATE for those that are not, without adding them). Unknown topics/partitions get
// UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED, as in Kafka; a transaction
// error (INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED, CONCURRENT_TRANSACTIONS) is given for
// every partition. PRODUCER_FENCED is INVALID_PRODUCER_EPOCH before v2.
import { fencedForVersion } from '../coordinator/txn/errors.js';
import { ErrorCode } from '../protocol/error-codes.js';
import {
  defaultAddPartitionsToTxnResponse,
  type AddPartitionsToTxnRequest,
  type AddPartitionsToTxnRequestAddPartitionsToTxnTopic,
  type AddPartitionsToTxnResponse,
  type AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult,
} from '../protocol/index.js';
import type { ApiHandler, BrokerState } from './types.js';

export const ADD_PARTITIONS_TO_TXN_KEY = 24;
const BATCHED_MIN_VERSION = 4;
const PRODUCER_FENCED_MIN_VERSION = 2;

interface TxnInput {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  verifyOnly: boolean;
  topics: AddPartitionsToTxnRequestAddPartitionsToTxnTopic[];
}

type TopicResult = AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult;

function flatten(topics: AddPartitionsToTxnRequestAddPartitionsToTxnTopic[]): { topic: string; partition: number }[] {
  return topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })));
}

function resultsBy(topics: AddPartitionsToTxnRequestAddPartitionsToTxnTopic[], codeOf: (topic: string, partition: number, index: number) => number): TopicResult[] {
  let index = 0;
  return topics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: codeOf(t.name, p, index++) })) }));
}

function unknownPartitions(broker: BrokerState, topics: AddPartitionsToTxnRequestAddPartitionsToTxnTopic[]): Set<string> {
  const unknown = new Set<string>();
  for (const { topic, partition } of flatten(topics)) {
    const metadata = broker.topics.get(topic);
    if (metadata === undefined || partition < 0 || partition >= metadata.partitionCount) unknown.add(`${topic}\u0000${partition}`);
  }
  return unknown;
}

async function handleTxn(broker: BrokerState, input: TxnInput, version: number): Promise<TopicResult[]> {
  const unknown = unknownPartitions(broker, input.topics);
  if (unknown.size > 0) {
    return resultsBy(input.topics, (t, p) => (unknown.has(`${t}\u0000${p}`) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED));
  }
  const partitions = flatten(input.topics);
  const producerId = Number(input.producerId);
  if (input.verifyOnly) {
    const verified = broker.txn.verifyPartitions(input.transactionalId, producerId, input.producerEpoch, partitions);
    if (verified.errorCode !== ErrorCode.NONE) return resultsBy(input.topics, () => verified.errorCode);
    const present = (verified as { value: boolean[] }).value;
    return resultsBy(input.topics, (_t, _p, i) => (present[i] ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE));
  }
  const added = await broker.txn.addPartitions(input.transactionalId, producerId, input.producerEpoch, partitions);
  const errorCode = fencedForVersion(added.errorCode, version, PRODUCER_FENCED_MIN_VERSION);
  return resultsBy(input.topics, () => errorCode);
}

export const addPartitionsToTxnHandler: ApiHandler<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse> = {
  apiKey: ADD_PARTITIONS_TO_TXN_KEY,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, request, version) {
    if (version < BATCHED_MIN_VERSION) {
      const input = { transactionalId: request.v3AndBelowTransactionalId, producerId: request.v3AndBelowProducerId, producerEpoch: request.v3AndBelowProducerEpoch, verifyOnly: false, topics: request.v3AndBelowTopics };
      return { ...defaultAddPartitionsToTxnResponse(), resultsByTopicV3AndBelow: await handleTxn(ctx.broker, input, version) };
    }
    const resultsByTransaction = [];
    for (const txn of request.transactions) {
      resultsByTransaction.push({ transactionalId: txn.transactionalId, topicResults: await handleTxn(ctx.broker, txn, version) });
    }
    return { ...defaultAddPartitionsToTxnResponse(), errorCode: ErrorCode.NONE, resultsByTransaction };
  },
};
