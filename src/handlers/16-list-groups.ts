// ListGroups (api key 16), versions 0-5. Every group this node coordinates, with protocol type,
// state (v4+) and type "classic"/"consumer" (v5+). states_filter (v4+) and types_filter (v5+)
// match case-insensitively, as in Kafka; an empty filter matches everything.
import { ErrorCode } from '../protocol/error-codes.js';
import { defaultListGroupsResponse, type ListGroupsRequest, type ListGroupsResponse } from '../protocol/index.js';
import type { Group } from '../coordinator/group/coordinator.js';
import type { ApiHandler } from './types.js';

export const LIST_GROUPS_KEY = 16;

function matches(filter: readonly string[], value: string): boolean {
  return filter.length === 0 || filter.some((f) => f.toLowerCase() === value.toLowerCase());
}

function protocolTypeOf(group: Group): string {
  return group.kind === 'consumer' ? 'consumer' : group.protocolType ?? '';
}

export const listGroupsHandler: ApiHandler<ListGroupsRequest, ListGroupsResponse> = {
  apiKey: LIST_GROUPS_KEY,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, request, version) {
    const states = version >= 4 ? request.statesFilter : [];
    const types = version >= 5 ? request.typesFilter : [];
    const groups = [...ctx.broker.groups.groups.values()]
      .filter((g) => matches(states, g.state) && matches(types, g.kind))
      .map((g) => ({ groupId: g.groupId, protocolType: protocolTypeOf(g), groupState: g.state, groupType: g.kind }));
    return { ...defaultListGroupsResponse(), errorCode: ErrorCode.NONE, groups };
  },
};
