// DeleteGroups (api key 42), versions 0-2. Deletes empty groups and their committed offsets
// (tombstones in __consumer_offsets). GROUP_ID_NOT_FOUND for an unknown group, NON_EMPTY_GROUP
// while it has members, INVALID_GROUP_ID for an empty id.
import { ErrorCode } from '../protocol/error-codes.js';
import { defaultDeleteGroupsResponse, type DeleteGroupsRequest, type DeleteGroupsResponse } from '../protocol/index.js';
import type { ApiHandler, HandlerContext } from './types.js';

export const DELETE_GROUPS_KEY = 42;

async function deleteOne(ctx: HandlerContext, groupId: string): Promise<{ groupId: string; errorCode: number }> {
  const coordinator = ctx.broker.groups;
  if (groupId === '') return { groupId, errorCode: ErrorCode.INVALID_GROUP_ID };
  const group = coordinator.groups.get(groupId);
  if (group === undefined) return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND };
  if (!coordinator.isEmpty(group)) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
  try {
    await coordinator.deleteGroup(group);
  } catch (err) {
    coordinator.log(`rill: deleting group ${groupId} failed: ${String(err)}`);
    return { groupId, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
  }
  return { groupId, errorCode: ErrorCode.NONE };
}

export const deleteGroupsHandler: ApiHandler<DeleteGroupsRequest, DeleteGroupsResponse> = {
  apiKey: DELETE_GROUPS_KEY,
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, request) {
    const results = [];
    for (const groupId of request.groupsNames) results.push(await deleteOne(ctx, groupId));
    return { ...defaultDeleteGroupsResponse(), results };
  },
};
