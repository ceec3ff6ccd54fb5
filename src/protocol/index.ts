// Rill's Kafka protocol layer: primitives, headers, the generated per-API codecs and frames.
// A "frame" here is one request or response WITHOUT its 4-byte size prefix (the server's frame
// reader strips it); encode*Frame functions return bytes WITH the size prefix, ready to send.

import { ProtocolDecodeError, type PartialRequestHeader } from './errors.js';
import { apis } from './generated/registry.js';
import type { ApiDescriptor } from './primitives/api.js';
import {
  decodeRequestHeader,
  decodeResponseHeader,
  encodeRequestHeader,
  encodeResponseHeader,
  type RequestHeader,
  type ResponseHeader,
} from './primitives/headers.js';
import { Reader } from './primitives/reader.js';
import { Writer } from './primitives/writer.js';

export * from './errors.js';
export * from './primitives/index.js';
export * from './generated/index.js';

/** The api descriptor for a key, or undefined when Rill's codecs do not know it. */
export function getApi(apiKey: number): ApiDescriptor | undefined {
  return apis.get(apiKey);
}

export interface DecodedRequestFrame {
  header: RequestHeader;
  /** The decoded request body; its type is the api's request type (e.g. ProduceRequest). */
  body: unknown;
  api: ApiDescriptor;
}

const REQUEST_HEADER_FIXED_BYTES = 8;

/** Reads key, version, correlation id and (best effort) client id for an error report. */
function partialHeader(frame: Buffer, offset: number, end: number): PartialRequestHeader {
  const r = new Reader(frame, offset, end);
  const header = { requestApiKey: r.readInt16(), requestApiVersion: r.readInt16(), correlationId: r.readInt32() };
  let clientId: string | null = null;
  try {
    clientId = r.readNullableString();
  } catch (e) {
    if (!(e instanceof ProtocolDecodeError)) throw e;
  }
  return { ...header, clientId };
}

function rejectHeader(frame: Buffer, offset: number, end: number, api: ApiDescriptor | undefined): never {
  const header = partialHeader(frame, offset, end);
  const { requestApiKey: apiKey, requestApiVersion: apiVersion } = header;
  const error =
    api === undefined
      ? new ProtocolDecodeError(`unknown api key ${apiKey}`, 'unknown-api')
      : new ProtocolDecodeError(
          `unsupported version ${apiVersion} of ${api.name} (${api.minVersion}-${api.maxVersion})`,
          'unsupported-version',
        );
  error.header = header;
  throw error.locate(apiKey, apiVersion);
}

/**
 * Decodes one request frame (header + body, no size prefix) spanning [offset, end) of frame.
 * Throws ProtocolDecodeError: kind 'unknown-api' or 'unsupported-version' (with .header set, so
 * the broker can answer as Kafka does) or 'malformed' (with .header when the header was read).
 */
export function decodeRequestFrame(frame: Buffer, offset = 0, end = frame.length): DecodedRequestFrame {
  if (end - offset < REQUEST_HEADER_FIXED_BYTES) {
    throw new ProtocolDecodeError(`request frame of ${end - offset} bytes is shorter than a header`);
  }
  const apiKey = frame.readInt16BE(offset);
  const version = frame.readInt16BE(offset + 2);
  const api = apis.get(apiKey);
  if (api === undefined || version < api.minVersion || version > api.maxVersion) {
    rejectHeader(frame, offset, end, api);
  }
  const r = new Reader(frame, offset, end);
  let header: RequestHeader | undefined;
  try {
    header = decodeRequestHeader(r, api.requestHeaderVersion(version));
    const body = api.readRequest(r, version);
    r.expectEnd('request');
    return { header, body, api };
  } catch (e) {
    if (!(e instanceof ProtocolDecodeError)) throw e;
    e.header = header ?? partialHeader(frame, offset, end);
    throw e.locate(apiKey, version);
  }
}

function requireApi(apiKey: number): ApiDescriptor {
  const api = apis.get(apiKey);
  if (api === undefined) throw new RangeError(`protocol: no codec for api key ${apiKey}`);
  return api;
}

/**
 * Encodes a response as size prefix + response header + body. Returns the chunk list (for
 * socket.writev / cork); record sets in the message are referenced, not copied.
 */
export function encodeResponseFrame(apiKey: number, version: number, correlationId: number, msg: unknown): Buffer[] {
  const api = requireApi(apiKey);
  const w = new Writer();
  const sizeSlot = w.reserveInt32();
  encodeResponseHeader(w, correlationId, api.responseHeaderVersion(version));
  api.writeResponse(w, version, msg);
  w.patchInt32(sizeSlot, w.length - 4);
  return w.finishChunks();
}

/** Encodes a request as size prefix + request header + body (for Rill's client and tests). */
export function encodeRequestFrame(header: RequestHeader, msg: unknown): Buffer[] {
  const api = requireApi(header.requestApiKey);
  const w = new Writer();
  const sizeSlot = w.reserveInt32();
  encodeRequestHeader(w, header, api.requestHeaderVersion(header.requestApiVersion));
  api.writeRequest(w, header.requestApiVersion, msg);
  w.patchInt32(sizeSlot, w.length - 4);
  return w.finishChunks();
}

export interface DecodedResponseFrame {
  header: ResponseHeader;
  body: unknown;
}

/** Decodes one response frame (no size prefix) of a request the caller sent with apiKey/version. */
export function decodeResponseFrame(
  apiKey: number,
  version: number,
  frame: Buffer,
  offset = 0,
  end = frame.length,
): DecodedResponseFrame {
  const api = requireApi(apiKey);
  const r = new Reader(frame, offset, end);
  try {
    const header = decodeResponseHeader(r, api.responseHeaderVersion(version));
    const body = api.readResponse(r, version);
    r.expectEnd('response');
    return { header, body };
  } catch (e) {
    if (!(e instanceof ProtocolDecodeError)) throw e;
    throw e.locate(apiKey, version);
  }
}
