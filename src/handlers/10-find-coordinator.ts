// FindCoordinator (api key 10), versions 0-6. A single node coordinates everything: key type 0
// (group) and 1 (transaction) both answer with this node, on the listener the request came in
// on. v4+ batches keys (coordinator_keys). Another key type gets INVALID_REQUEST; an empty
// group id gets INVALID_REQUEST too (Kafka: "Invalid group id"). The first group lookup creates
// __consumer_offsets, as Kafka does.
import { ErrorCode } from '../protocol/error-codes.js';
import { defaultFindCoordinatorResponse, type FindCoordinatorRequest, type FindCoordinatorResponse } from '../protocol/index.js';
import type { ApiHandler, HandlerContext } from './types.js';

export const FIND_COORDINATOR_KEY = 10;
const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;

interface Answer {
  key: string;
  nodeId: number;
  host: string;
  port: number;
  errorCode: number;
  errorMessage: string | null;
}

async function answer(ctx: HandlerContext, key: string, keyType: number): Promise<Answer> {
  if (keyType !== KEY_TYPE_GROUP && keyType !== KEY_TYPE_TRANSACTION) {
    return { key, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unknown coordinator type ${keyType}` };
  }
  if (key === '') return { key, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Invalid empty coordinator key' };
  if (keyType === KEY_TYPE_GROUP) await ctx.broker.groups.offsetsTopic.ensure();
  const advertised = ctx.broker.advertisedListeners();
  const endpoint = advertised.find((l) => l.name === ctx.request.listenerName) ?? advertised[0]!;
  return { key, nodeId: ctx.broker.nodeId, host: endpoint.host, port: endpoint.port, errorCode: ErrorCode.NONE, errorMessage: null };
}

export const findCoordinatorHandler: ApiHandler<FindCoordinatorRequest, FindCoordinatorResponse> = {
  apiKey: FIND_COORDINATOR_KEY,
  minVersion: 0,
  maxVersion: 6,
  async handle(ctx, request, version) {
    const keyType = version >= 1 ? request.keyType : KEY_TYPE_GROUP;
    if (version >= 4) {
      return { ...defaultFindCoordinatorResponse(), coordinators: await Promise.all(request.coordinatorKeys.map((key) => answer(ctx, key, keyType))) };
    }
    const single = await answer(ctx, request.key, keyType);
    return { ...defaultFindCoordinatorResponse(), errorCode: single.errorCode, errorMessage: single.errorMessage, nodeId: single.nodeId, host: single.host, port: single.port };
  },
};
