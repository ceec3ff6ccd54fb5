// Small helpers the generated codecs call: arrays with index paths, tagged-field sections, and
// the ApiDescriptor/DataDescriptor builders. Hand-written; the generator only references them.

import { ProtocolDecodeError, rethrowWithin } from '../errors.js';
import type { ApiDescriptor, DataDescriptor } from './api.js';
import { requestHeaderVersion, responseHeaderVersion } from './headers.js';
import { Reader, type RawTaggedField } from './reader.js';
import { Writer } from './writer.js';

export { rethrowWithin };

/** Kafka's all-zero Uuid as Rill represents it (22 characters of base64url). */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
export const EMPTY_BUFFER: Buffer = Buffer.alloc(0);

export type ElementReader<T> = (r: Reader, v: number) => T;
export type ElementWriter<T> = (w: Writer, v: number, value: T) => void;

/** Reads an array (null allowed); each element's errors get its '[index]' path segment. */
export function readNullableArray<T>(
  r: Reader,
  compact: boolean,
  elementMinBytes: number,
  v: number,
  readElement: ElementReader<T>,
): T[] | null {
  const count = r.readArrayLength(compact, elementMinBytes);
  if (count < 0) return null;
  const out = new Array<T>(count);
  let i = 0;
  try {
    for (; i < count; i++) out[i] = readElement(r, v);
  } catch (e) {
    rethrowWithin(e, `[${i}]`);
  }
  return out;
}

export function readArray<T>(
  r: Reader,
  compact: boolean,
  elementMinBytes: number,
  v: number,
  readElement: ElementReader<T>,
): T[] {
  const out = readNullableArray(r, compact, elementMinBytes, v, readElement);
  if (out === null) throw new ProtocolDecodeError('array: null where not nullable');
  return out;
}

export function writeNullableArray<T>(
  w: Writer,
  compact: boolean,
  v: number,
  values: readonly T[] | null,
  writeElement: ElementWriter<T>,
): void {
  if (values === null) return w.writeArrayLength(compact, -1);
  w.writeArrayLength(compact, values.length);
  for (let i = 0; i < values.length; i++) writeElement(w, v, values[i]!);
}

export function writeArray<T>(
  w: Writer,
  compact: boolean,
  v: number,
  values: readonly T[],
  writeElement: ElementWriter<T>,
): void {
  if (values === null) throw new RangeError('Writer: null for a non-nullable array');
  writeNullableArray(w, compact, v, values, writeElement);
}

// Primitive element readers/writers for arrays of primitives.
export const readInt8Element: ElementReader<number> = (r) => r.readInt8();
export const readInt16Element: ElementReader<number> = (r) => r.readInt16();
export const readInt32Element: ElementReader<number> = (r) => r.readInt32();
export const readInt64Element: ElementReader<bigint> = (r) => r.readInt64();
export const readUuidElement: ElementReader<string> = (r) => r.readUuid();
export const readStringElement: ElementReader<string> = (r) => r.readString();
export const readCompactStringElement: ElementReader<string> = (r) => r.readCompactString();
export const writeInt8Element: ElementWriter<number> = (w, _v, x) => w.writeInt8(x);
export const writeInt16Element: ElementWriter<number> = (w, _v, x) => w.writeInt16(x);
export const writeInt32Element: ElementWriter<number> = (w, _v, x) => w.writeInt32(x);
export const writeInt64Element: ElementWriter<bigint> = (w, _v, x) => w.writeInt64(x);
export const writeUuidElement: ElementWriter<string> = (w, _v, x) => w.writeUuid(x);
export const writeStringElement: ElementWriter<string> = (w, _v, x) => w.writeString(x);
export const writeCompactStringElement: ElementWriter<string> = (w, _v, x) => w.writeCompactString(x);

/** Reads a nullable struct: int8 -1 for null, 1 (any other value) followed by the struct. */
export function readNullableStruct<T>(r: Reader, v: number, readStruct: ElementReader<T>): T | null {
  return r.readInt8() < 0 ? null : readStruct(r, v);
}

export function writeNullableStruct<T>(w: Writer, v: number, value: T | null, writeStruct: ElementWriter<T>): void {
  if (value === null) return w.writeInt8(-1);
  w.writeInt8(1);
  writeStruct(w, v, value);
}

/** Reads one known tagged field's value, which must fill exactly sizeBytes. */
export function readTaggedValue<T>(r: Reader, sizeBytes: number, read: (sub: Reader) => T): T {
  const sub = r.subReader(sizeBytes);
  const value = read(sub);
  sub.expectEnd('tagged field');
  return value;
}

/** Encodes one known tagged field's value into a RawTaggedField. */
export function taggedValue(tag: number, write: (w: Writer) => void): RawTaggedField {
  const w = new Writer(64);
  write(w);
  return { tag, data: w.finish() };
}

