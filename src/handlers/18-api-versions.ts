// ApiVersions (api key 18), versions 0-4 (as far as the codecs go).
// Advertises every api in the handler registry with the version range both the handler and
// the codecs support. An unsupported ApiVersions version is answered, as Kafka does, with a
// v0-format response carrying UNSUPPORTED_VERSION and the supported ranges (the dispatcher
// calls apiVersionsUnsupportedResponse for that).
// Departure from Kafka: no features (supported/finalized) are advertised yet.
import { ErrorCode } from '../protocol/error-codes.js';
import { defaultApiVersionsResponse, type ApiVersionsRequest, type ApiVersionsResponse } from '../protocol/index.js';
import type { HandlerRegistry } from './registry.js';
import type { ApiHandler } from './types.js';

export const API_VERSIONS_KEY = 18;

type ApiVersionsBody = ApiVersionsResponse;

function responseBody(registry: HandlerRegistry, errorCode: number): ApiVersionsBody {
  const apiKeys = registry.supportedApis().map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion }));
  return { ...defaultApiVersionsResponse(), errorCode, apiKeys };
}

/** The v0-format answer to an ApiVersions version the broker does not support. */
export function apiVersionsUnsupportedResponse(registry: HandlerRegistry, errorCode: number): ApiVersionsBody {
  return responseBody(registry, errorCode);
}

/** Built per registry: the handler needs the registry it advertises. */
export function createApiVersionsHandler(getRegistry: () => HandlerRegistry): ApiHandler<ApiVersionsRequest, ApiVersionsBody> {
  return {
    apiKey: API_VERSIONS_KEY,
    minVersion: 0,
    maxVersion: 4,
    handle: () => responseBody(getRegistry(), ErrorCode.NONE),
  };
}
