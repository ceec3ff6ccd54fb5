// Heartbeat (api key 12), versions 0-4. Keeps a classic member's session alive;
// REBALANCE_IN_PROGRESS tells it to rejoin, ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID /
// FENCED_INSTANCE_ID that it is out of the group.
import { defaultHeartbeatResponse, type HeartbeatRequest, type HeartbeatResponse } from '../protocol/index.js';
import type { ApiHandler } from './types.js';

export const HEARTBEAT_KEY = 12;

export const heartbeatHandler: ApiHandler<HeartbeatRequest, HeartbeatResponse> = {
  apiKey: HEARTBEAT_KEY,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, request, version) {
    const errorCode = ctx.broker.groups.classic.heartbeat({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: version >= 3 ? request.groupInstanceId : null,
    });
    return { ...defaultHeartbeatResponse(), errorCode };
  },
};
