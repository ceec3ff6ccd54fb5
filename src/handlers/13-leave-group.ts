// LeaveGroup (api key 13), versions 0-5. v0-2: one member id, its error at top level. v3+:
// a batch of members (member id and/or group instance id) with an error per member:
// UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID when the instance now has another member id.
import { ErrorCode } from '../protocol/error-codes.js';
import { defaultLeaveGroupResponse, type LeaveGroupRequest, type LeaveGroupResponse } from '../protocol/index.js';
import type { ApiHandler } from './types.js';

export const LEAVE_GROUP_KEY = 13;

export const leaveGroupHandler: ApiHandler<LeaveGroupRequest, LeaveGroupResponse> = {
  apiKey: LEAVE_GROUP_KEY,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, request, version) {
    const identities = version >= 3
      ? request.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId }))
      : [{ memberId: request.memberId, groupInstanceId: null }];
    const result = ctx.broker.groups.classic.leave(request.groupId, identities);
    if (version >= 3) return { ...defaultLeaveGroupResponse(), errorCode: result.errorCode, members: result.members };
    const errorCode = result.errorCode !== ErrorCode.NONE ? result.errorCode : result.members[0]!.errorCode;
    return { ...defaultLeaveGroupResponse(), errorCode };
  },
};
