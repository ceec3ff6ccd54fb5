// Records inside v2 batches: decoding (through accel, decompressing first), a batch builder,
// and control records (transaction commit/abort markers).
import { accel } from '../../accel/index.js';
import { CompressionError, RecordDecodeError, type Accel, type DecodedRecord, type RecordInput, type RecordScan } from '../../accel/types.js';
import { limits } from '../../config/limits.js';
import {
  ATTRIBUTE_CONTROL,
  ATTRIBUTE_LOG_APPEND_TIME,
  ATTRIBUTE_TRANSACTIONAL,
  BATCH_LENGTH_MIN_V2,
  BatchField,
  CODEC_ID,
  CRC_START,
  LOG_OVERHEAD,
  MAGIC_V2,
  RECORD_BATCH_OVERHEAD,
  RecordBatchView,
  type CompressionName,
  type TimestampType,
} from './batch.js';
import { assertInvariant, RecordFormatError } from './errors.js';
import { writeInt64 } from './int64.js';

export interface DecodeOptions {
  /** Cap on the decompressed body size; default limits.decompressedBytesMax. */
  maxDecompressedBytes?: number;
  hot?: Accel;
}

/** A record with its absolute offset and timestamp resolved from the batch header. */
export interface BatchRecord extends DecodedRecord {
  offset: number;
  timestampMs: number;
}

function compressionFailure(err: unknown): RecordFormatError | undefined {
  if (!(err instanceof CompressionError)) return undefined;
  if (err.kind === 'unsupported') return new RecordFormatError('UNSUPPORTED_COMPRESSION_TYPE', err.message);
  return new RecordFormatError('CORRUPT_MESSAGE', `cannot decompress record batch: ${err.message}`);
}

function checkedRecordCount(view: RecordBatchView): number {
  if (view.batchLength < BATCH_LENGTH_MIN_V2 || view.end > view.buf.length) {
    throw new RecordFormatError('CORRUPT_MESSAGE', `batch of ${view.sizeBytes} bytes does not fit the ${view.buf.length - view.offset} bytes present`);
  }
  const count = view.recordCount;
  if (count < 0 || count > limits.batchRecordCountMax) {
    throw new RecordFormatError('INVALID_RECORD', `record count ${count} outside [0, ${limits.batchRecordCountMax}]`);
  }
  return count;
}

/** An accel pass over a record body (decode or scan), its RecordDecodeError as Kafka's INVALID_RECORD. */
type BodyPass<T> = (hot: Accel, body: Buffer, start: number, end: number, count: number) => T;

function invalidRecordOnDecodeError<T>(pass: () => T): T {
  try {
    return pass();
  } catch (err) {
    if (err instanceof RecordDecodeError) throw new RecordFormatError('INVALID_RECORD', `malformed records: ${err.message}`);
    throw err;
  }
}

const decodeBody: BodyPass<DecodedRecord[]> = (hot, body, start, end, count) => invalidRecordOnDecodeError(() => hot.decodeRecords(body, start, end, count));
const scanBody: BodyPass<RecordScan> = (hot, body, start, end, count) => invalidRecordOnDecodeError(() => hot.scanRecords(body, start, end, count));

/** A batch's records as bytes: buffer[start, end) holds `count` records. */
export interface RecordBody {
  buffer: Buffer;
  start: number;
  end: number;
  count: number;
}

/**
 * The record body of a batch: a view of the batch itself, or its decompressed body. Throws
 * RecordFormatError (CORRUPT_MESSAGE, INVALID_RECORD, UNSUPPORTED_COMPRESSION_TYPE).
 */
export function recordBodyOf(view: RecordBatchView, options: DecodeOptions = {}): RecordBody {
  const count = checkedRecordCount(view);
  if (view.compressionId === CODEC_ID.none) return { buffer: view.buf, start: view.recordsStart, end: view.end, count };
  const body = decompressBody(options.hot ?? accel, view, options);
  return { buffer: body, start: 0, end: body.length, count };
}

