// scanRecords, the TypeScript reference: one pass over a v2 record body that applies exactly
// decodeRecords' rules (records.ts) but keeps only what Produce validation needs (timestamp
// delta range, null keys, offsetDelta order). No per-record allocation: the cursor is module
// state and the result object is reused. On malformed input it runs decodeRecords, whose error
// is the one to report; decodeRecords accepting what the scan rejected is a bug.
import { limits } from '../../config/limits.js';
import type { RecordScan } from '../types.js';
import { invariant } from './invariant.js';
import { checkRecordsArguments, decodeRecords } from './records.js';
import { VARINT_BYTES_MAX, VARLONG_BYTES_MAX } from './varint.js';

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const NULL_LENGTH = -1;
/** A record's length varint counts at least attributes and six one-byte varints. */
const RECORD_LENGTH_MIN = 6;
/** Returned by the readers for malformed input (every comparison with it is false). */
const BAD = Number.NaN;
const FIELD_NULL = 1;
const FIELD_PRESENT = 0;
const FIELD_BAD = -1;

/** Held only during a scan, so the scanned buffer is not kept alive. */
const NO_BYTES = Buffer.alloc(0);
let bytes: Buffer = NO_BYTES;
let cursor = 0;
const result: RecordScan = { timestampDeltaMin: 0, timestampDeltaMax: 0, nullKeyCount: 0, offsetDeltaMismatchIndex: -1 };

/** A zigzag varint of at most bytesMax bytes below limit, or BAD (truncated, too long, unsafe). */
function readZigzag(limit: number, bytesMax: number): number {
  if (cursor >= limit) return BAD;
  const first = bytes[cursor]!;
  if (first < 0x80) {
    cursor++;
    return first & 1 ? -((first + 1) >>> 1) : first >>> 1;
  }
  const signBit = first & 1;
  let encodedEven = 0;
  let scale = 1;
  for (let i = 0; i < bytesMax; i++) {
    if (cursor >= limit) return BAD;
    const byte = bytes[cursor++]!;
    encodedEven += (i === 0 ? byte & 0x7e : byte & 0x7f) * scale;
    if (byte < 0x80) {
      const value = signBit === 0 ? encodedEven / 2 : -(encodedEven / 2) - 1;
      return Number.isSafeInteger(value) ? value : BAD;
    }
    scale *= 128;
  }
  return BAD;
}

function readInt32(limit: number): number {
  const value = readZigzag(limit, VARINT_BYTES_MAX);
  return value >= INT32_MIN && value <= INT32_MAX ? value : BAD;
}

/** Skips a length-prefixed field; FIELD_NULL, FIELD_PRESENT or FIELD_BAD. */
function skipField(limit: number, nullable: boolean): number {
  const length = readInt32(limit);
  if (length === NULL_LENGTH && nullable) return FIELD_NULL;
  if (!(length >= 0) || length > limit - cursor) return FIELD_BAD;
  cursor += length;
  return FIELD_PRESENT;
}

function skipHeaders(recordEnd: number): boolean {
  const headerCount = readInt32(recordEnd);
  if (!(headerCount >= 0) || headerCount > limits.recordHeaderCountMax || headerCount * 2 > recordEnd - cursor) return false;
  for (let i = 0; i < headerCount; i++) {
    if (skipField(recordEnd, false) === FIELD_BAD || skipField(recordEnd, true) === FIELD_BAD) return false;
  }
  return true;
}

function noteTimestampDelta(timestampDelta: number, index: number): void {
  if (index === 0 || timestampDelta < result.timestampDeltaMin) result.timestampDeltaMin = timestampDelta;
  if (index === 0 || timestampDelta > result.timestampDeltaMax) result.timestampDeltaMax = timestampDelta;
}

/** Scans the record at cursor; false if it is malformed. */
function scanRecord(end: number, index: number): boolean {
  const length = readInt32(end);
  if (!(length >= RECORD_LENGTH_MIN) || length > end - cursor) return false;
  const recordEnd = cursor + length;
  cursor++; // attributes
  const timestampDelta = readZigzag(recordEnd, VARLONG_BYTES_MAX);
  const offsetDelta = readInt32(recordEnd);
  if (Number.isNaN(timestampDelta) || Number.isNaN(offsetDelta)) return false;
  noteTimestampDelta(timestampDelta, index);
  if (offsetDelta !== index && result.offsetDeltaMismatchIndex < 0) result.offsetDeltaMismatchIndex = index;
  const key = skipField(recordEnd, true);
  if (key === FIELD_NULL) result.nullKeyCount++;
  if (key === FIELD_BAD || skipField(recordEnd, true) === FIELD_BAD || !skipHeaders(recordEnd)) return false;
  return cursor === recordEnd;
}

function resetResult(): void {
  result.timestampDeltaMin = 0;
  result.timestampDeltaMax = 0;
  result.nullKeyCount = 0;
  result.offsetDeltaMismatchIndex = -1;
}

/** Throws decodeRecords' error for a body the scan rejected. */
function rejectBody(buf: Buffer, start: number, end: number, count: number): never {
  decodeRecords(buf, start, end, count);
  invariant(false, () => `scanRecords rejected a body of ${count} records that decodeRecords accepts`);
}

/** Checks that buf[start, end) holds exactly count records; the result is reused by the next call. */
export function scanRecords(buf: Buffer, start: number, end: number, count: number): RecordScan {
  checkRecordsArguments(buf, start, end, count);
  resetResult();
  bytes = buf;
  cursor = start;
  let wellFormed = true;
  for (let index = 0; index < count && wellFormed; index++) wellFormed = scanRecord(end, index);
  const trailing = cursor !== end;
  bytes = NO_BYTES;
  if (!wellFormed || trailing) rejectBody(buf, start, end, count);
  return result;
}
