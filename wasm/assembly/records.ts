// Kafka v2 record bodies: the records that follow the 61-byte batch header.
//
// Encode input (laid out by src/accel/wasm.ts):
//   meta  i32[]: per record keyLen, valueLen, headerCount, then per header keyLen, valueLen
//                (-1 is null; a header key is never null)
//   times f64[]: per record timestampDelta (a safe integer)
//   data  u8[]:  per record key, value, then per header key, value, all concatenated
// Decode output table (offsets relative to the body start):
//   per record, RECORD_ENTRY_BYTES: i32 attributes, i32 offsetDelta, f64 timestampDelta,
//     i32 keyOffset, i32 keyLen, i32 valueOffset, i32 valueLen, i32 headerCount, i32 pad
//   then per header, HEADER_ENTRY_BYTES: i32 keyOffset, keyLen, valueOffset, valueLen

import { ERR_OUTPUT_FULL, ERR_RECORD, ERR_TRUNCATED } from './errors';
import {
  SAFE_INTEGER_MAX, readPos, readValue, readVarint, readVarlong, uvarintSize, writeUvarint,
  zigzag32, zigzag64,
} from './varint';

export const RECORD_ENTRY_BYTES: i32 = 40;
export const HEADER_ENTRY_BYTES: i32 = 16;

// Why the last decode failed (recordErrorReason) and in which record (recordErrorIndex).
export const REASON_BAD_VARINT: i32 = 1;
export const REASON_TRUNCATED: i32 = 2;
export const REASON_LENGTH: i32 = 3;
export const REASON_KEY_LENGTH: i32 = 4;
export const REASON_VALUE_LENGTH: i32 = 5;
export const REASON_HEADER_COUNT: i32 = 6;
export const REASON_HEADER_KEY_LENGTH: i32 = 7;
export const REASON_HEADER_VALUE_LENGTH: i32 = 8;
export const REASON_SIZE_MISMATCH: i32 = 9;
export const REASON_TRAILING_BYTES: i32 = 10;
export const REASON_TIMESTAMP: i32 = 11;

let errorReason: i32 = 0;
let errorIndex: i32 = 0;

export function recordErrorReason(): i32 {
  return errorReason;
}

export function recordErrorIndex(): i32 {
  return errorIndex;
}

// @ts-ignore: decorator
@inline function lengthFieldSize(len: i32): i32 {
  return uvarintSize(<u64>zigzag32(len)) + (len > 0 ? len : 0);
}

/** Size of one record after its length varint; meta points at its keyLen. */
function recordBodySize(meta: usize, timestampDelta: i64, index: i32): i32 {
  const headerCount = load<i32>(meta, 8);
  let size = 1 + uvarintSize(zigzag64(timestampDelta)) + uvarintSize(<u64>zigzag32(index));
  size += lengthFieldSize(load<i32>(meta)) + lengthFieldSize(load<i32>(meta, 4));
  size += uvarintSize(<u64>zigzag32(headerCount));
  let h = meta + 12;
  for (let i = 0; i < headerCount; i++) {
    size += lengthFieldSize(load<i32>(h)) + lengthFieldSize(load<i32>(h, 4));
    h += 8;
  }
  return size;
}

/** Writes a length varint and, if not null, the bytes; advances the data cursor. */
// @ts-ignore: decorator
@inline function writeField(op: usize, data: usize, len: i32): usize {
  op = writeUvarint(op, <u64>zigzag32(len));
  if (len > 0) memory.copy(op, data, <usize>len);
  return op + (len > 0 ? <usize>len : 0);
}

/**
 * Encodes count records into [outPtr, outPtr + outCap). Returns the body size, or
 * ERR_OUTPUT_FULL if the caller's bound was too small (an internal error).
 */
export function encodeRecords(
  count: i32, metaPtr: usize, timesPtr: usize, dataPtr: usize, outPtr: usize, outCap: usize,
): i32 {
  let meta = metaPtr;
  let data = dataPtr;
  let op = outPtr;
  const outEnd = outPtr + outCap;
  for (let index = 0; index < count; index++) {
    const timestampDelta = <i64>load<f64>(timesPtr + (<usize>index << 3));
    const bodySize = recordBodySize(meta, timestampDelta, index);
    if (<usize>(bodySize + 5) > outEnd - op) return ERR_OUTPUT_FULL;
    op = writeUvarint(op, <u64>zigzag32(bodySize));
    store<u8>(op, 0);
    op = writeUvarint(op + 1, zigzag64(timestampDelta));
    op = writeUvarint(op, <u64>zigzag32(index));
    const keyLen = load<i32>(meta);
    const valueLen = load<i32>(meta, 4);
    const headerCount = load<i32>(meta, 8);
    op = writeField(op, data, keyLen);
    data += (keyLen > 0 ? <usize>keyLen : 0);
    op = writeField(op, data, valueLen);
    data += (valueLen > 0 ? <usize>valueLen : 0);
    op = writeUvarint(op, <u64>zigzag32(headerCount));
    meta += 12;
    for (let i = 0; i < headerCount; i++) {
      const hKeyLen = load<i32>(meta);
      const hValueLen = load<i32>(meta, 4);
      op = writeField(op, data, hKeyLen);
      data += (hKeyLen > 0 ? <usize>hKeyLen : 0);
      op = writeField(op, data, hValueLen);
      data += (hValueLen > 0 ? <usize>hValueLen : 0);
      meta += 8;
    }
  }
  return <i32>(op - outPtr);
}

