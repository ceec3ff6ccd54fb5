// A record table for one v2 batch body, built in TypeScript in one validating pass over the
// bytes. Per record it keeps four int32 words: where the record starts (its attributes byte),
// its offset delta, where its value starts and the value's length (-1 for null). Everything
// else (timestamp delta, key, headers) is read from the record's bytes when asked, which the
// pass has already validated. No object is made per record.
//
// Why TypeScript and not accel: the accel interface offers decodeRecords (objects per record)
// only. A table-returning accel function (decodeRecordTable(buf, start, end, count, table))
// would let native/WASM fill the same layout; until then this pass over a Buffer is the fastest
// path measured (the WASM decoder also copies the body into its arena first).
import { limits } from '../config/limits.js';
import { RecordFormatError } from '../protocol/records/index.js';

/** Int32 words per record in RecordTable.words. */
export const RECORD_TABLE_STRIDE = 4;
const RECORD_START = 0;
const OFFSET_DELTA = 1;
const VALUE_START = 2;
/** -1 for a null value. */
const VALUE_LENGTH = 3;

/** Smallest encoded record: length, attributes, timestampDelta, offsetDelta, key, value, header count. */
const RECORD_BYTES_MIN = 7;
const VARINT_BYTES_MAX = 10;

export interface RecordTable {
  /** RECORD_TABLE_STRIDE words per record. Positions are absolute in the body buffer. */
  words: Int32Array;
  count: number;
}

/** Output of readVarint (one object, reused: decoding is synchronous). */
const varint = { value: 0, end: 0 };

/**
 * Decodes the zigzag varint or varlong at pos into `varint` (value exact within +-2^53; NaN
 * when longer than 10 bytes or cut off by the end of buf). Returns the value.
 */
function readVarint(buf: Buffer, pos: number): number {
  let raw = 0;
  let scale = 1;
  for (let i = 0; i < VARINT_BYTES_MAX; i++) {
    const byte = buf[pos + i];
    if (byte === undefined) break;
    raw += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      varint.end = pos + i + 1;
      varint.value = raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
      return varint.value;
    }
    scale *= 128;
  }
  varint.end = buf.length + 1;
  varint.value = Number.NaN;
  return Number.NaN;
}

function malformed(index: number, reason: string): never {
  throw new RecordFormatError('INVALID_RECORD', `malformed records: record ${index}: ${reason}`);
}

/** Validates the headers from pos (at their count); returns the position after them. */
function skipHeaders(buf: Buffer, pos: number, recordEnd: number, index: number): number {
  const headerCount = readVarint(buf, pos);
  if (!(headerCount >= 0 && headerCount <= limits.recordHeaderCountMax)) malformed(index, `header count ${headerCount}`);
  let at = varint.end;
  for (let h = 0; h < headerCount; h++) {
    if (bytesFieldAt(buf, at, recordEnd, index) < 0) malformed(index, 'null header key');
    bytesFieldAt(buf, varint.end, recordEnd, index);
    at = varint.end;
  }
  return at;
}

/** The zigzag varint at pos: one and two bytes inline, longer ones through readVarint; sets varint.end. */
function varintAt(buf: Buffer, pos: number): number {
  const first = buf[pos]!;
  if (first < 0x80) {
    varint.end = pos + 1;
    return zigzag(first);
  }
  const second = buf[pos + 1]!;
  if (second >= 0x80) return readVarint(buf, pos);
  varint.end = pos + 2;
  return zigzag((first & 0x7f) | (second << 7));
}

/** A length-prefixed field (-1 = null) at pos; returns its length, varint.end just after its bytes. */
function bytesFieldAt(buf: Buffer, pos: number, recordEnd: number, index: number): number {
  const length = varintAt(buf, pos);
  if (!(length >= -1) || varint.end + length > recordEnd) malformed(index, `field length ${length} runs past the record`);
  if (length > 0) varint.end += length;
  return length;
}