/** Runs pass over the batch's record body, decompressing it first when the batch is compressed. */
function overBody<T>(view: RecordBatchView, options: DecodeOptions, pass: BodyPass<T>): T {
  const body = recordBodyOf(view, options);
  return pass(options.hot ?? accel, body.buffer, body.start, body.end, body.count);
}

function decompressBody(hot: Accel, view: RecordBatchView, options: DecodeOptions): Buffer {
  const codec = view.compression;
  assertInvariant(codec !== 'none', 'decompressBody called on an uncompressed batch');
  try {
    return hot.decompress(codec, view.buf.subarray(view.recordsStart, view.end), options.maxDecompressedBytes ?? limits.decompressedBytesMax);
  } catch (err) {
    throw compressionFailure(err) ?? err;
  }
}

/**
 * Decodes the records of a batch (decompressing if needed). The batch should have passed
 * validateBatch. Key/value/header slices are views into the batch (uncompressed) or into the
 * decompressed buffer. Throws RecordFormatError (INVALID_RECORD, CORRUPT_MESSAGE,
 * UNSUPPORTED_COMPRESSION_TYPE) on bad bytes.
 */
export function decodeBatchRecords(view: RecordBatchView, options: DecodeOptions = {}): DecodedRecord[] {
  return overBody(view, options, decodeBody);
}

/**
 * Scans the records of a batch (decompressing once if needed) without materialising them:
 * the checks and errors of decodeBatchRecords, and what Produce validation needs (see
 * RecordScan; the object is reused by hot's next scan).
 */
export function scanBatchRecords(view: RecordBatchView, options: DecodeOptions = {}): RecordScan {
  return overBody(view, options, scanBody);
}

/** As decodeBatchRecords, decompressing off the event loop. */
export async function decodeBatchRecordsAsync(view: RecordBatchView, options: DecodeOptions = {}): Promise<DecodedRecord[]> {
  const hot = options.hot ?? accel;
  const count = checkedRecordCount(view);
  const codec = view.compression;
  if (codec === 'none') return decodeBody(hot, view.buf, view.recordsStart, view.end, count);
  let body: Buffer;
  try {
    body = await hot.decompressAsync(codec, view.buf.subarray(view.recordsStart, view.end), options.maxDecompressedBytes ?? limits.decompressedBytesMax);
  } catch (err) {
    throw compressionFailure(err) ?? err;
  }
  return decodeBody(hot, body, 0, body.length, count);
}

/** Decodes the records and resolves each one's offset and timestamp (LogAppendTime: maxTimestamp). */
export function readBatchRecords(view: RecordBatchView, options: DecodeOptions = {}): BatchRecord[] {
  const decoded = decodeBatchRecords(view, options);
  const baseOffset = view.baseOffset;
  const baseTimestamp = view.baseTimestamp;
  const logAppendTimeMs = view.timestampType === 'LogAppendTime' ? view.maxTimestamp : undefined;
  return decoded.map((record) => ({
    ...record,
    offset: baseOffset + record.offsetDelta,
    timestampMs: logAppendTimeMs ?? baseTimestamp + record.timestampDelta,
  }));
}

export interface BatchBuildInput {
  /** Records; each one's offsetDelta is its index, its timestamp baseTimestamp + timestampDelta. */
  records: readonly RecordInput[];
  baseOffset?: number; // default 0
  partitionLeaderEpoch?: number; // default -1
  baseTimestamp?: number; // default Date.now()
  /** Default: baseTimestamp + the largest timestampDelta (baseTimestamp for no records). */
  maxTimestamp?: number;
  /** Default records.length - 1 (override for batches emptied by compaction). */
  lastOffsetDelta?: number;
  compression?: CompressionName; // default 'none'
  timestampType?: TimestampType; // default 'CreateTime'
  producerId?: number; // default -1
  producerEpoch?: number; // default -1
  baseSequence?: number; // default -1
  isTransactional?: boolean;
  isControl?: boolean;
}

