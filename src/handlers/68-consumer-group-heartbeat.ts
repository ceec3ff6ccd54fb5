// ConsumerGroupHeartbeat (api key 68), versions 0-1 (KIP-848). Join (epoch 0), heartbeat,
// leave (-1, static -2), server-side assignors uniform and range, incremental reconciliation:
// see src/coordinator/group/consumer-coordinator.ts for semantics and departures from Kafka.
// Disabled (UNSUPPORTED_VERSION) when group.coordinator.rebalance.protocols lacks "consumer".
import { ErrorCode } from '../protocol/error-codes.js';
import { type ConsumerGroupHeartbeatRequest, type ConsumerGroupHeartbeatResponse } from '../protocol/index.js';
import type { ApiHandler } from './types.js';

export const CONSUMER_GROUP_HEARTBEAT_KEY = 68;

export const consumerGroupHeartbeatHandler: ApiHandler<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse> = {
  apiKey: CONSUMER_GROUP_HEARTBEAT_KEY,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, request, version) {
    if (!ctx.broker.config.list('group.coordinator.rebalance.protocols').includes('consumer')) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: 'The consumer group protocol is disabled.', memberId: null, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null };
    }
    const clientHost = `/${ctx.request.clientAddress}`;
    const response = ctx.broker.groups.consumer.heartbeat(request, { clientId: ctx.header.clientId ?? '', clientHost, version });
    return { throttleTimeMs: 0, ...response };
  },
};