/** Writes a tagged-field section: known fields and preserved unknown ones, in tag order. */
export function writeTaggedFields(
  w: Writer,
  known: RawTaggedField[] | undefined,
  unknown: readonly RawTaggedField[] | undefined,
): void {
  if (known === undefined) return w.writeRawTaggedFields(unknown);
  const all = unknown === undefined || unknown.length === 0 ? known : [...known, ...unknown];
  if (all !== known || known.length > 1) all.sort((a, b) => a.tag - b.tag);
  w.writeUVarint(all.length);
  for (const field of all) w.writeRawTaggedField(field);
}

export function isEmptyBytes(value: Uint8Array | null): boolean {
  return value !== null && value.length === 0;
}

export function isEmptyArray(value: readonly unknown[] | null): boolean {
  return value !== null && value.length === 0;
}

/** Deep equality of plain decoded values (for "is this tagged struct its default?"). */
export function plainEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => plainEqual(x, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => plainEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

function decodeWhole<T>(
  what: { apiKey: number; version: number; min: number; max: number; name: string },
  read: (r: Reader, v: number) => T,
  buf: Buffer,
  offset: number,
  end: number,
): T {
  const { apiKey, version } = what;
  if (!(version >= what.min && version <= what.max)) {
    throw new ProtocolDecodeError(
      `unsupported version ${version} of ${what.name} (${what.min}-${what.max})`,
      'unsupported-version',
    ).locate(apiKey, version);
  }
  const r = new Reader(buf, offset, end);
  try {
    const msg = read(r, version);
    r.expectEnd(what.name);
    return msg;
  } catch (e) {
    if (e instanceof ProtocolDecodeError) throw e.locate(apiKey, version);
    throw e;
  }
}

function encodeWhole<T>(
  what: { version: number; min: number; max: number; name: string },
  write: (w: Writer, v: number, msg: T) => void,
  msg: T,
): Buffer {
  assertVersion(what);
  const w = new Writer();
  write(w, what.version, msg);
  return w.finish();
}

function assertVersion(what: { version: number; min: number; max: number; name: string }): void {
  if (!(what.version >= what.min && what.version <= what.max)) {
    throw new RangeError(`protocol: cannot encode ${what.name} v${what.version} (${what.min}-${what.max})`);
  }
}

export interface ApiParts<Req, Res> {
  apiKey: number;
  name: string;
  minVersion: number;
  maxVersion: number;
  firstFlexibleVersion: number;
  readRequest: (r: Reader, v: number) => Req;
  writeRequest: (w: Writer, v: number, msg: Req) => void;
  readResponse: (r: Reader, v: number) => Res;
  writeResponse: (w: Writer, v: number, msg: Res) => void;
}

export function defineApi<Req, Res>(parts: ApiParts<Req, Res>): ApiDescriptor<Req, Res> {
  const { apiKey, name, minVersion: min, maxVersion: max, firstFlexibleVersion: flex } = parts;
  const request = { apiKey, min, max, name: `${name}Request` };
  const response = { apiKey, min, max, name: `${name}Response` };
  return {
    apiKey,
    name,
    minVersion: min,
    maxVersion: max,
    firstFlexibleVersion: flex,
    requestHeaderVersion: (version) => requestHeaderVersion(apiKey, version, flex),
    responseHeaderVersion: (version) => responseHeaderVersion(apiKey, version, flex),
    decodeRequest: (version, buf, offset = 0, end = buf.length) =>
      decodeWhole({ ...request, version }, parts.readRequest, buf, offset, end),
    encodeRequest: (version, msg) => encodeWhole({ ...request, version }, parts.writeRequest, msg),
    decodeResponse: (version, buf, offset = 0, end = buf.length) =>
      decodeWhole({ ...response, version }, parts.readResponse, buf, offset, end),
    encodeResponse: (version, msg) => encodeWhole({ ...response, version }, parts.writeResponse, msg),
    readRequest: parts.readRequest,
    writeRequest: (w, version, msg) => {
      if (!(version >= min && version <= max)) assertVersion({ ...request, version });
      parts.writeRequest(w, version, msg);
    },
    readResponse: parts.readResponse,
    writeResponse: (w, version, msg) => {
      if (!(version >= min && version <= max)) assertVersion({ ...response, version });
      parts.writeResponse(w, version, msg);
    },
  };
}

export interface DataParts<T> {
  name: string;
  minVersion: number;
  maxVersion: number;
  firstFlexibleVersion: number;
  read: (r: Reader, v: number) => T;
  write: (w: Writer, v: number, msg: T) => void;
}

export function defineData<T>(parts: DataParts<T>): DataDescriptor<T> {
  const { name, minVersion: min, maxVersion: max } = parts;
  return {
    name,
    minVersion: min,
    maxVersion: max,
    firstFlexibleVersion: parts.firstFlexibleVersion,
    decode: (version, buf, offset = 0, end = buf.length) =>
      decodeWhole({ apiKey: -1, name, min, max, version }, parts.read, buf, offset, end),
    encode: (version, msg) => encodeWhole({ name, min, max, version }, parts.write, msg),
    read: parts.read,
    write: parts.write,
  };
}
