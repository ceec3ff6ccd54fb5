// Reader: bounded, zero-copy reads of Kafka protocol primitives from a Buffer region.
// Every length is checked against the bytes left and src/config/limits.ts before use; every
// failure is a ProtocolDecodeError (the caller adds the api and field path).

import { limits } from '../../config/limits.js';
import { ProtocolDecodeError } from '../errors.js';

/** A tagged field whose tag the schema does not know, kept as raw bytes for re-encoding. */
export interface RawTaggedField {
  tag: number;
  data: Buffer;
}

const UUID_BYTES = 16;

export class Reader {
  readonly buf: Buffer;
  /** The next byte to read. */
  pos: number;
  /** One past the last byte this reader may read. */
  readonly end: number;
  /** Made on first use: DataView's BigInt accessors are several times faster than Buffer's. */
  private view: DataView | undefined;

  constructor(buf: Buffer, offset = 0, end = buf.length) {
    if (offset < 0 || end > buf.length || offset > end) {
      throw new RangeError(`Reader: bad region [${offset}, ${end}) of a ${buf.length}-byte buffer`);
    }
    this.buf = buf;
    this.pos = offset;
    this.end = end;
  }

  get remainingBytes(): number {
    return this.end - this.pos;
  }

  /** Throws unless n more bytes are available; returns the current position. */
  private take(n: number, what: string): number {
    const at = this.pos;
    if (at + n > this.end) {
      throw new ProtocolDecodeError(`${what}: needs ${n} bytes, ${this.end - at} left`);
    }
    this.pos = at + n;
    return at;
  }

  readInt8(): number {
    return this.buf.readInt8(this.take(1, 'int8'));
  }

  readBool(): boolean {
    return this.buf[this.take(1, 'bool')] !== 0;
  }

  readInt16(): number {
    const at = this.take(2, 'int16');
    const buf = this.buf;
    return ((buf[at]! << 24) >> 16) | buf[at + 1]!;
  }

  readUint16(): number {
    return this.buf.readUInt16BE(this.take(2, 'uint16'));
  }

  readInt32(): number {
    const at = this.take(4, 'int32');
    const buf = this.buf;
    return (buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!;
  }

  readUint32(): number {
    return this.buf.readUInt32BE(this.take(4, 'uint32'));
  }

  private dataView(): DataView {
    return (this.view ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength));
  }

  readInt64(): bigint {
    return this.dataView().getBigInt64(this.take(8, 'int64'), false);
  }

  readFloat64(): number {
    return this.dataView().getFloat64(this.take(8, 'float64'), false);
  }

  /** An unsigned varint of at most 5 bytes (a uint32). */
  readUVarint(): number {
    const buf = this.buf;
    let at = this.pos;
    if (at + 5 > this.end) return this.readUVarintNearEnd();
    let byte = buf[at++]!;
    let value = byte & 0x7f;
    if (byte >= 0x80) {
      byte = buf[at++]!;
      value |= (byte & 0x7f) << 7;
      if (byte >= 0x80) {
        byte = buf[at++]!;
        value |= (byte & 0x7f) << 14;
        if (byte >= 0x80) {
          byte = buf[at++]!;
          value |= (byte & 0x7f) << 21;
          if (byte >= 0x80) {
            byte = buf[at++]!;
            if (byte > 0x0f) throw new ProtocolDecodeError('uvarint: exceeds 32 bits');
            value = (value >>> 0) + byte * 2 ** 28;
          }
        }
      }
    }
    this.pos = at;
    return value;
  }

