// OffsetCommit (api key 8), versions 0-9. Group checks in src/coordinator/group/offset-ops.ts:
// simple commits (generation -1, no member) to an empty or unknown group; members of a classic
// group must match member id and generation (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID,
// FENCED_INSTANCE_ID, REBALANCE_IN_PROGRESS); KIP-848 members their epoch (STALE_MEMBER_EPOCH
// from v9). The metadata string is stored as given and OffsetFetch returns it unchanged.
// Departure from Kafka: retention_time_ms (v2-4) is ignored; offsets.retention.minutes applies.
import { defaultOffsetCommitResponse, type OffsetCommitRequest, type OffsetCommitResponse } from '../protocol/index.js';
import { commitOffsets } from '../coordinator/group/offset-ops.js';
import type { ApiHandler } from './types.js';

export const OFFSET_COMMIT_KEY = 8;

export const offsetCommitHandler: ApiHandler<OffsetCommitRequest, OffsetCommitResponse> = {
  apiKey: OFFSET_COMMIT_KEY,
  minVersion: 0,
  maxVersion: 9,
  async handle(ctx, request, version) {
    const topics = await commitOffsets(ctx.broker.groups, {
      groupId: request.groupId,
      generationIdOrMemberEpoch: version >= 1 ? request.generationIdOrMemberEpoch : -1,
      memberId: version >= 1 ? request.memberId : '',
      groupInstanceId: version >= 7 ? request.groupInstanceId : null,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ ...p, commitTimestamp: version === 1 ? p.commitTimestamp : -1n, committedLeaderEpoch: version >= 6 ? p.committedLeaderEpoch : -1 })),
      })),
      version,
    });
    return { ...defaultOffsetCommitResponse(), topics };
  },
};