// Decoding state of the record being read; fail() records why and returns ERR_RECORD.
let cursor: usize = 0;

function fail(reason: i32): i32 {
  errorReason = reason;
  return ERR_RECORD;
}

/** Reads a varint at cursor within end; returns 0 or ERR_RECORD. Result in readValue. */
function nextVarint(end: usize): i32 {
  readVarint(cursor, end);
  if (readPos < 0) return fail(readPos == ERR_TRUNCATED ? REASON_TRUNCATED : REASON_BAD_VARINT);
  cursor = <usize>readPos;
  return 0;
}

/** Reads a length-prefixed field (minLength -1 allows null); writes offset, length at entry. */
function nextField(end: usize, base: usize, entry: usize, minLength: i32, reason: i32): i32 {
  if (nextVarint(end) < 0) return ERR_RECORD;
  const len = <i32>readValue;
  if (len < minLength) return fail(reason);
  if (len > 0 && <usize>len > end - cursor) return fail(REASON_TRUNCATED);
  store<i32>(entry, len < 0 ? 0 : <i32>(cursor - base));
  store<i32>(entry, len, 4);
  if (len > 0) cursor += <usize>len;
  return 0;
}

// What openRecord read of the record at cursor.
let openedRecordEnd: usize = 0;
let openedAttributes: i32 = 0;
let openedTimestampDelta: i64 = 0;

/** Reads a record's length, attributes and timestampDelta at cursor; returns 0 or ERR_RECORD. */
function openRecord(end: usize): i32 {
  if (nextVarint(end) < 0) return ERR_RECORD;
  const size = <i32>readValue;
  if (size < 0 || <usize>size > end - cursor) return fail(size < 0 ? REASON_LENGTH : REASON_TRUNCATED);
  if (size == 0) return fail(REASON_LENGTH);
  openedRecordEnd = cursor + <usize>size;
  openedAttributes = <i32>load<u8>(cursor);
  cursor++;
  readVarlong(cursor, openedRecordEnd);
  if (readPos < 0) return fail(readPos == ERR_TRUNCATED ? REASON_TRUNCATED : REASON_BAD_VARINT);
  cursor = <usize>readPos;
  openedTimestampDelta = readValue;
  if (openedTimestampDelta > SAFE_INTEGER_MAX || openedTimestampDelta < -SAFE_INTEGER_MAX) return fail(REASON_TIMESTAMP);
  return 0;
}

/** Decodes one record at cursor into the table at entry; returns the table bytes used. */
function decodeOne(
  base: usize, end: usize, index: i32, entry: usize, tableEnd: usize, headerCountMax: i32,
): i32 {
  if (openRecord(end) < 0) return ERR_RECORD;
  const recordEnd = openedRecordEnd;
  store<i32>(entry, openedAttributes);
  store<f64>(entry, <f64>openedTimestampDelta, 8);
  if (nextVarint(recordEnd) < 0) return ERR_RECORD;
  store<i32>(entry, <i32>readValue, 4);
  if (nextField(recordEnd, base, entry + 16, -1, REASON_KEY_LENGTH) < 0) return ERR_RECORD;
  if (nextField(recordEnd, base, entry + 24, -1, REASON_VALUE_LENGTH) < 0) return ERR_RECORD;
  if (nextVarint(recordEnd) < 0) return ERR_RECORD;
  const headerCount = <i32>readValue;
  if (headerCount < 0 || headerCount > headerCountMax) return fail(REASON_HEADER_COUNT);
  if (<usize>headerCount * 2 > recordEnd - cursor) return fail(REASON_HEADER_COUNT);
  store<i32>(entry, headerCount, 32);
  let h = entry + <usize>RECORD_ENTRY_BYTES;
  for (let i = 0; i < headerCount; i++) {
    if (<usize>HEADER_ENTRY_BYTES > tableEnd - h) return ERR_OUTPUT_FULL;
    if (nextField(recordEnd, base, h, 0, REASON_HEADER_KEY_LENGTH) < 0) return ERR_RECORD;
    if (nextField(recordEnd, base, h + 8, -1, REASON_HEADER_VALUE_LENGTH) < 0) return ERR_RECORD;
    h += <usize>HEADER_ENTRY_BYTES;
  }
  if (cursor != recordEnd) return fail(REASON_SIZE_MISMATCH);
  return <i32>(h - entry);
}

/**
 * Decodes exactly count records from [inPtr, inPtr + inLen) into the table at tablePtr.
 * Returns the table bytes used, ERR_OUTPUT_FULL (table too small: retry with more), or
 * ERR_RECORD with recordErrorReason()/recordErrorIndex() set.
 */
