// SyncGroup (api key 14), versions 0-5. The leader's assignments are stored and handed to every
// member whole (never truncated); followers wait for the leader. v5 checks protocol type and
// name (INCONSISTENT_GROUP_PROTOCOL). REBALANCE_IN_PROGRESS when a new rebalance started.
import { defaultSyncGroupResponse, type SyncGroupRequest, type SyncGroupResponse } from '../protocol/index.js';
import type { ApiHandler } from './types.js';

export const SYNC_GROUP_KEY = 14;

export const syncGroupHandler: ApiHandler<SyncGroupRequest, SyncGroupResponse> = {
  apiKey: SYNC_GROUP_KEY,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, request, version) {
    const result = await ctx.broker.groups.classic.sync({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: version >= 3 ? request.groupInstanceId : null,
      protocolType: version >= 5 ? request.protocolType : null,
      protocolName: version >= 5 ? request.protocolName : null,
      assignments: request.assignments.map((a) => ({ memberId: a.memberId, assignment: Buffer.from(a.assignment) })),
    });
    return { ...defaultSyncGroupResponse(), ...result };
  },
};
