// IncrementalAlterConfigs (api key 44), versions 0-1: SET, DELETE, APPEND and SUBTRACT (the last
// two on list-valued configs only, as Kafka) on topic and broker resources. All-or-nothing per
// resource; a key named twice in one resource is INVALID_CONFIG.
// Departure from Kafka: dynamic broker values live in memory until the metadata store lands.
import {
  defaultIncrementalAlterConfigsResponse,
  type IncrementalAlterConfigsRequest,
  type IncrementalAlterConfigsResponse,
} from '../protocol/index.js';
import { applyChanges, incrementalChanges, resolveTarget, resourceOutcome } from './config-resources.js';
import type { ApiHandler } from './types.js';

export const INCREMENTAL_ALTER_CONFIGS_KEY = 44;

export const incrementalAlterConfigsHandler: ApiHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse> = {
  apiKey: INCREMENTAL_ALTER_CONFIGS_KEY,
  minVersion: 0,
  maxVersion: 1,
  async handle(ctx, request) {
    const responses = [];
    for (const resource of request.resources) {
      const [errorCode, errorMessage] = await resourceOutcome(async () => {
        const target = resolveTarget(ctx.broker, resource.resourceType, resource.resourceName);
        const changes = incrementalChanges(target, ctx.broker, resource.configs.map((c) => ({ name: c.name, op: c.configOperation, value: c.value })));
        await applyChanges(target, ctx.broker, changes, request.validateOnly);
      });
      responses.push({ errorCode, errorMessage, resourceType: resource.resourceType, resourceName: resource.resourceName });
    }
    return { ...defaultIncrementalAlterConfigsResponse(), responses };
  },
};
