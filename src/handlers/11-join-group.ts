// JoinGroup (api key 11), versions 0-9. Classic group membership (see
// src/coordinator/group/classic-coordinator.ts): KIP-394 MEMBER_ID_REQUIRED from v4, KIP-345
// static members (group_instance_id, v5+), INVALID_SESSION_TIMEOUT outside
// group.min/max.session.timeout.ms, GROUP_MAX_SIZE_REACHED, INCONSISTENT_GROUP_PROTOCOL.
// v0 has no rebalance timeout: the session timeout stands in for it, as in Kafka.
// The response waits until the rebalance completes (or the rebalance timeout passes).
import { defaultJoinGroupResponse, type JoinGroupRequest, type JoinGroupResponse } from '../protocol/index.js';
import type { ApiHandler } from './types.js';

export const JOIN_GROUP_KEY = 11;

export const joinGroupHandler: ApiHandler<JoinGroupRequest, JoinGroupResponse> = {
  apiKey: JOIN_GROUP_KEY,
  minVersion: 0,
  maxVersion: 9,
  async handle(ctx, request, version) {
    const result = await ctx.broker.groups.classic.join({
      groupId: request.groupId,
      memberId: request.memberId,
      groupInstanceId: version >= 5 ? request.groupInstanceId : null,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: version >= 1 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs,
      protocolType: request.protocolType,
      protocols: request.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
      clientId: ctx.header.clientId ?? '',
      clientHost: `/${ctx.request.clientAddress}`,
      requireKnownMemberId: version >= 4,
    });
    const protocolName = result.protocolName ?? (version >= 7 ? null : '');
    return { ...defaultJoinGroupResponse(), ...result, protocolName };
  },
};
