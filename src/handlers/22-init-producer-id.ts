// InitProducerId (api key 22), versions 0-5.
// Without a transactional id: a fresh producer id (epoch 0) from a durably reserved block, for
// idempotent producers (Kafka ignores a passed id/epoch here too). With one: the transaction
// coordinator bumps the epoch (KIP-360: a passed id/epoch must be the current or the one just
// replaced, else PRODUCER_FENCED / INVALID_PRODUCER_ID_MAPPING), aborting an open transaction
// first; timeouts outside (0, transaction.max.timeout.ms] get INVALID_TRANSACTION_TIMEOUT.
// Departure: a fenced open transaction is aborted before answering (Kafka answers
// CONCURRENT_TRANSACTIONS and the client retries). PRODUCER_FENCED is INVALID_PRODUCER_EPOCH
// before v4.
import { fencedForVersion } from '../coordinator/txn/errors.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { defaultInitProducerIdResponse, type InitProducerIdRequest, type InitProducerIdResponse } from '../protocol/index.js';
import type { ApiHandler } from './types.js';

export const INIT_PRODUCER_ID_KEY = 22;
const PRODUCER_FENCED_MIN_VERSION = 4;

export const initProducerIdHandler: ApiHandler<InitProducerIdRequest, InitProducerIdResponse> = {
  apiKey: INIT_PRODUCER_ID_KEY,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, request, version) {
    const result = await ctx.broker.txn.initProducerId({
      transactionalId: request.transactionalId,
      transactionTimeoutMs: request.transactionTimeoutMs,
      producerId: Number(request.producerId),
      producerEpoch: request.producerEpoch,
    });
    if (result.errorCode !== ErrorCode.NONE) {
      return { ...defaultInitProducerIdResponse(), errorCode: fencedForVersion(result.errorCode, version, PRODUCER_FENCED_MIN_VERSION), producerId: -1n, producerEpoch: -1 };
    }
    const { producerId, producerEpoch } = (result as { value: { producerId: number; producerEpoch: number } }).value;
    return { ...defaultInitProducerIdResponse(), errorCode: ErrorCode.NONE, producerId: BigInt(producerId), producerEpoch };
  },
};
