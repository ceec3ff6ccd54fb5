// DescribeTransactions (api key 65), version 0.
// Per transactional id: state (Kafka's names), timeout, start time, producer id/epoch and the
// partitions of the transaction; an unknown id gets TRANSACTIONAL_ID_NOT_FOUND.
import { ErrorCode } from '../protocol/error-codes.js';
import { defaultDescribeTransactionsResponse, type DescribeTransactionsRequest, type DescribeTransactionsResponse } from '../protocol/index.js';
import type { ApiHandler, BrokerState } from './types.js';

export const DESCRIBE_TRANSACTIONS_KEY = 65;

function describe(broker: BrokerState, transactionalId: string) {
  const txn = broker.txn.txns.get(transactionalId);
  if (txn === undefined || txn.state === 'Dead') {
    return { errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1n, producerId: -1n, producerEpoch: -1, topics: [] };
  }
  return {
    errorCode: ErrorCode.NONE,
    transactionalId,
    transactionState: txn.state,
    transactionTimeoutMs: txn.timeoutMs,
    transactionStartTimeMs: BigInt(txn.startMs),
    producerId: BigInt(txn.producerId),
    producerEpoch: txn.producerEpoch,
    topics: [...txn.partitions].map(([topic, partitions]) => ({ topic, partitions: [...partitions].sort((a, b) => a - b) })),
  };
}

export const describeTransactionsHandler: ApiHandler<DescribeTransactionsRequest, DescribeTransactionsResponse> = {
  apiKey: DESCRIBE_TRANSACTIONS_KEY,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, request) {
    return { ...defaultDescribeTransactionsResponse(), transactionStates: request.transactionalIds.map((id) => describe(ctx.broker, id)) };
  },
};