export function decodeRecords(
  inPtr: usize, inLen: usize, count: i32, tablePtr: usize, tableCap: usize, headerCountMax: i32,
): i32 {
  const end = inPtr + inLen;
  const tableEnd = tablePtr + tableCap;
  cursor = inPtr;
  errorReason = 0;
  let entry = tablePtr;
  for (let index = 0; index < count; index++) {
    errorIndex = index;
    if (<usize>RECORD_ENTRY_BYTES > tableEnd - entry) return ERR_OUTPUT_FULL;
    const used = decodeOne(inPtr, end, index, entry, tableEnd, headerCountMax);
    if (used < 0) return used;
    entry += <usize>used;
  }
  errorIndex = count;
  if (cursor != end) return fail(REASON_TRAILING_BYTES);
  return <i32>(entry - tablePtr);
}

// ---- scanRecords: decodeRecords' checks without the table ---------------------------------
// Output at outPtr (SCAN_RESULT_BYTES): f64 timestampDeltaMin, f64 timestampDeltaMax,
// i32 nullKeyCount, i32 offsetDeltaMismatchIndex (-1 if every offsetDelta is its index).

export const SCAN_RESULT_BYTES: i32 = 24;

let scanDeltaMin: i64 = 0;
let scanDeltaMax: i64 = 0;
let scanNullKeys: i32 = 0;
let scanMismatchIndex: i32 = -1;

/** Skips a length-prefixed field (minLength -1 allows null); returns its length or ERR_RECORD. */
function skipField(end: usize, minLength: i32, reason: i32): i32 {
  if (nextVarint(end) < 0) return ERR_RECORD;
  const len = <i32>readValue;
  if (len < minLength) return fail(reason);
  if (len > 0 && <usize>len > end - cursor) return fail(REASON_TRUNCATED);
  if (len > 0) cursor += <usize>len;
  return len;
}

function scanHeaders(recordEnd: usize, headerCountMax: i32): i32 {
  if (nextVarint(recordEnd) < 0) return ERR_RECORD;
  const headerCount = <i32>readValue;
  if (headerCount < 0 || headerCount > headerCountMax) return fail(REASON_HEADER_COUNT);
  if (<usize>headerCount * 2 > recordEnd - cursor) return fail(REASON_HEADER_COUNT);
  for (let i = 0; i < headerCount; i++) {
    if (skipField(recordEnd, 0, REASON_HEADER_KEY_LENGTH) == ERR_RECORD) return ERR_RECORD;
    if (skipField(recordEnd, -1, REASON_HEADER_VALUE_LENGTH) == ERR_RECORD) return ERR_RECORD;
  }
  return 0;
}

function noteRecord(timestampDelta: i64, offsetDelta: i32, index: i32): void {
  if (index == 0 || timestampDelta < scanDeltaMin) scanDeltaMin = timestampDelta;
  if (index == 0 || timestampDelta > scanDeltaMax) scanDeltaMax = timestampDelta;
  if (offsetDelta != index && scanMismatchIndex < 0) scanMismatchIndex = index;
}

/** Scans one record at cursor; returns 0 or ERR_RECORD (with the reason set). */
function scanOne(end: usize, index: i32, headerCountMax: i32): i32 {
  if (openRecord(end) < 0) return ERR_RECORD;
  const recordEnd = openedRecordEnd;
  if (nextVarint(recordEnd) < 0) return ERR_RECORD;
  noteRecord(openedTimestampDelta, <i32>readValue, index);
  const keyLen = skipField(recordEnd, -1, REASON_KEY_LENGTH);
  if (keyLen == ERR_RECORD) return ERR_RECORD;
  if (keyLen < 0) scanNullKeys++;
  if (skipField(recordEnd, -1, REASON_VALUE_LENGTH) == ERR_RECORD) return ERR_RECORD;
  if (scanHeaders(recordEnd, headerCountMax) < 0) return ERR_RECORD;
  if (cursor != recordEnd) return fail(REASON_SIZE_MISMATCH);
  return 0;
}

/**
 * Checks that [inPtr, inPtr + inLen) holds exactly count records by decodeRecords' rules and
 * writes the scan result at outPtr. Returns 0, or ERR_RECORD with recordErrorReason() and
 * recordErrorIndex() set.
 */
export function scanRecords(inPtr: usize, inLen: usize, count: i32, outPtr: usize, headerCountMax: i32): i32 {
  const end = inPtr + inLen;
  cursor = inPtr;
  errorReason = 0;
  scanDeltaMin = 0;
  scanDeltaMax = 0;
  scanNullKeys = 0;
  scanMismatchIndex = -1;
  for (let index = 0; index < count; index++) {
    errorIndex = index;
    if (scanOne(end, index, headerCountMax) < 0) return ERR_RECORD;
  }
  errorIndex = count;
  if (cursor != end) return fail(REASON_TRAILING_BYTES);
  store<f64>(outPtr, <f64>scanDeltaMin);
  store<f64>(outPtr, <f64>scanDeltaMax, 8);
  store<i32>(outPtr, scanNullKeys, 16);
  store<i32>(outPtr, scanMismatchIndex, 20);
  return 0;
}
