// Unsigned LEB128 varints with zigzag signs, as Kafka's v2 records use them.
// Readers take an explicit end and report failure through a negative cursor, never a trap.

import { ERR_CORRUPT, ERR_TRUNCATED } from './errors';

/** Largest magnitude a JS number holds exactly: 2^53 - 1. */
export const SAFE_INTEGER_MAX: i64 = 9007199254740991;

/** Cursor and value of the last read; `readPos` < 0 is an error code. */
export let readPos: isize = 0;
export let readValue: i64 = 0;

// @ts-ignore: decorator
@inline export function zigzag64(value: i64): u64 {
  return <u64>((value << 1) ^ (value >> 63));
}

// @ts-ignore: decorator
@inline export function zigzag32(value: i32): u32 {
  return <u32>((value << 1) ^ (value >> 31));
}

/** Bytes the unsigned LEB128 form of value takes. */
// @ts-ignore: decorator
@inline export function uvarintSize(value: u64): i32 {
  const bits = 64 - <i32>clz<u64>(value | 1);
  return (bits + 6) / 7;
}

/** Writes value as unsigned LEB128 at p; returns the position after it. */
// @ts-ignore: decorator
@inline export function writeUvarint(p: usize, value: u64): usize {
  let v = value;
  while (v >= 0x80) {
    store<u8>(p, <u8>(v | 0x80));
    p++;
    v >>= 7;
  }
  store<u8>(p, <u8>v);
  return p + 1;
}

/**
 * Reads an unsigned LEB128 of at most maxBytes bytes from [p, end). Sets readValue (the raw,
 * un-zigzagged bits) and readPos (the position after it, or ERR_TRUNCATED / ERR_CORRUPT).
 */
export function readUvarint(p: usize, end: usize, maxBytes: i32): void {
  let result: u64 = 0;
  let shift: u64 = 0;
  for (let i = 0; i < maxBytes; i++) {
    if (p >= end) {
      readPos = ERR_TRUNCATED;
      return;
    }
    const b = <u64>load<u8>(p);
    p++;
    // The 10th byte of a varlong holds bit 63 only; more would not fit 64 bits.
    if (i == 9 && b > 1) break;
    result |= (b & 0x7f) << shift;
    if (b < 0x80) {
      readValue = <i64>result;
      readPos = <isize>p;
      return;
    }
    shift += 7;
  }
  readPos = ERR_CORRUPT;
}

/** Reads a zigzag varint (int32, at most 5 bytes). */
// @ts-ignore: decorator
@inline export function readVarint(p: usize, end: usize): void {
  readUvarint(p, end, 5);
  if (readPos >= 0 && <u64>readValue > 0xffffffff) readPos = ERR_CORRUPT;
  const raw = <u32>readValue;
  readValue = <i64>(<i32>((raw >>> 1) ^ (0 - (raw & 1))));
}

/** Reads a zigzag varlong (int64, at most 10 bytes). */
// @ts-ignore: decorator
@inline export function readVarlong(p: usize, end: usize): void {
  readUvarint(p, end, 10);
  const raw = <u64>readValue;
  readValue = <i64>((raw >>> 1) ^ (0 - (raw & 1)));
}

/**
 * Encodes count f64 values (safe integers, checked by the caller) at inPtr as zigzag varlongs
 * at outPtr. The caller provides count * 10 bytes. Returns the bytes written.
 */
export function encodeVarlongs(inPtr: usize, count: i32, outPtr: usize): i32 {
  let op = outPtr;
  for (let i = 0; i < count; i++) {
    const value = <i64>load<f64>(inPtr + (<usize>i << 3));
    op = writeUvarint(op, zigzag64(value));
  }
  return <i32>(op - outPtr);
}

/**
 * Decodes count zigzag varlongs from [inPtr, inPtr + inLen) into f64s at outPtr. Returns the
 * bytes consumed, ERR_TRUNCATED, or ERR_CORRUPT (too long, or not a safe integer).
 */
export function decodeVarlongs(inPtr: usize, inLen: usize, count: i32, outPtr: usize): i32 {
  let p = inPtr;
  const end = inPtr + inLen;
  for (let i = 0; i < count; i++) {
    readVarlong(p, end);
    if (readPos < 0) return <i32>readPos;
    const value = readValue;
    if (value > SAFE_INTEGER_MAX || value < -SAFE_INTEGER_MAX) return ERR_CORRUPT;
    store<f64>(outPtr + (<usize>i << 3), <f64>value);
    p = <usize>readPos;
  }
  return <i32>(p - inPtr);
}