function attributesOf(input: BatchBuildInput): number {
  let attributes = CODEC_ID[input.compression ?? 'none'];
  if (input.timestampType === 'LogAppendTime') attributes |= ATTRIBUTE_LOG_APPEND_TIME;
  if (input.isTransactional === true) attributes |= ATTRIBUTE_TRANSACTIONAL;
  if (input.isControl === true) attributes |= ATTRIBUTE_CONTROL;
  return attributes;
}

function maxTimestampOf(input: BatchBuildInput, baseTimestamp: number): number {
  if (input.maxTimestamp !== undefined) return input.maxTimestamp;
  if (input.records.length === 0) return baseTimestamp;
  let maxDelta = Number.NEGATIVE_INFINITY;
  for (const record of input.records) maxDelta = Math.max(maxDelta, record.timestampDelta ?? 0);
  return baseTimestamp + maxDelta;
}

function writeHeader(out: Buffer, input: BatchBuildInput): void {
  const baseTimestamp = input.baseTimestamp ?? Date.now();
  writeInt64(out, BatchField.baseOffset, input.baseOffset ?? 0);
  out.writeInt32BE(out.length - LOG_OVERHEAD, BatchField.batchLength);
  out.writeInt32BE(input.partitionLeaderEpoch ?? -1, BatchField.partitionLeaderEpoch);
  out.writeInt8(MAGIC_V2, BatchField.magic);
  out.writeInt16BE(attributesOf(input), BatchField.attributes);
  out.writeInt32BE(input.lastOffsetDelta ?? input.records.length - 1, BatchField.lastOffsetDelta);
  writeInt64(out, BatchField.baseTimestamp, baseTimestamp);
  writeInt64(out, BatchField.maxTimestamp, maxTimestampOf(input, baseTimestamp));
  writeInt64(out, BatchField.producerId, input.producerId ?? -1);
  out.writeInt16BE(input.producerEpoch ?? -1, BatchField.producerEpoch);
  out.writeInt32BE(input.baseSequence ?? -1, BatchField.baseSequence);
  out.writeInt32BE(input.records.length, BatchField.recordCount);
}

function assembleBatch(input: BatchBuildInput, body: Buffer, hot: Accel): Buffer {
  const out = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + body.length);
  body.copy(out, RECORD_BATCH_OVERHEAD);
  writeHeader(out, input);
  out.writeUInt32BE(hot.crc32c(out, CRC_START, out.length) >>> 0, BatchField.crc);
  return out;
}

function checkBuildInput(input: BatchBuildInput): void {
  assertInvariant(input.records.length <= limits.batchRecordCountMax, `batch of ${input.records.length} records exceeds limits.batchRecordCountMax`);
}

/** Builds a complete v2 batch (header, CRC32C, optional compression) from records. */
export function buildBatch(input: BatchBuildInput, hot: Accel = accel): Buffer {
  checkBuildInput(input);
  const plain = hot.encodeRecords(input.records);
  const codec = input.compression ?? 'none';
  return assembleBatch(input, codec === 'none' ? plain : hot.compress(codec, plain), hot);
}

/** As buildBatch, compressing off the event loop. */
export async function buildBatchAsync(input: BatchBuildInput, hot: Accel = accel): Promise<Buffer> {
  checkBuildInput(input);
  const plain = hot.encodeRecords(input.records);
  const codec = input.compression ?? 'none';
  return assembleBatch(input, codec === 'none' ? plain : await hot.compressAsync(codec, plain), hot);
}

// ---- control records ----------------------------------------------------------------------

/** Kafka's control record types (key: version int16, type int16). */
export const ControlRecordType = { ABORT: 0, COMMIT: 1 } as const;
export type ControlMarker = 'abort' | 'commit';

