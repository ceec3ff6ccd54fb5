// AlterConfigs (api key 33), versions 0-2: the legacy, non-incremental alter. The configs given
// replace every override of the resource (topic overrides, or the broker's dynamic values;
// resource name "" = cluster-wide defaults). All-or-nothing per resource; INVALID_CONFIG on a
// bad value or a broker config that cannot change at runtime.
// Departure from Kafka: dynamic broker values live in memory until the metadata store lands.
import {
  defaultAlterConfigsResponse,
  type AlterConfigsRequest,
  type AlterConfigsResponse,
} from '../protocol/index.js';
import { applyChanges, replacementChanges, resolveTarget, resourceOutcome } from './config-resources.js';
import type { ApiHandler } from './types.js';

export const ALTER_CONFIGS_KEY = 33;

export const alterConfigsHandler: ApiHandler<AlterConfigsRequest, AlterConfigsResponse> = {
  apiKey: ALTER_CONFIGS_KEY,
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, request) {
    const responses = [];
    for (const resource of request.resources) {
      const [errorCode, errorMessage] = await resourceOutcome(async () => {
        const target = resolveTarget(ctx.broker, resource.resourceType, resource.resourceName);
        const changes = replacementChanges(target, ctx.broker, resource.configs);
        await applyChanges(target, ctx.broker, changes, request.validateOnly);
      });
      responses.push({ errorCode, errorMessage, resourceType: resource.resourceType, resourceName: resource.resourceName });
    }
    return { ...defaultAlterConfigsResponse(), responses };
  },
};
