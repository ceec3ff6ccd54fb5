// DescribeGroups (api key 15), versions 0-6. A Stable classic group shows its protocol and each
// member's metadata and assignment; other states show members without them (as Kafka does).
// An unknown group is described as Dead with no error before v6 and GROUP_ID_NOT_FOUND from
// v6 (KIP-1043). A KIP-848 group is described with protocol type "consumer" and its members.
import { ErrorCode } from '../protocol/error-codes.js';
import type { ClassicGroup } from '../coordinator/group/classic-group.js';
import type { ConsumerGroup } from '../coordinator/group/consumer-group.js';
import {
  defaultDescribeGroupsResponse,
  type DescribeGroupsRequest,
  type DescribeGroupsResponse,
  type DescribeGroupsResponseDescribedGroup,
} from '../protocol/index.js';
import type { ApiHandler, HandlerContext } from './types.js';

export const DESCRIBE_GROUPS_KEY = 15;
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
/** READ, DESCRIBE, DELETE on a group (Kafka's AclOperation codes 3, 8, 6). */
const GROUP_OPERATIONS_ALL = (1 << 3) | (1 << 6) | (1 << 8);

type Described = DescribeGroupsResponseDescribedGroup;

function deadGroup(groupId: string, version: number): Described {
  const notFound = version >= 6;
  return {
    errorCode: notFound ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.NONE,
    errorMessage: notFound ? `Group ${groupId} not found.` : null,
    groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}

function describeClassic(group: ClassicGroup): Described {
  const stable = group.state === 'Stable';
  return {
    errorCode: ErrorCode.NONE, errorMessage: null, groupId: group.groupId, groupState: group.state,
    protocolType: group.protocolType ?? '', protocolData: stable ? group.protocolName ?? '' : '',
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
      memberMetadata: stable ? group.metadataFor(m, group.protocolName) : Buffer.alloc(0),
      memberAssignment: stable ? m.assignment : Buffer.alloc(0),
    })),
    authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}

function describeConsumer(group: ConsumerGroup): Described {
  return {
    errorCode: ErrorCode.NONE, errorMessage: null, groupId: group.groupId, groupState: group.state,
    protocolType: 'consumer', protocolData: group.assignorName,
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId, groupInstanceId: m.instanceId, clientId: m.clientId, clientHost: m.clientHost,
      memberMetadata: Buffer.alloc(0), memberAssignment: Buffer.alloc(0),
    })),
    authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}

function describe(ctx: HandlerContext, groupId: string, version: number, includeOperations: boolean): Described {
  const group = ctx.broker.groups.groups.get(groupId);
  if (group === undefined) return deadGroup(groupId, version);
  const described = group.kind === 'classic' ? describeClassic(group) : describeConsumer(group);
  if (includeOperations) described.authorizedOperations = GROUP_OPERATIONS_ALL;
  return described;
}

export const describeGroupsHandler: ApiHandler<DescribeGroupsRequest, DescribeGroupsResponse> = {
  apiKey: DESCRIBE_GROUPS_KEY,
  minVersion: 0,
  maxVersion: 6,
  handle(ctx, request, version) {
    const includeOperations = version >= 3 && request.includeAuthorizedOperations;
    return { ...defaultDescribeGroupsResponse(), groups: request.groups.map((id) => describe(ctx, id, version, includeOperations)) };
  },
};