  /** The bounds-checked byte-at-a-time form, for the last 4 bytes of the region. */
  private readUVarintNearEnd(): number {
    const buf = this.buf;
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.end) throw new ProtocolDecodeError('uvarint: truncated');
      const byte = buf[this.pos++]!;
      if (shift === 28 && byte > 0x0f) throw new ProtocolDecodeError('uvarint: exceeds 32 bits');
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new ProtocolDecodeError('uvarint: longer than 5 bytes');
  }

  /** A zigzag varint (int32). */
  readVarint(): number {
    const raw = this.readUVarint();
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  /** A zigzag varlong (int64) of at most 10 bytes. */
  readVarlong(): bigint {
    const buf = this.buf;
    let raw = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) throw new ProtocolDecodeError('varlong: truncated');
      const byte = buf[this.pos++]!;
      raw |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) {
        if (raw > 0xffffffffffffffffn) throw new ProtocolDecodeError('varlong: exceeds 64 bits');
        return (raw >> 1n) ^ -(raw & 1n);
      }
    }
    throw new ProtocolDecodeError('varlong: longer than 10 bytes');
  }

  /** 16 bytes, returned as Kafka prints a Uuid: 22 characters of unpadded base64url. */
  readUuid(): string {
    const at = this.take(UUID_BYTES, 'uuid');
    return this.buf.toString('base64url', at, at + UUID_BYTES);
  }

  private readUtf8(length: number, what: string): string {
    if (length > limits.protocolStringBytesMax) {
      throw new ProtocolDecodeError(`${what}: length ${length} exceeds protocolStringBytesMax`);
    }
    const at = this.take(length, what);
    return this.buf.toString('utf8', at, at + length);
  }

  /** An int16-length string; null (length -1) only when nullable. */
  readNullableString(): string | null {
    const length = this.readInt16();
    if (length === -1) return null;
    if (length < 0) throw new ProtocolDecodeError(`string: negative length ${length}`);
    return this.readUtf8(length, 'string');
  }

  readString(): string {
    const value = this.readNullableString();
    if (value === null) throw new ProtocolDecodeError('string: null where not nullable');
    return value;
  }

  /** A uvarint (length + 1) string; null (0) only when nullable. */
  readCompactNullableString(): string | null {
    const lengthPlusOne = this.readUVarint();
    if (lengthPlusOne === 0) return null;
    return this.readUtf8(lengthPlusOne - 1, 'compact string');
  }

  readCompactString(): string {
    const value = this.readCompactNullableString();
    if (value === null) throw new ProtocolDecodeError('compact string: null where not nullable');
    return value;
  }

  readRawBytes(length: number, what = 'raw bytes'): Buffer {
    if (length > limits.protocolBytesMax) {
      throw new ProtocolDecodeError(`${what}: length ${length} exceeds protocolBytesMax`);
    }
    const at = this.take(length, what);
    return this.buf.subarray(at, at + length);
  }

  /** int32-length bytes as a subarray of the frame (no copy); null (-1) only when nullable. */
  readNullableBytes(): Buffer | null {
    const length = this.readInt32();
    if (length === -1) return null;
    if (length < 0) throw new ProtocolDecodeError(`bytes: negative length ${length}`);
    return this.readRawBytes(length, 'bytes');
  }

  readBytes(): Buffer {
    const value = this.readNullableBytes();
    if (value === null) throw new ProtocolDecodeError('bytes: null where not nullable');
    return value;
  }

  /** uvarint (length + 1) bytes as a subarray (no copy); null (0) only when nullable. */
  readCompactNullableBytes(): Buffer | null {
    const lengthPlusOne = this.readUVarint();
    if (lengthPlusOne === 0) return null;
    return this.readRawBytes(lengthPlusOne - 1, 'compact bytes');
  }

  readCompactBytes(): Buffer {
    const value = this.readCompactNullableBytes();
    if (value === null) throw new ProtocolDecodeError('compact bytes: null where not nullable');
    return value;
  }

  /**
   * An array count: int32 (-1 = null) or, when compact, uvarint count + 1 (0 = null). Returns -1
   * for null. The count is checked against protocolArrayLengthMax and, when every element takes
   * at least elementMinBytes bytes, against the bytes left.
   */
  readArrayLength(compact: boolean, elementMinBytes: number): number {
    const count = compact ? this.readUVarint() - 1 : this.readInt32();
    if (count < -1) throw new ProtocolDecodeError(`array: negative length ${count}`);
    if (count > limits.protocolArrayLengthMax) {
      throw new ProtocolDecodeError(`array: length ${count} exceeds protocolArrayLengthMax`);
    }
    if (count * elementMinBytes > this.end - this.pos) {
      throw new ProtocolDecodeError(`array: length ${count} exceeds the ${this.end - this.pos} bytes left`);
    }
    return count;
  }

  /** The tagged-field count of a flexible struct, checked like an array count (2 bytes each at least). */
  readTaggedFieldCount(): number {
    const count = this.readUVarint();
    if (count > limits.protocolTaggedFieldsMax) {
      throw new ProtocolDecodeError(`tagged fields: count ${count} exceeds protocolTaggedFieldsMax`);
    }
    if (count * 2 > this.end - this.pos) {
      throw new ProtocolDecodeError(`tagged fields: count ${count} exceeds the bytes left`);
    }
    return count;
  }

  /** The size of one tagged field's value; the caller reads exactly that many bytes. */
  readTaggedFieldSize(): number {
    const sizeBytes = this.readUVarint();
    if (sizeBytes > this.end - this.pos) {
      throw new ProtocolDecodeError(`tagged field: size ${sizeBytes} exceeds the bytes left`);
    }
    return sizeBytes;
  }

  /** Reads a whole tagged-field section, keeping every field raw (for headers and unknown tags). */
  readTaggedFields(): RawTaggedField[] | undefined {
    const count = this.readTaggedFieldCount();
    if (count === 0) return undefined;
    const fields: RawTaggedField[] = [];
    let previousTag = -1;
    for (let i = 0; i < count; i++) {
      const tag = this.readUVarint();
      if (tag <= previousTag) throw new ProtocolDecodeError(`tagged fields: tag ${tag} out of order`);
      previousTag = tag;
      fields.push({ tag, data: this.readRawBytes(this.readTaggedFieldSize(), 'tagged field') });
    }
    return fields;
  }

  /** A sub-reader over the next sizeBytes bytes; this reader skips past them. */
  subReader(sizeBytes: number): Reader {
    const at = this.take(sizeBytes, 'tagged field value');
    return new Reader(this.buf, at, at + sizeBytes);
  }

  /** Fails unless every byte of the region was read. */
  expectEnd(what: string): void {
    if (this.pos !== this.end) {
      throw new ProtocolDecodeError(`${what}: ${this.end - this.pos} unexpected trailing bytes`);
    }
  }
}
