// ConsumerGroupDescribe (api key 69), versions 0-1 (KIP-848). Epochs, assignor, and per member
// its subscription, current assignment and target assignment. GROUP_ID_NOT_FOUND for an unknown
// group or a classic one (as Kafka answers).
import { ErrorCode } from '../protocol/error-codes.js';
import type { Assignment, ConsumerGroup } from '../coordinator/group/consumer-group.js';
import {
  defaultConsumerGroupDescribeResponse,
  type ConsumerGroupDescribeRequest,
  type ConsumerGroupDescribeResponse,
  type ConsumerGroupDescribeResponseDescribedGroup,
} from '../protocol/index.js';
import type { ApiHandler, HandlerContext } from './types.js';

export const CONSUMER_GROUP_DESCRIBE_KEY = 69;
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
const MEMBER_TYPE_CONSUMER = 1;

type Described = ConsumerGroupDescribeResponseDescribedGroup;

function wireAssignment(ctx: HandlerContext, assignment: Assignment) {
  const topicPartitions = [...assignment].map(([topicName, partitions]) => ({
    topicId: ctx.broker.topics.get(topicName)?.topicId ?? 'AAAAAAAAAAAAAAAAAAAAAA',
    topicName,
    partitions: [...partitions].sort((a, b) => a - b),
  }));
  return { topicPartitions };
}

function notFound(groupId: string, message: string): Described {
  return {
    errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: message, groupId, groupState: '', groupEpoch: -1, assignmentEpoch: -1,
    assignorName: '', members: [], authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}

function describe(ctx: HandlerContext, group: ConsumerGroup): Described {
  return {
    errorCode: ErrorCode.NONE, errorMessage: null, groupId: group.groupId, groupState: group.state,
    groupEpoch: group.groupEpoch, assignmentEpoch: group.assignmentEpoch, assignorName: group.assignorName,
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId, instanceId: m.instanceId, rackId: m.rackId, memberEpoch: m.memberEpoch, clientId: m.clientId,
      clientHost: m.clientHost, subscribedTopicNames: m.subscribedTopicNames, subscribedTopicRegex: m.subscribedTopicRegex,
      assignment: wireAssignment(ctx, m.assigned), targetAssignment: wireAssignment(ctx, group.targetOf(m.memberId)), memberType: MEMBER_TYPE_CONSUMER,
    })),
    authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}

export const consumerGroupDescribeHandler: ApiHandler<ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse> = {
  apiKey: CONSUMER_GROUP_DESCRIBE_KEY,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, request) {
    const groups = request.groupIds.map((groupId) => {
      const group = ctx.broker.groups.groups.get(groupId);
      if (group === undefined) return notFound(groupId, `Group ${groupId} not found.`);
      if (group.kind !== 'consumer') return notFound(groupId, `Group ${groupId} is not a consumer group.`);
      return describe(ctx, group);
    });
    return { ...defaultConsumerGroupDescribeResponse(), groups };
  },
};