/** The middle of a record (after its attributes byte): timestamp and offset deltas, key, value. */
function readRecordFields(buf: Buffer, pos: number, recordEnd: number, words: Int32Array, index: number): number {
  if (Number.isNaN(varintAt(buf, pos))) malformed(index, 'bad timestampDelta');
  words[index * RECORD_TABLE_STRIDE + OFFSET_DELTA] = varintAt(buf, varint.end);
  bytesFieldAt(buf, varint.end, recordEnd, index);
  const valueLength = bytesFieldAt(buf, varint.end, recordEnd, index);
  words[index * RECORD_TABLE_STRIDE + VALUE_LENGTH] = valueLength;
  words[index * RECORD_TABLE_STRIDE + VALUE_START] = varint.end - (valueLength > 0 ? valueLength : 0);
  return varint.end;
}

/** Fills row `index` from the record at pos, any shape; returns where the record ends. */
function readRecordInto(buf: Buffer, pos: number, words: Int32Array, index: number, end: number): number {
  const recordLength = varintAt(buf, pos);
  const recordStart = varint.end;
  const recordEnd = recordStart + recordLength;
  if (!(recordLength > 0) || recordEnd > end) malformed(index, `length ${recordLength} runs past the batch`);
  words[index * RECORD_TABLE_STRIDE + RECORD_START] = recordStart;
  const headersAt = readRecordFields(buf, recordStart + 1, recordEnd, words, index);
  const after = skipHeaders(buf, headersAt, recordEnd, index);
  if (after !== recordEnd) malformed(index, 'fields do not fill the record length');
  return recordEnd;
}

/** Zigzag-decodes a raw unsigned varint value. */
function zigzag(raw: number): number {
  return (raw >>> 1) ^ -(raw & 1);
}

/**
 * The common record shape in one flat pass: record length, timestamp delta, key and value
 * lengths of one or two varint bytes, offset delta of up to three, no headers. Fills row
 * `index` and returns where the record ends, or -1 (nothing trusted) for any other shape or
 * any bad byte: readRecordInto then decodes and checks the record in full.
 */
function readPlainRecord(buf: Buffer, pos: number, words: Int32Array, index: number, end: number): number {
  let at = pos;
  let byte = buf[at]!;
  let next = buf[at + 1]!;
  const lengthRaw = byte < 0x80 ? byte : next < 0x80 ? (byte & 0x7f) | (next << 7) : -1;
  at += byte < 0x80 ? 1 : 2;
  const recordStart = at;
  const recordEnd = recordStart + zigzag(lengthRaw);
  if (lengthRaw < 0 || recordEnd > end || recordEnd <= recordStart) return -1;
  at += 1; // attributes
  byte = buf[at]!;
  next = buf[at + 1]!;
  if (!(byte < 0x80 || next < 0x80)) return -1;
  at += byte < 0x80 ? 1 : 2; // timestamp delta
  let offsetRaw = 0;
  for (let shift = 0; shift < 21; shift += 7) {
    byte = buf[at++]!;
    offsetRaw |= (byte & 0x7f) << shift;
    if (byte < 0x80) break;
  }
  if (!(byte < 0x80)) return -1;
  byte = buf[at]!;
  next = buf[at + 1]!;
  const keyRaw = byte < 0x80 ? byte : next < 0x80 ? (byte & 0x7f) | (next << 7) : -1;
  at += byte < 0x80 ? 1 : 2;
  const keyLength = zigzag(keyRaw);
  if (keyRaw < 0 || keyLength < -1 || at + keyLength > recordEnd) return -1;
  if (keyLength > 0) at += keyLength;
  byte = buf[at]!;
  next = buf[at + 1]!;
  const valueRaw = byte < 0x80 ? byte : next < 0x80 ? (byte & 0x7f) | (next << 7) : -1;
  at += byte < 0x80 ? 1 : 2;
  const valueLength = zigzag(valueRaw);
  const valueStart = at;
  if (valueRaw < 0 || valueLength < -1 || at + valueLength > recordEnd) return -1;
  if (valueLength > 0) at += valueLength;
  if (buf[at] !== 0 || at + 1 !== recordEnd) return -1; // no headers, nothing after
  const row = index * RECORD_TABLE_STRIDE;
  words[row + RECORD_START] = recordStart;
  words[row + OFFSET_DELTA] = zigzag(offsetRaw);
  words[row + VALUE_START] = valueStart;
  words[row + VALUE_LENGTH] = valueLength;
  return recordEnd;
}

