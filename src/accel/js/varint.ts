// Zigzag varints as Kafka's v2 records use them: varint (32-bit, up to 5 bytes) and varlong
// (64-bit, up to 10 bytes), both restricted here to JavaScript safe integers.
import { RecordDecodeError } from '../types.js';
import { invariant } from './invariant.js';

export const VARINT_BYTES_MAX = 5;
export const VARLONG_BYTES_MAX = 10;
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const TWO_POW_32 = 0x100000000;

// Zigzag of a safe integer can be odd and above 2^53, where doubles are not exact. So the
// zigzag value is handled as (even part, sign bit): the even part 2*v or 2*(-v-1) is always
// exact, and the sign bit is bit 0 of the first byte.

function zigzagEven(value: number): number {
  return value >= 0 ? value * 2 : (-value - 1) * 2;
}

/** Values in this range zigzag into an unsigned 32-bit integer with plain bit operations. */
const SMALL_MIN = -0x40000000;
const SMALL_MAX = 0x3fffffff;

function smallZigzag(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

/** Bytes the zigzag varlong of value takes. */
export function varlongSize(value: number): number {
  if (value >= SMALL_MIN && value <= SMALL_MAX) {
    const encoded = smallZigzag(value);
    return encoded < 0x80 ? 1 : encoded < 0x4000 ? 2 : encoded < 0x200000 ? 3 : encoded < 0x10000000 ? 4 : 5;
  }
  let encoded = zigzagEven(value);
  let size = 1;
  while (encoded >= 128) {
    encoded = Math.floor(encoded / 128);
    size++;
  }
  return size;
}

/** Writes the zigzag varlong of value at buf[offset]; returns the offset after it. */
export function writeVarlong(buf: Buffer, offset: number, value: number): number {
  if (value >= SMALL_MIN && value <= SMALL_MAX) return writeSmall(buf, offset, smallZigzag(value));
  let encoded = zigzagEven(value);
  let signBit = value < 0 ? 1 : 0;
  while (encoded >= TWO_POW_32) {
    buf[offset++] = (encoded % 128) | signBit | 0x80;
    signBit = 0;
    encoded = Math.floor(encoded / 128);
  }
  return writeSmall(buf, offset, (encoded + signBit) >>> 0);
}

/** Writes an unsigned 32-bit varint. */
function writeSmall(buf: Buffer, offset: number, encoded: number): number {
  while (encoded >= 128) {
    buf[offset++] = (encoded & 0x7f) | 0x80;
    encoded >>>= 7;
  }
  buf[offset++] = encoded;
  return offset;
}

export function checkSafeInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} ${value} is not a safe integer`);
}

export function checkInt32(value: number, what: string): void {
  if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
    throw new RangeError(`${what} ${value} is not a 32-bit signed integer`);
  }
}

/** A cursor over buf[.., end) for decoding; every read checks the bytes left. */
export class VarintReader {
  offset: number;
  /** Which item (record, varint) is being read, for error messages only. */
  itemIndex = 0;
  constructor(
    readonly buf: Buffer,
    offset: number,
    readonly end: number,
    /** 'record' or 'varint': names the items in error messages. */
    readonly itemName: string,
  ) {
    this.offset = offset;
  }

  /** A RecordDecodeError naming the item and field; built only when input is bad. */
  error(field: string, problem: string): RecordDecodeError {
    return new RecordDecodeError(`${this.itemName} ${this.itemIndex} ${field}: ${problem}`);
  }

  /** Reads one zigzag varint of at most maxBytes bytes. */
  read(maxBytes: number, what: string): number {
    const { buf, end } = this;
    if (this.offset >= end) throw this.error(what, `varint truncated at byte ${this.offset}`);
    const first = buf[this.offset]!;
    if (first < 0x80) {
      this.offset++;
      return first & 1 ? -((first + 1) >>> 1) : first >>> 1;
    }
    const signBit = first & 1;
    let encodedEven = 0;
    let scale = 1;
    for (let i = 0; i < maxBytes; i++) {
      if (this.offset >= end) throw this.error(what, `varint truncated at byte ${this.offset}`);
      const byte = buf[this.offset++]!;
      encodedEven += (i === 0 ? byte & 0x7e : byte & 0x7f) * scale;
      if (byte < 0x80) return this.unzigzag(encodedEven, signBit, what);
      scale *= 128;
    }
    throw this.error(what, `varint longer than ${maxBytes} bytes at byte ${this.offset - maxBytes}`);
  }

  /** Unzigzags; over-long encodings (trailing zero groups) are accepted, as Kafka accepts them. */
  private unzigzag(encodedEven: number, signBit: number, what: string): number {
    // encodedEven is exact up to 2^54 - 2; above, the value is outside the safe range anyway.
    const magnitude = encodedEven / 2;
    const value = signBit === 0 ? magnitude : -magnitude - 1;
    if (!Number.isSafeInteger(value)) throw this.error(what, 'varlong value is outside the safe integer range');
    return value;
  }

  readVarint(what: string): number {
    const value = this.read(VARINT_BYTES_MAX, what);
    if (value < INT32_MIN || value > INT32_MAX) throw this.error(what, `${value} overflows a 32-bit varint`);
    return value;
  }

  readVarlong(what: string): number {
    return this.read(VARLONG_BYTES_MAX, what);
  }
}

/** Zigzag varlong encoding of each value (safe integers), concatenated. */
export function encodeVarints(values: readonly number[]): Buffer {
  let size = 0;
  for (const value of values) {
    checkSafeInteger(value, 'varint value');
    size += varlongSize(value);
  }
  const out = Buffer.allocUnsafe(size);
  let offset = 0;
  for (const value of values) offset = writeVarlong(out, offset, value);
  invariant(offset === size, () => `encodeVarints wrote ${offset} of ${size} bytes`);
  return out;
}

/** Decodes count zigzag varlongs from buf at offset. */
export function decodeVarints(buf: Buffer, offset: number, count: number): number[] {
  if (!Number.isInteger(offset) || offset < 0 || offset > buf.length) {
    throw new RecordDecodeError(`offset ${offset} is outside a buffer of ${buf.length} bytes`);
  }
  if (!Number.isInteger(count) || count < 0 || count > buf.length - offset) {
    throw new RecordDecodeError(`count ${count} varints cannot fit in ${buf.length - offset} bytes`);
  }
  const reader = new VarintReader(buf, offset, buf.length, 'varint');
  // push, not new Array(count): V8 gives large preallocated arrays slow dictionary elements.
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    reader.itemIndex = i;
    values.push(reader.readVarlong('value'));
  }
  return values;
}
