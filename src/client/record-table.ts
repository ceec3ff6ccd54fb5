// A record table for one v2 batch body, built in TypeScript in one pass over the bytes: per
// record, the positions and lengths of key, value and headers, the offset delta and the
// attributes (Int32Array, RECORD_TABLE_STRIDE words per record) and the timestamp delta
// (Float64Array). No object is made per record; slices are cut only when the application asks.
//
// Why TypeScript and not accel: the accel interface offers decodeRecords (objects per record)
// only. A table-returning accel function (decodeRecordTable(buf, start, end, count, table))
// would let native/WASM fill the same layout; until then this one pass over a Buffer is the
// fastest path measured (WASM would also copy the body into its arena first).
import { limits } from '../config/limits.js';
import { RecordFormatError } from '../protocol/records/index.js';

/** Int32 words per record in RecordTable.words. */
export const RECORD_TABLE_STRIDE = 8;
export const Field = {
  attributes: 0,
  offsetDelta: 1,
  keyStart: 2,
  /** -1 for a null key. */
  keyLength: 3,
  valueStart: 4,
  /** -1 for a null value. */
  valueLength: 5,
  /** Position of the first header (just after the header count). */
  headersStart: 6,
  headerCount: 7,
} as const;

/** Smallest encoded record: length, attributes, timestampDelta, offsetDelta, key, value, header count. */
const RECORD_BYTES_MIN = 7;
const VARINT_BYTES_MAX = 10;
const TWO_POW_32 = 4294967296;

export interface RecordTable {
  /** RECORD_TABLE_STRIDE words per record, see Field. Positions are absolute in the body buffer. */
  words: Int32Array;
  timestampDeltas: Float64Array;
  count: number;
}

function malformed(index: number, reason: string): never {
  throw new RecordFormatError('INVALID_RECORD', `malformed records: record ${index}: ${reason}`);
}

/** A cursor over the body; varints are zigzag-decoded. Reads past `limit` are caught by checks. */
class BodyCursor {
  pos: number;
  constructor(readonly buf: Buffer, start: number) {
    this.pos = start;
  }

  /** A zigzag varint or varlong as a number (exact within +-2^53; longer ones are refused). */
  varint(): number {
    const buf = this.buf;
    const first = buf[this.pos++]!;
    if (first < 0x80) return (first >>> 1) ^ -(first & 1);
    const second = buf[this.pos++]!;
    if (second < 0x80) {
      const raw = (first & 0x7f) | (second << 7);
      return (raw >>> 1) ^ -(raw & 1);
    }
    return this.longVarint((first & 0x7f) | ((second & 0x7f) << 7));
  }

  private longVarint(low14: number): number {
    let raw = low14;
    let scale = 1 << 14;
    for (let i = 2; i < VARINT_BYTES_MAX; i++) {
      const byte = this.buf[this.pos++];
      if (byte === undefined) return Number.NaN;
      raw += (byte & 0x7f) * scale;
      if (byte < 0x80) return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
      scale *= 128;
      if (scale > TWO_POW_32 * TWO_POW_32) return Number.NaN;
    }
    return Number.NaN;
  }
}

/** Reads one length-prefixed field (-1 = null); returns its length and leaves pos after it. */
function skipBytesField(cursor: BodyCursor, recordEnd: number, index: number): number {
  const length = cursor.varint();
  if (!(length >= -1) || cursor.pos + Math.max(length, 0) > recordEnd) malformed(index, `field length ${length} runs past the record`);
  if (length > 0) cursor.pos += length;
  return length;
}

function skipHeaders(cursor: BodyCursor, headerCount: number, recordEnd: number, index: number): void {
  for (let h = 0; h < headerCount; h++) {
    if (skipBytesField(cursor, recordEnd, index) < 0) malformed(index, 'null header key');
    skipBytesField(cursor, recordEnd, index);
  }
}

function readRecordInto(cursor: BodyCursor, table: RecordTable, index: number, end: number): void {
  const recordLength = cursor.varint();
  const recordEnd = cursor.pos + recordLength;
  if (!(recordLength > 0) || recordEnd > end) malformed(index, `length ${recordLength} runs past the batch`);
  const words = table.words;
  const base = index * RECORD_TABLE_STRIDE;
  words[base + Field.attributes] = cursor.buf[cursor.pos++]!;
  table.timestampDeltas[index] = cursor.varint();
  words[base + Field.offsetDelta] = cursor.varint();
  words[base + Field.keyLength] = skipBytesField(cursor, recordEnd, index);
  words[base + Field.keyStart] = cursor.pos - Math.max(words[base + Field.keyLength]!, 0);
  words[base + Field.valueLength] = skipBytesField(cursor, recordEnd, index);
  words[base + Field.valueStart] = cursor.pos - Math.max(words[base + Field.valueLength]!, 0);
  const headerCount = cursor.varint();
  if (!(headerCount >= 0 && headerCount <= limits.recordHeaderCountMax)) malformed(index, `header count ${headerCount}`);
  words[base + Field.headersStart] = cursor.pos;
  words[base + Field.headerCount] = headerCount;
  if (headerCount > 0) skipHeaders(cursor, headerCount, recordEnd, index);
  if (cursor.pos !== recordEnd || Number.isNaN(table.timestampDeltas[index]!)) malformed(index, 'fields do not fill the record length');
}

/** Builds the table of `count` records in buf[start, end); RecordFormatError INVALID_RECORD on bad bytes. */
export function buildRecordTable(buf: Buffer, start: number, end: number, count: number): RecordTable {
  if (count < 0 || count > limits.batchRecordCountMax || count * RECORD_BYTES_MIN > end - start) {
    throw new RecordFormatError('INVALID_RECORD', `record count ${count} is invalid for ${end - start} bytes`);
  }
  const table: RecordTable = { words: new Int32Array(count * RECORD_TABLE_STRIDE), timestampDeltas: new Float64Array(count), count };
  const cursor = new BodyCursor(buf, start);
  for (let i = 0; i < count; i++) readRecordInto(cursor, table, i, end);
  if (cursor.pos !== end) throw new RecordFormatError('INVALID_RECORD', `malformed records: ${end - cursor.pos} bytes remain after ${count} records`);
  return table;
}

/** Parses the headers of one record from the table (slices of buf, made only when asked). */
export function readHeadersAt(buf: Buffer, table: RecordTable, index: number): Array<{ key: Buffer; value: Buffer | null }> {
  const base = index * RECORD_TABLE_STRIDE;
  const headerCount = table.words[base + Field.headerCount]!;
  const headers = new Array<{ key: Buffer; value: Buffer | null }>(headerCount);
  const cursor = new BodyCursor(buf, table.words[base + Field.headersStart]!);
  for (let h = 0; h < headerCount; h++) {
    const keyLength = cursor.varint();
    const key = buf.subarray(cursor.pos, cursor.pos + keyLength);
    cursor.pos += keyLength;
    const valueLength = cursor.varint();
    const value = valueLength < 0 ? null : buf.subarray(cursor.pos, cursor.pos + valueLength);
    cursor.pos += Math.max(valueLength, 0);
    headers[h] = { key, value };
  }
  return headers;
}
