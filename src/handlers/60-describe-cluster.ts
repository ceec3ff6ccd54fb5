// DescribeCluster (api key 60), versions 0-2: this node as the only broker and the controller.
// endpoint_type 1 (brokers) is served; 2 (controllers) answers with the same node, since a
// single Rill node plays both roles.
import { ErrorCode } from '../protocol/error-codes.js';
import { defaultDescribeClusterResponse, type DescribeClusterRequest, type DescribeClusterResponse } from '../protocol/index.js';
import type { ApiHandler } from './types.js';

export const DESCRIBE_CLUSTER_KEY = 60;
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
const CLUSTER_OPERATIONS_ALL = [5, 7, 8, 9, 10, 11, 12, 13, 14].reduce((bits, op) => bits | (1 << op), 0);

export const describeClusterHandler: ApiHandler<DescribeClusterRequest, DescribeClusterResponse> = {
  apiKey: DESCRIBE_CLUSTER_KEY,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, request, version) {
    const advertised = ctx.broker.advertisedListeners();
    const endpoint = advertised.find((l) => l.name === ctx.request.listenerName) ?? advertised[0]!;
    const endpointType = version >= 1 ? request.endpointType : 1;
    if (endpointType !== 1 && endpointType !== 2) {
      return { ...defaultDescribeClusterResponse(), errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, errorMessage: `Unsupported endpoint type ${endpointType}`, endpointType };
    }
    return {
      ...defaultDescribeClusterResponse(),
      endpointType,
      clusterId: ctx.broker.clusterId,
      controllerId: ctx.broker.nodeId,
      brokers: [{ brokerId: ctx.broker.nodeId, host: endpoint.host, port: endpoint.port, rack: ctx.broker.config.optionalString('broker.rack'), isFenced: false }],
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? CLUSTER_OPERATIONS_ALL : AUTHORIZED_OPERATIONS_OMITTED,
    };
  },
};
