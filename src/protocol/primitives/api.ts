// The shape of one API's codecs in the registry (src/protocol/generated/registry.ts).

import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

/** Message codecs for one API key, every version from minVersion to maxVersion. */
export interface ApiDescriptor<Req = unknown, Res = unknown> {
  readonly apiKey: number;
  /** Kafka's name without the Request suffix: 'Produce', 'Fetch', 'ApiVersions'. */
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** The first flexible version (compact encodings, tagged fields); Infinity when none is. */
  readonly firstFlexibleVersion: number;
  requestHeaderVersion(version: number): number;
  responseHeaderVersion(version: number): number;
  /** Decodes a request body that spans exactly [offset, end) of buf. */
  decodeRequest(version: number, buf: Buffer, offset?: number, end?: number): Req;
  encodeRequest(version: number, msg: Req): Buffer;
  /** Decodes a response body that spans exactly [offset, end) of buf. */
  decodeResponse(version: number, buf: Buffer, offset?: number, end?: number): Res;
  encodeResponse(version: number, msg: Res): Buffer;
  /** Reads a request body from r (no end check); the generated decoder, for composing. */
  readRequest(r: Reader, version: number): Req;
  writeRequest(w: Writer, version: number, msg: Req): void;
  readResponse(r: Reader, version: number): Res;
  writeResponse(w: Writer, version: number, msg: Res): void;
}

/** A data message (ConsumerProtocolSubscription and the like): a version-prefixed payload. */
export interface DataDescriptor<T = unknown> {
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly firstFlexibleVersion: number;
  /** Decodes a body of the given version spanning exactly [offset, end) of buf (no version prefix). */
  decode(version: number, buf: Buffer, offset?: number, end?: number): T;
  encode(version: number, msg: T): Buffer;
  read(r: Reader, version: number): T;
  write(w: Writer, version: number, msg: T): void;
}
