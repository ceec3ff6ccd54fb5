// Kafka v2 record bodies: the concatenation of records that follows a batch's 61-byte header.
// record := length varint, attributes int8, timestampDelta varlong, offsetDelta varint,
//           keyLength varint (-1 = null), key, valueLength varint (-1 = null), value,
//           headerCount varint, headers (keyLength varint, key, valueLength varint, value)
import { limits } from '../../config/limits.js';
import { RecordDecodeError, type DecodedRecord, type RecordHeader, type RecordInput } from '../types.js';
import { invariant } from './invariant.js';
import { checkInt32, checkSafeInteger, VarintReader, varlongSize, writeVarlong } from './varint.js';

const NULL_LENGTH = -1;
/** length, attributes, timestampDelta, offsetDelta, keyLength, valueLength, headerCount. */
const RECORD_BYTES_MIN = 7;

function bytesSize(bytes: Buffer | null): number {
  return bytes === null ? 1 : varlongSize(bytes.length) + bytes.length;
}

function headersSize(headers: readonly RecordHeader[]): number {
  let size = varlongSize(headers.length);
  for (const header of headers) size += bytesSize(header.key) + bytesSize(header.value);
  return size;
}

/** Size of one record's body (everything after its length varint). */
function bodySize(record: RecordInput, offsetDelta: number): number {
  const timestampDelta = record.timestampDelta ?? 0;
  checkSafeInteger(timestampDelta, 'timestampDelta');
  return (
    1 +
    varlongSize(timestampDelta) +
    varlongSize(offsetDelta) +
    bytesSize(record.key) +
    bytesSize(record.value) +
    headersSize(record.headers ?? [])
  );
}

/** Shorter copies go byte by byte: Buffer.copy allocates a view per call. */
const SHORT_COPY_BYTES = 64;

function writeBytes(out: Buffer, offset: number, bytes: Buffer | null): number {
  if (bytes === null) return writeVarlong(out, offset, NULL_LENGTH);
  const at = writeVarlong(out, offset, bytes.length);
  const length = bytes.length;
  if (length >= SHORT_COPY_BYTES) bytes.copy(out, at);
  else for (let k = 0; k < length; k++) out[at + k] = bytes[k]!;
  return at + length;
}

function writeRecord(out: Buffer, offset: number, record: RecordInput, index: number, size: number): number {
  let at = writeVarlong(out, offset, size);
  out[at++] = 0;
  at = writeVarlong(out, at, record.timestampDelta ?? 0);
  at = writeVarlong(out, at, index);
  at = writeBytes(out, at, record.key);
  at = writeBytes(out, at, record.value);
  const headers = record.headers ?? [];
  at = writeVarlong(out, at, headers.length);
  for (const header of headers) {
    at = writeBytes(out, at, header.key);
    at = writeBytes(out, at, header.value);
  }
  return at;
}

/** Encodes records as a v2 batch body: sizes first, one allocation, then one pass of writes. */
export function encodeRecords(records: readonly RecordInput[]): Buffer {
  const sizes = new Array<number>(records.length);
  let total = 0;
  for (let i = 0; i < records.length; i++) {
    const size = bodySize(records[i]!, i);
    checkInt32(size, 'record size');
    sizes[i] = size;
    total += varlongSize(size) + size;
  }
  const out = Buffer.allocUnsafe(total);
  let offset = 0;
  for (let i = 0; i < records.length; i++) {
    const recordEnd = offset + varlongSize(sizes[i]!) + sizes[i]!;
    offset = writeRecord(out, offset, records[i]!, i, sizes[i]!);
    invariant(offset === recordEnd, () => `encodeRecords: record ${i} ends at ${offset}, not ${recordEnd}`);
  }
  return out;
}

function readBytes(reader: VarintReader, field: string, nullable: boolean): Buffer | null {
  const length = reader.readVarint(field);
  if (length === NULL_LENGTH && nullable) return null;
  if (length < 0) throw reader.error(field, `length ${length} is invalid`);
  if (length > reader.end - reader.offset) {
    throw reader.error(field, `length ${length} exceeds the ${reader.end - reader.offset} bytes left`);
  }
  const bytes = reader.buf.subarray(reader.offset, reader.offset + length);
  reader.offset += length;
  return bytes;
}

function readHeaders(reader: VarintReader): RecordHeader[] {
  const count = reader.readVarint('header count');
  const bytesLeft = reader.end - reader.offset;
  if (count < 0 || count > limits.recordHeaderCountMax || count * 2 > bytesLeft) {
    throw reader.error('header count', `${count} is invalid for ${bytesLeft} bytes left`);
  }
  const headers: RecordHeader[] = [];
  for (let i = 0; i < count; i++) {
    const key = readBytes(reader, 'header key', false)!;
    const value = readBytes(reader, 'header value', true);
    headers.push({ key, value });
  }
  return headers;
}

function readRecord(outer: VarintReader, index: number): DecodedRecord {
  outer.itemIndex = index;
  const length = outer.readVarint('length');
  const bytesLeft = outer.end - outer.offset;
  if (length < RECORD_BYTES_MIN - 1 || length > bytesLeft) {
    throw outer.error('length', `${length} is invalid for ${bytesLeft} bytes left`);
  }
  const reader = new VarintReader(outer.buf, outer.offset, outer.offset + length, 'record');
  reader.itemIndex = index;
  const attributes = outer.buf[reader.offset++]!;
  const timestampDelta = reader.readVarlong('timestampDelta');
  const offsetDelta = reader.readVarint('offsetDelta');
  const key = readBytes(reader, 'key', true);
  const value = readBytes(reader, 'value', true);
  const headers = readHeaders(reader);
  if (reader.offset !== reader.end) throw reader.error('end', `${reader.end - reader.offset} bytes beyond its fields`);
  outer.offset = reader.end;
  return { attributes, timestampDelta, offsetDelta, key, value, headers };
}

/** The argument checks decodeRecords and scanRecords share: a range within buf, a plausible count. */
export function checkRecordsArguments(buf: Buffer, start: number, end: number, count: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > buf.length || start > end) {
    throw new RecordDecodeError(`range [${start}, ${end}) is not within a buffer of ${buf.length} bytes`);
  }
  const bytes = end - start;
  if (!Number.isInteger(count) || count < 0 || count > limits.batchRecordCountMax || count * RECORD_BYTES_MIN > bytes) {
    throw new RecordDecodeError(`record count ${count} is invalid for ${bytes} bytes`);
  }
}

/** Decodes exactly count records filling buf[start, end); slices are views into buf. */
export function decodeRecords(buf: Buffer, start: number, end: number, count: number): DecodedRecord[] {
  checkRecordsArguments(buf, start, end, count);
  const reader = new VarintReader(buf, start, end, 'record');
  const records: DecodedRecord[] = [];
  for (let i = 0; i < count; i++) records.push(readRecord(reader, i));
  if (reader.offset !== end) {
    throw new RecordDecodeError(`${end - reader.offset} bytes remain after ${count} records`);
  }
  return records;
}