const CONTROL_KEY_BYTES = 4;
const END_TXN_MARKER_VALUE_BYTES = 6;
const CONTROL_RECORD_VERSION = 0;

export interface ControlBatchInput {
  marker: ControlMarker;
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  timestampMs?: number; // default Date.now()
}

export function controlRecordKey(type: number): Buffer {
  const key = Buffer.allocUnsafe(CONTROL_KEY_BYTES);
  key.writeInt16BE(CONTROL_RECORD_VERSION, 0);
  key.writeInt16BE(type, 2);
  return key;
}

export function endTxnMarkerValue(coordinatorEpoch: number): Buffer {
  const value = Buffer.allocUnsafe(END_TXN_MARKER_VALUE_BYTES);
  value.writeInt16BE(CONTROL_RECORD_VERSION, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return value;
}

/** Builds a transaction marker batch: one control record, transactional + control attributes. */
export function buildControlBatch(input: ControlBatchInput, hot: Accel = accel): Buffer {
  const type = input.marker === 'commit' ? ControlRecordType.COMMIT : ControlRecordType.ABORT;
  const record: RecordInput = { key: controlRecordKey(type), value: endTxnMarkerValue(input.coordinatorEpoch) };
  return buildBatch(
    {
      records: [record],
      baseOffset: input.baseOffset,
      partitionLeaderEpoch: input.partitionLeaderEpoch,
      baseTimestamp: input.timestampMs,
      producerId: input.producerId,
      producerEpoch: input.producerEpoch,
      baseSequence: -1,
      isTransactional: true,
      isControl: true,
    },
    hot,
  );
}

export interface ControlRecordKey {
  version: number;
  /** 0 abort, 1 commit; other values are other control records (KRaft), not markers. */
  type: number;
  marker: ControlMarker | undefined;
}

/** Parses a control record's key; INVALID_RECORD if it is missing or short. */
export function parseControlRecordKey(key: Buffer | null): ControlRecordKey {
  if (key === null || key.length < CONTROL_KEY_BYTES) {
    throw new RecordFormatError('INVALID_RECORD', `control record key of ${key?.length ?? 'null'} bytes, need ${CONTROL_KEY_BYTES}`);
  }
  const type = key.readInt16BE(2);
  const marker = type === ControlRecordType.COMMIT ? 'commit' : type === ControlRecordType.ABORT ? 'abort' : undefined;
  return { version: key.readInt16BE(0), type, marker };
}

export interface EndTxnMarker {
  marker: ControlMarker;
  version: number;
  coordinatorEpoch: number;
}

/** Parses a commit/abort marker record; INVALID_RECORD if it is not one or is short. */
export function parseEndTxnMarker(record: Pick<DecodedRecord, 'key' | 'value'>): EndTxnMarker {
  const key = parseControlRecordKey(record.key);
  if (key.marker === undefined) throw new RecordFormatError('INVALID_RECORD', `control record type ${key.type} is not a transaction marker`);
  const value = record.value;
  if (value === null || value.length < END_TXN_MARKER_VALUE_BYTES) {
    throw new RecordFormatError('INVALID_RECORD', `transaction marker value of ${value?.length ?? 'null'} bytes, need ${END_TXN_MARKER_VALUE_BYTES}`);
  }
  return { marker: key.marker, version: value.readInt16BE(0), coordinatorEpoch: value.readInt32BE(2) };
}

/** Reads the marker of a control batch (one record); INVALID_RECORD if the batch is not one. */
export function readControlBatchMarker(view: RecordBatchView, options: DecodeOptions = {}): EndTxnMarker {
  if (!view.isControl) throw new RecordFormatError('INVALID_RECORD', 'not a control batch');
  const records = decodeBatchRecords(view, options);
  const first = records[0];
  if (first === undefined) throw new RecordFormatError('INVALID_RECORD', 'control batch with no record');
  return parseEndTxnMarker(first);
}
