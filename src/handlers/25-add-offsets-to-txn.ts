// AddOffsetsToTxn (api key 25), versions 0-4.
// Adds the group's __consumer_offsets partition to the producer's transaction (so
// TxnOffsetCommit may follow). Errors as AddPartitionsToTxn: INVALID_PRODUCER_ID_MAPPING,
// PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before v2), CONCURRENT_TRANSACTIONS; an empty group id
// is INVALID_GROUP_ID.
import { fencedForVersion } from '../coordinator/txn/errors.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { defaultAddOffsetsToTxnResponse, type AddOffsetsToTxnRequest, type AddOffsetsToTxnResponse } from '../protocol/index.js';
import type { ApiHandler } from './types.js';

export const ADD_OFFSETS_TO_TXN_KEY = 25;
const PRODUCER_FENCED_MIN_VERSION = 2;

export const addOffsetsToTxnHandler: ApiHandler<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse> = {
  apiKey: ADD_OFFSETS_TO_TXN_KEY,
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, request, version) {
    if (request.groupId === '') return { ...defaultAddOffsetsToTxnResponse(), errorCode: ErrorCode.INVALID_GROUP_ID };
    const result = await ctx.broker.txn.addOffsets(request.transactionalId, Number(request.producerId), request.producerEpoch, request.groupId);
    return { ...defaultAddOffsetsToTxnResponse(), errorCode: fencedForVersion(result.errorCode, version, PRODUCER_FENCED_MIN_VERSION) };
  },
};
