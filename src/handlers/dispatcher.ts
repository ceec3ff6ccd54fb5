// The request layer between the network server and the handlers: header decoding with the
// protocol registry, version checks (ApiVersions answers an unsupported version with a v0
// response and UNSUPPORTED_VERSION; other apis close the connection, as Kafka does), body
// decoding, and response framing.
import { ErrorCode } from '../protocol/error-codes.js';
import { decodeRequestHeader, encodeResponseFrame, getApi, Reader } from '../protocol/index.js';
import { CloseConnection, type DecodedHeader, type RequestDispatcher, type RequestHeaderInfo } from '../server/types.js';
import { API_VERSIONS_KEY, apiVersionsUnsupportedResponse } from './18-api-versions.js';
import type { HandlerRegistry } from './registry.js';
import type { BrokerState } from './types.js';

const REQUEST_HEADER_FIXED_BYTES = 8;
/** What a connection may send before SASL authentication completes (Kafka's rule). */
const SASL_HANDSHAKE_KEY = 17;
const SASL_AUTHENTICATE_KEY = 36;
const allowedBeforeAuthentication = new Set([API_VERSIONS_KEY, SASL_HANDSHAKE_KEY, SASL_AUTHENTICATE_KEY]);

function fixedHeader(frame: Buffer): RequestHeaderInfo {
  return {
    requestApiKey: frame.readInt16BE(0),
    requestApiVersion: frame.readInt16BE(2),
    correlationId: frame.readInt32BE(4),
    clientId: null,
  };
}

/** Splits a frame into header and body; unknown apis and bad headers close the connection. */
export function createHeaderDecoder(registry: HandlerRegistry): (frame: Buffer) => DecodedHeader {
  return (frame) => {
    if (frame.length < REQUEST_HEADER_FIXED_BYTES) throw new CloseConnection(`request of ${frame.length} bytes is shorter than a header`);
    const fixed = fixedHeader(frame);
    const api = getApi(fixed.requestApiKey);
    if (api === undefined) throw new CloseConnection(`unknown api key ${fixed.requestApiKey}`);
    if (!registry.supports(fixed.requestApiKey, fixed.requestApiVersion)) {
      if (fixed.requestApiKey === API_VERSIONS_KEY) return { header: fixed, body: frame.subarray(frame.length) };
      throw new CloseConnection(`unsupported version ${fixed.requestApiVersion} of api ${api.name}`);
    }
    const reader = new Reader(frame);
    const header = decodeRequestHeader(reader, api.requestHeaderVersion(fixed.requestApiVersion));
    return { header, body: frame.subarray(reader.pos) };
  };
}

export function createDispatcher(registry: HandlerRegistry, broker: BrokerState): RequestDispatcher {
  return async (request, header, body) => {
    const { requestApiKey: apiKey, requestApiVersion: version, correlationId } = header;
    if (!request.security.authenticated && !allowedBeforeAuthentication.has(apiKey)) {
      throw new CloseConnection(`api ${apiKey} before SASL authentication completed`);
    }
    if (!registry.supports(apiKey, version)) {
      if (apiKey !== API_VERSIONS_KEY) throw new CloseConnection(`unsupported version ${version} of api ${apiKey}`);
      return encodeResponseFrame(apiKey, 0, correlationId, apiVersionsUnsupportedResponse(registry, ErrorCode.UNSUPPORTED_VERSION));
    }
    const handler = registry.handler(apiKey)!;
    const api = getApi(apiKey)!;
    const decoded = api.decodeRequest(version, body);
    const response = await handler.handle({ request, header, broker }, decoded, version);
    if (response === null) return null;
    return encodeResponseFrame(apiKey, version, correlationId, response);
  };
}
