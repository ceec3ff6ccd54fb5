// EndTxn (api key 26), versions 0-4.
// Ongoing -> PrepareCommit/PrepareAbort (durable) -> pending offsets (commit) -> a marker on every
// partition of the transaction -> CompleteCommit/CompleteAbort, then the answer. A retry of a
// completed EndTxn with the same result succeeds; the other result, or Empty, is
// INVALID_TXN_STATE. PRODUCER_FENCED is INVALID_PRODUCER_EPOCH before v2.
// Departure: Kafka answers after Prepare and writes markers afterwards; Rill answers when the
// markers are written (the outcome seen by clients is the same, without CONCURRENT_TRANSACTIONS
// retries for the next transaction).
import { fencedForVersion } from '../coordinator/txn/errors.js';
import { defaultEndTxnResponse, type EndTxnRequest, type EndTxnResponse } from '../protocol/index.js';
import type { ApiHandler } from './types.js';

export const END_TXN_KEY = 26;
const PRODUCER_FENCED_MIN_VERSION = 2;

export const endTxnHandler: ApiHandler<EndTxnRequest, EndTxnResponse> = {
  apiKey: END_TXN_KEY,
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, request, version) {
    const result = await ctx.broker.txn.endTxn(request.transactionalId, Number(request.producerId), request.producerEpoch, request.committed);
    return { ...defaultEndTxnResponse(), errorCode: fencedForVersion(result.errorCode, version, PRODUCER_FENCED_MIN_VERSION), producerId: -1n, producerEpoch: -1 };
  },
};