/** Builds the table of `count` records in buf[start, end); RecordFormatError INVALID_RECORD on bad bytes. */
export function buildRecordTable(buf: Buffer, start: number, end: number, count: number): RecordTable {
  if (count < 0 || count > limits.batchRecordCountMax || count * RECORD_BYTES_MIN > end - start) {
    throw new RecordFormatError('INVALID_RECORD', `record count ${count} is invalid for ${end - start} bytes`);
  }
  const words = new Int32Array(count * RECORD_TABLE_STRIDE);
  let pos = start;
  for (let i = 0; i < count; i++) {
    const plainEnd = readPlainRecord(buf, pos, words, i, end);
    pos = plainEnd >= 0 ? plainEnd : readRecordInto(buf, pos, words, i, end);
  }
  if (pos !== end) throw new RecordFormatError('INVALID_RECORD', `malformed records: ${end - pos} bytes remain after ${count} records`);
  return { words, count };
}

// ---- reads of validated records, on demand ----------------------------------------------------

export function offsetDeltaOf(table: RecordTable, index: number): number {
  return table.words[index * RECORD_TABLE_STRIDE + OFFSET_DELTA]!;
}

export function valueStartOf(table: RecordTable, index: number): number {
  return table.words[index * RECORD_TABLE_STRIDE + VALUE_START]!;
}

export function valueLengthOf(table: RecordTable, index: number): number {
  return table.words[index * RECORD_TABLE_STRIDE + VALUE_LENGTH]!;
}

export function attributesOf(buf: Buffer, table: RecordTable, index: number): number {
  return buf[table.words[index * RECORD_TABLE_STRIDE + RECORD_START]!]!;
}

export function timestampDeltaOf(buf: Buffer, table: RecordTable, index: number): number {
  return readVarint(buf, table.words[index * RECORD_TABLE_STRIDE + RECORD_START]! + 1);
}

/** The key's length (-1 for null); varint.end is then the key's first byte. */
export function keyLengthOf(buf: Buffer, table: RecordTable, index: number): number {
  readVarint(buf, table.words[index * RECORD_TABLE_STRIDE + RECORD_START]! + 1);
  readVarint(buf, varint.end);
  return readVarint(buf, varint.end);
}

export function keyStartOf(buf: Buffer, table: RecordTable, index: number): number {
  keyLengthOf(buf, table, index);
  return varint.end;
}

/** Position of a record's header count. */
function headersPosition(table: RecordTable, index: number): number {
  return valueStartOf(table, index) + Math.max(valueLengthOf(table, index), 0);
}

export function headerCountOf(buf: Buffer, table: RecordTable, index: number): number {
  return readVarint(buf, headersPosition(table, index));
}

/** The headers of a record, as slices of buf. */
export function headersOf(buf: Buffer, table: RecordTable, index: number): Array<{ key: Buffer; value: Buffer | null }> {
  const headerCount = headerCountOf(buf, table, index);
  const headers = new Array<{ key: Buffer; value: Buffer | null }>(headerCount);
  let at = varint.end;
  for (let h = 0; h < headerCount; h++) {
    const keyLength = readVarint(buf, at);
    const keyStart = varint.end;
    const valueLength = readVarint(buf, keyStart + keyLength);
    const valueStart = varint.end;
    headers[h] = { key: buf.subarray(keyStart, keyStart + keyLength), value: valueLength < 0 ? null : buf.subarray(valueStart, valueStart + valueLength) };
    at = valueStart + Math.max(valueLength, 0);
  }
  return headers;
}
