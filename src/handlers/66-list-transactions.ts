// ListTransactions (api key 66), versions 0-1.
// Every transactional id, filtered by state names (unknown names come back in
// unknown_state_filters), producer ids, and (v1) duration: only transactions running longer than
// duration_filter ms (-1: no filter).
import { ErrorCode } from '../protocol/error-codes.js';
import { defaultListTransactionsResponse, type ListTransactionsRequest, type ListTransactionsResponse } from '../protocol/index.js';
import type { ApiHandler } from './types.js';

export const LIST_TRANSACTIONS_KEY = 66;
const STATES = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence'];

export const listTransactionsHandler: ApiHandler<ListTransactionsRequest, ListTransactionsResponse> = {
  apiKey: LIST_TRANSACTIONS_KEY,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, request) {
    const states = new Set(request.stateFilters);
    const producerIds = new Set(request.producerIdFilters.map(Number));
    const durationMs = Number(request.durationFilter ?? -1n);
    const nowMs = Date.now();
    const transactionStates = [...ctx.broker.txn.txns.values()]
      .filter((t) => states.size === 0 || states.has(t.state))
      .filter((t) => producerIds.size === 0 || producerIds.has(t.producerId))
      .filter((t) => durationMs < 0 || (t.state === 'Ongoing' && nowMs - t.startMs > durationMs))
      .map((t) => ({ transactionalId: t.transactionalId, producerId: BigInt(t.producerId), transactionState: t.state }));
    const unknownStateFilters = request.stateFilters.filter((s) => !STATES.includes(s));
    return { ...defaultListTransactionsResponse(), errorCode: ErrorCode.NONE, unknownStateFilters, transactionStates };
  },
};
