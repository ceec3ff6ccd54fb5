// OffsetFetch (api key 9), versions 0-9. Committed offsets of one group (v0-7) or of several
// (v8+, groups[]); topics null (v2+) means every partition the group committed. A partition
// without a committed offset answers offset -1, leader epoch -1, metadata "". v9 checks a
// KIP-848 member's id and epoch (UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH). require_stable (v7+):
// a partition with a transactional offset commit still pending in an open transaction answers
// UNSTABLE_OFFSET_COMMIT (offset -1) so the client retries, as in Kafka.
import { ErrorCode } from '../protocol/error-codes.js';
import { defaultOffsetFetchResponse, type OffsetFetchRequest, type OffsetFetchResponse } from '../protocol/index.js';
import { fetchOffsets, type FetchedGroup } from '../coordinator/group/offset-ops.js';
import type { ApiHandler, BrokerState } from './types.js';

export const OFFSET_FETCH_KEY = 9;

/** "topic:partition" of offsets the group has pending in open transactions. */
function pendingTransactional(broker: BrokerState, groupId: string): Set<string> {
  const pending = new Set<string>();
  for (const txn of broker.txn.txns.values()) {
    for (const offset of txn.pendingOffsets.get(groupId) ?? []) pending.add(`${offset.topic}:${offset.partition}`);
  }
  return pending;
}

function markUnstable(broker: BrokerState, groupId: string, fetched: FetchedGroup): FetchedGroup {
  const pending = pendingTransactional(broker, groupId);
  if (pending.size === 0) return fetched;
  for (const topic of fetched.topics) {
    for (const p of topic.partitions) {
      if (!pending.has(`${topic.name}:${p.partitionIndex}`)) continue;
      Object.assign(p, { errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '' });
    }
  }
  return fetched;
}

export const offsetFetchHandler: ApiHandler<OffsetFetchRequest, OffsetFetchResponse> = {
  apiKey: OFFSET_FETCH_KEY,
  minVersion: 0,
  maxVersion: 9,
  handle(ctx, request, version) {
    const coordinator = ctx.broker.groups;
    const stable = (groupId: string, fetched: FetchedGroup) => (version >= 7 && request.requireStable ? markUnstable(ctx.broker, groupId, fetched) : fetched);
    if (version >= 8) {
      const groups = request.groups.map((g) => ({ groupId: g.groupId, ...stable(g.groupId, fetchOffsets(coordinator, g.groupId, g.topics, { memberId: g.memberId, memberEpoch: g.memberEpoch })) }));
      return { ...defaultOffsetFetchResponse(), groups };
    }
    const topics = version >= 2 ? request.topics : request.topics ?? [];
    const fetched = stable(request.groupId, fetchOffsets(coordinator, request.groupId, topics));
    return { ...defaultOffsetFetchResponse(), errorCode: version >= 2 ? fetched.errorCode : ErrorCode.NONE, topics: fetched.topics };
  },
};
