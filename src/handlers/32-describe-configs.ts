// DescribeConfigs (api key 32), versions 0-4: topic and broker resources (broker loggers answer
// an empty list). Every config is returned with value, default flag, source, read-only and
// sensitive flags; synonyms when asked (v1+); type and documentation (v3+).
import { ErrorCode } from '../protocol/error-codes.js';
import {
  defaultDescribeConfigsResponse,
  type DescribeConfigsRequest,
  type DescribeConfigsRequestDescribeConfigsResource,
  type DescribeConfigsResponse,
  type DescribeConfigsResponseDescribeConfigsResult,
} from '../protocol/index.js';
import type { DescribedConfig } from '../config/broker-config.js';
import { describeTarget, resolveTarget, ResourceError } from './config-resources.js';
import type { ApiHandler, BrokerState } from './types.js';

export const DESCRIBE_CONFIGS_KEY = 32;

function toEntry(config: DescribedConfig, includeDocumentation: boolean) {
  return {
    name: config.name,
    value: config.value,
    readOnly: config.readOnly,
    isDefault: config.isDefault,
    configSource: config.source,
    isSensitive: config.isSensitive,
    synonyms: config.synonyms.map((s) => ({ name: s.name, value: s.value, source: s.source })),
    configType: config.configType,
    documentation: includeDocumentation ? config.documentation : null,
  };
}

function describeResource(
  broker: BrokerState, resource: DescribeConfigsRequestDescribeConfigsResource, request: DescribeConfigsRequest, version: number,
): DescribeConfigsResponseDescribeConfigsResult {
  const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
  try {
    const target = resolveTarget(broker, resource.resourceType, resource.resourceName);
    const keys = resource.configurationKeys;
    const described = describeTarget(target, broker, version >= 1 && request.includeSynonyms)
      .filter((c) => keys === null || keys.includes(c.name));
    const configs = described.map((c) => toEntry(c, request.includeDocumentation));
    return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs };
  } catch (err) {
    if (!(err instanceof ResourceError)) throw err;
    return { ...base, errorCode: err.errorCode, errorMessage: err.message, configs: [] };
  }
}

export const describeConfigsHandler: ApiHandler<DescribeConfigsRequest, DescribeConfigsResponse> = {
  apiKey: DESCRIBE_CONFIGS_KEY,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, request, version) {
    const results = request.resources.map((resource) => describeResource(ctx.broker, resource, request, version));
    return { ...defaultDescribeConfigsResponse(), results };
  },
};
