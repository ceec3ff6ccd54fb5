// OffsetDelete (api key 47), version 0. Deletes a group's committed offsets of topics it does
// not subscribe to: GROUP_SUBSCRIBED_TO_TOPIC per partition otherwise, UNKNOWN_TOPIC_OR_PARTITION
// for a topic that does not exist, GROUP_ID_NOT_FOUND for an unknown group, NON_EMPTY_GROUP for
// a non-empty group of another protocol type.
import { ErrorCode } from '../protocol/error-codes.js';
import { defaultOffsetDeleteResponse, type OffsetDeleteRequest, type OffsetDeleteResponse } from '../protocol/index.js';
import { deleteOffsets } from '../coordinator/group/offset-ops.js';
import type { ApiHandler } from './types.js';

export const OFFSET_DELETE_KEY = 47;

export const offsetDeleteHandler: ApiHandler<OffsetDeleteRequest, OffsetDeleteResponse> = {
  apiKey: OFFSET_DELETE_KEY,
  minVersion: 0,
  maxVersion: 0,
  async handle(ctx, request) {
    const result = await deleteOffsets(ctx.broker.groups, request.groupId, request.topics);
    if (result.errorCode !== ErrorCode.NONE) return { ...defaultOffsetDeleteResponse(), errorCode: result.errorCode };
    return { ...defaultOffsetDeleteResponse(), topics: result.topics };
  },
};
