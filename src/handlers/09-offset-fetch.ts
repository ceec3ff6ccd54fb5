// OffsetFetch (api key 9), versions 0-9. Committed offsets of one group (v0-7) or of several
// (v8+, groups[]); topics null (v2+) means every partition the group committed. A partition
// without a committed offset answers offset -1, leader epoch -1, metadata "". v9 checks a
// KIP-848 member's id and epoch (UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH). require_stable (v7+)
// never waits here: transactional offset commits are not pending in Rill yet.
import { ErrorCode } from '../protocol/error-codes.js';
import { defaultOffsetFetchResponse, type OffsetFetchRequest, type OffsetFetchResponse } from '../protocol/index.js';
import { fetchOffsets } from '../coordinator/group/offset-ops.js';
import type { ApiHandler } from './types.js';

export const OFFSET_FETCH_KEY = 9;

export const offsetFetchHandler: ApiHandler<OffsetFetchRequest, OffsetFetchResponse> = {
  apiKey: OFFSET_FETCH_KEY,
  minVersion: 0,
  maxVersion: 9,
  handle(ctx, request, version) {
    const coordinator = ctx.broker.groups;
    if (version >= 8) {
      const groups = request.groups.map((g) => ({ groupId: g.groupId, ...fetchOffsets(coordinator, g.groupId, g.topics, { memberId: g.memberId, memberEpoch: g.memberEpoch }) }));
      return { ...defaultOffsetFetchResponse(), groups };
    }
    const topics = version >= 2 ? request.topics : request.topics ?? [];
    const fetched = fetchOffsets(coordinator, request.groupId, topics);
    return { ...defaultOffsetFetchResponse(), errorCode: version >= 2 ? fetched.errorCode : ErrorCode.NONE, topics: fetched.topics };
  },
};
