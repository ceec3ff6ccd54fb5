// Request headers v0-v2 and response headers v0-v1 (hand-written: they are tiny and fixed).
//   request v0: api_key int16, api_version int16, correlation_id int32
//   request v1: + client_id nullable string (int16 length, never compact)
//   request v2: + tagged fields
//   response v0: correlation_id int32; response v1: + tagged fields

import type { RawTaggedField, Reader } from './reader.js';
import type { Writer } from './writer.js';

export interface RequestHeader {
  requestApiKey: number;
  requestApiVersion: number;
  correlationId: number;
  /** Absent (null) in header v0. */
  clientId: string | null;
  /** Header v2 tagged fields, kept raw (Kafka defines none). */
  unknownTaggedFields?: RawTaggedField[];
}

export interface ResponseHeader {
  correlationId: number;
  unknownTaggedFields?: RawTaggedField[];
}

/** API_VERSIONS: its responses always use response header v0 (KIP-511). */
export const API_VERSIONS_API_KEY = 18;
/** CONTROLLED_SHUTDOWN v0 is the one request that uses request header v0. */
export const CONTROLLED_SHUTDOWN_API_KEY = 7;

export function requestHeaderVersion(apiKey: number, apiVersion: number, firstFlexibleVersion: number): number {
  if (apiKey === CONTROLLED_SHUTDOWN_API_KEY && apiVersion === 0) return 0;
  return apiVersion >= firstFlexibleVersion ? 2 : 1;
}

export function responseHeaderVersion(apiKey: number, apiVersion: number, firstFlexibleVersion: number): number {
  if (apiKey === API_VERSIONS_API_KEY) return 0;
  return apiVersion >= firstFlexibleVersion ? 1 : 0;
}

export function decodeRequestHeader(r: Reader, headerVersion: number): RequestHeader {
  const requestApiKey = r.readInt16();
  const requestApiVersion = r.readInt16();
  const correlationId = r.readInt32();
  const header: RequestHeader = { requestApiKey, requestApiVersion, correlationId, clientId: null };
  if (headerVersion >= 1) header.clientId = r.readNullableString();
  if (headerVersion >= 2) {
    const tagged = r.readTaggedFields();
    if (tagged !== undefined) header.unknownTaggedFields = tagged;
  }
  return header;
}

export function encodeRequestHeader(w: Writer, header: RequestHeader, headerVersion: number): void {
  w.writeInt16(header.requestApiKey);
  w.writeInt16(header.requestApiVersion);
  w.writeInt32(header.correlationId);
  if (headerVersion >= 1) w.writeNullableString(header.clientId);
  if (headerVersion >= 2) w.writeRawTaggedFields(header.unknownTaggedFields);
}

export function decodeResponseHeader(r: Reader, headerVersion: number): ResponseHeader {
  const header: ResponseHeader = { correlationId: r.readInt32() };
  if (headerVersion >= 1) {
    const tagged = r.readTaggedFields();
    if (tagged !== undefined) header.unknownTaggedFields = tagged;
  }
  return header;
}

export function encodeResponseHeader(w: Writer, correlationId: number, headerVersion: number): void {
  w.writeInt32(correlationId);
  if (headerVersion >= 1) w.writeUVarint(0);
}
