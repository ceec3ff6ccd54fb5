// 64-bit integers as JavaScript numbers. Offsets, timestamps and producer ids are read as
// numbers: exact up to 2^53, which offsets and millisecond timestamps never reach in practice.
// Writing a value that is not a safe integer is a caller bug and throws.
import { assertInvariant } from './errors.js';

const TWO_POW_32 = 0x1_0000_0000;

/** Reads a big-endian int64 at pos as a number (exact for |value| <= 2^53). */
export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_POW_32 + buf.readUInt32BE(pos + 4);
}

/** Writes a safe integer as a big-endian int64 at pos. */
export function writeInt64(buf: Buffer, pos: number, value: number): void {
  assertInvariant(Number.isSafeInteger(value), `int64 value ${value} is not a safe integer`);
  const high = Math.floor(value / TWO_POW_32);
  buf.writeInt32BE(high, pos);
  buf.writeUInt32BE(value - high * TWO_POW_32, pos + 4);
}
