// Zero-copy view over a Kafka v2 RecordBatch, its validation, in-place patching, and iteration
// over a record set (a Buffer holding many batches).
//
// Number convention: every int64 field (baseOffset, baseTimestamp, maxTimestamp, producerId) is
// read and written as a JavaScript number, exact up to 2^53 (offsets and ms timestamps never get
// there; writing an unsafe integer is a bug and throws). See int64.ts.
//
// v2 batch layout (big-endian), byte offsets from the start of the batch:
//   0 baseOffset int64 | 8 batchLength int32 | 12 partitionLeaderEpoch int32 | 16 magic int8 |
//   17 crc uint32 | 21 attributes int16 | 23 lastOffsetDelta int32 | 27 baseTimestamp int64 |
//   35 maxTimestamp int64 | 43 producerId int64 | 51 producerEpoch int16 | 53 baseSequence int32 |
//   57 recordCount int32 | 61 records...
// batchLength counts the bytes after itself; the CRC32C covers [attributes .. end of batch], so
// baseOffset, batchLength and partitionLeaderEpoch can be patched without recomputing it.
import { accel } from '../../accel/index.js';
import type { Accel, Codec } from '../../accel/types.js';
import { limits } from '../../config/limits.js';
import { RecordFormatError, recordProblem, type RecordProblem } from './errors.js';
import { readInt64, writeInt64 } from './int64.js';

export const BatchField = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
} as const;

/** baseOffset + batchLength: the bytes before what batchLength counts. */
export const LOG_OVERHEAD = 12;
/** Size of the v2 batch header; records start here. */
export const RECORD_BATCH_OVERHEAD = 61;
/** Smallest batchLength a v2 batch can have (a batch with no record bytes). */
export const BATCH_LENGTH_MIN_V2 = RECORD_BATCH_OVERHEAD - LOG_OVERHEAD;
/** Smallest batchLength any message format can have (a v0 message: crc, magic, attributes, key and value lengths). */
export const BATCH_LENGTH_MIN_ANY = 14;
/** Where the CRC32C coverage starts. */
export const CRC_START = BatchField.attributes;
export const MAGIC_V2 = 2;

export const ATTRIBUTE_COMPRESSION_MASK = 0x07;
export const ATTRIBUTE_LOG_APPEND_TIME = 0x08;
export const ATTRIBUTE_TRANSACTIONAL = 0x10;
export const ATTRIBUTE_CONTROL = 0x20;
export const ATTRIBUTE_DELETE_HORIZON = 0x40;

export type TimestampType = 'CreateTime' | 'LogAppendTime';
export type CompressionName = Codec | 'none';

const CODEC_BY_ID: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
/** Attribute codec ids by name (Kafka's numbering). */
export const CODEC_ID: Readonly<Record<CompressionName, number>> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

/** The codec for an attributes codec id, or undefined for ids 5-7 (unknown to Kafka). */
export function codecOfId(codecId: number): CompressionName | undefined {
  return CODEC_BY_ID[codecId];
}

/**
 * A view over one v2 batch at `offset` in `buf`. Reads go to the buffer each time (no copy, no
 * caching), so patches made through the view or elsewhere are always visible. The constructor
 * only checks that the 61-byte header fits; validate the batch before trusting its fields.
 */
export class RecordBatchView {
  readonly buf: Buffer;
  readonly offset: number;

  constructor(buf: Buffer, offset = 0) {
    if (!Number.isInteger(offset) || offset < 0 || buf.length - offset < RECORD_BATCH_OVERHEAD) {
      throw new RecordFormatError('CORRUPT_MESSAGE', `no room for a ${RECORD_BATCH_OVERHEAD}-byte batch header at ${offset} of ${buf.length} bytes`);
    }
    this.buf = buf;
    this.offset = offset;
  }

  get baseOffset(): number { return readInt64(this.buf, this.offset + BatchField.baseOffset); }
  get batchLength(): number { return this.buf.readInt32BE(this.offset + BatchField.batchLength); }
  /** Whole batch size on the wire: LOG_OVERHEAD + batchLength. */
  get sizeBytes(): number { return LOG_OVERHEAD + this.batchLength; }
  get partitionLeaderEpoch(): number { return this.buf.readInt32BE(this.offset + BatchField.partitionLeaderEpoch); }
  get magic(): number { return this.buf.readInt8(this.offset + BatchField.magic); }
  /** Stored CRC32C as an unsigned 32-bit number. */
  get crc(): number { return this.buf.readUInt32BE(this.offset + BatchField.crc); }
  get attributes(): number { return this.buf.readInt16BE(this.offset + BatchField.attributes); }
  /** Compression codec id, 0-7 (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd; 5-7 unknown). */
  get compressionId(): number { return this.attributes & ATTRIBUTE_COMPRESSION_MASK; }
  /** The codec name; RecordFormatError CORRUPT_MESSAGE for an unknown id. */
  get compression(): CompressionName {
    const codec = codecOfId(this.compressionId);
    if (codec === undefined) throw new RecordFormatError('CORRUPT_MESSAGE', `unknown compression codec id ${this.compressionId}`);
    return codec;
  }
  get timestampType(): TimestampType { return (this.attributes & ATTRIBUTE_LOG_APPEND_TIME) !== 0 ? 'LogAppendTime' : 'CreateTime'; }
  get isTransactional(): boolean { return (this.attributes & ATTRIBUTE_TRANSACTIONAL) !== 0; }
  get isControl(): boolean { return (this.attributes & ATTRIBUTE_CONTROL) !== 0; }
  /** When set, baseTimestamp holds the delete horizon (KIP-534). */
  get hasDeleteHorizon(): boolean { return (this.attributes & ATTRIBUTE_DELETE_HORIZON) !== 0; }
  get lastOffsetDelta(): number { return this.buf.readInt32BE(this.offset + BatchField.lastOffsetDelta); }
  get lastOffset(): number { return this.baseOffset + this.lastOffsetDelta; }
  /** The offset after this batch: where the next batch starts. */
  get nextOffset(): number { return this.lastOffset + 1; }
  get baseTimestamp(): number { return readInt64(this.buf, this.offset + BatchField.baseTimestamp); }
  get maxTimestamp(): number { return readInt64(this.buf, this.offset + BatchField.maxTimestamp); }
  get producerId(): number { return readInt64(this.buf, this.offset + BatchField.producerId); }
  get hasProducerId(): boolean { return this.producerId >= 0; }
  get producerEpoch(): number { return this.buf.readInt16BE(this.offset + BatchField.producerEpoch); }
  get baseSequence(): number { return this.buf.readInt32BE(this.offset + BatchField.baseSequence); }
  get recordCount(): number { return this.buf.readInt32BE(this.offset + BatchField.recordCount); }
  /** Position in buf where the (possibly compressed) records start. */
  get recordsStart(): number { return this.offset + RECORD_BATCH_OVERHEAD; }
  /** Position in buf just after the batch. */
  get end(): number { return this.offset + this.sizeBytes; }

  /** The batch's bytes, as a view (no copy). */
  bytes(): Buffer { return this.buf.subarray(this.offset, this.end); }

  /** CRC32C of [attributes .. end], as it should be stored. */
  computeCrc(hot: Accel = accel): number {
    return hot.crc32c(this.buf, this.offset + CRC_START, this.end) >>> 0;
  }

  setBaseOffset(baseOffset: number): void { writeInt64(this.buf, this.offset + BatchField.baseOffset, baseOffset); }
  setPartitionLeaderEpoch(leaderEpoch: number): void { this.buf.writeInt32BE(leaderEpoch, this.offset + BatchField.partitionLeaderEpoch); }

  /** Recomputes and stores the CRC (after patching covered fields). */
  updateCrc(hot: Accel = accel): void {
    this.buf.writeUInt32BE(this.computeCrc(hot), this.offset + BatchField.crc);
  }

  /**
   * Stamps the batch with LogAppendTime as Kafka does: sets the timestamp-type bit and
   * maxTimestamp (readers then use maxTimestamp for every record), leaves baseTimestamp and the
   * records alone, and recomputes the CRC.
   */
  setLogAppendTime(logAppendTimeMs: number, hot: Accel = accel): void {
    const attributesPos = this.offset + BatchField.attributes;
    this.buf.writeInt16BE(this.attributes | ATTRIBUTE_LOG_APPEND_TIME, attributesPos);
    writeInt64(this.buf, this.offset + BatchField.maxTimestamp, logAppendTimeMs);
    this.updateCrc(hot);
  }

  /**
   * CreateTime: makes maxTimestamp the records' real maximum, as Kafka's validator sets it, and
   * recomputes the CRC; a batch that already says so is left untouched.
   */
  setMaxTimestamp(maxTimestampMs: number, hot: Accel = accel): void {
    if (this.maxTimestamp === maxTimestampMs) return;
    writeInt64(this.buf, this.offset + BatchField.maxTimestamp, maxTimestampMs);
    this.updateCrc(hot);
  }
}

/** Reads the magic byte of the batch or message at offset, or undefined if it is not there. */
export function peekMagic(buf: Buffer, offset = 0): number | undefined {
  const pos = offset + BatchField.magic;
  return pos < buf.length ? buf.readInt8(pos) : undefined;
}

function checkMagic(magic: number): RecordProblem | null {
  if (magic === MAGIC_V2) return null;
  if (magic === 0 || magic === 1) return recordProblem('INVALID_RECORD', `magic v${magic} message set where a v2 record batch is required`);
  return recordProblem('CORRUPT_MESSAGE', `invalid magic ${magic}`);
}

/** Framing checks: enough bytes, magic 2, batchLength within [49, bytes available]. */
function checkFraming(buf: Buffer, offset: number, end: number): RecordProblem | null {
  const available = end - offset;
  if (available < RECORD_BATCH_OVERHEAD) return recordProblem('CORRUPT_MESSAGE', `record batch truncated: ${available} bytes, header needs ${RECORD_BATCH_OVERHEAD}`);
  const magicProblem = checkMagic(buf.readInt8(offset + BatchField.magic));
  if (magicProblem !== null) return magicProblem;
  const batchLength = buf.readInt32BE(offset + BatchField.batchLength);
  if (batchLength < BATCH_LENGTH_MIN_V2) return recordProblem('CORRUPT_MESSAGE', `record batch size ${batchLength} is smaller than the minimum ${BATCH_LENGTH_MIN_V2}`);
  if (batchLength > available - LOG_OVERHEAD) return recordProblem('CORRUPT_MESSAGE', `record batch truncated: batchLength ${batchLength}, ${available - LOG_OVERHEAD} bytes present`);
  return null;
}

/**
 * Rill reads int64 fields as numbers (see the top of this file). A batch whose offset,
 * timestamps or producer id lie beyond +-2^53 cannot be represented exactly, so it is refused
 * with INVALID_RECORD (a departure: Kafka would store it; no real client writes such values).
 */
function checkInt64Range(view: RecordBatchView): RecordProblem | null {
  const fields = { baseOffset: view.baseOffset, baseTimestamp: view.baseTimestamp, maxTimestamp: view.maxTimestamp, producerId: view.producerId };
  for (const [name, value] of Object.entries(fields)) {
    if (!Number.isSafeInteger(value)) return recordProblem('INVALID_RECORD', `${name} ${value} is outside the supported range of +-2^53`);
  }
  return null;
}

function checkHeaderFields(view: RecordBatchView): RecordProblem | null {
  const rangeProblem = checkInt64Range(view);
  if (rangeProblem !== null) return rangeProblem;
  if (codecOfId(view.compressionId) === undefined) return recordProblem('CORRUPT_MESSAGE', `unknown compression codec id ${view.compressionId}`);
  const recordCount = view.recordCount;
  if (recordCount < 0) return recordProblem('INVALID_RECORD', `negative record count ${recordCount}`);
  if (recordCount > limits.batchRecordCountMax) return recordProblem('INVALID_RECORD', `record count ${recordCount} exceeds ${limits.batchRecordCountMax}`);
  return null;
}

/**
 * Validates the v2 batch at buf[offset, end): framing, magic, CRC32C and header sanity (known
 * codec, 0 <= recordCount <= limits.batchRecordCountMax, int64 fields within +-2^53). Returns null when valid, else the Kafka
 * error (CORRUPT_MESSAGE for framing and CRC, INVALID_RECORD for magic 0/1 and counts). Never
 * throws for bad bytes. Client-origin rules (count vs lastOffsetDelta, no control batches) are
 * in validateClientBatch.
 */
export function validateBatch(buf: Buffer, offset = 0, end = buf.length, hot: Accel = accel): RecordProblem | null {
  const framingProblem = checkFraming(buf, offset, end);
  if (framingProblem !== null) return framingProblem;
  const view = new RecordBatchView(buf, offset);
  const storedCrc = view.crc;
  const computedCrc = view.computeCrc(hot);
  if (storedCrc !== computedCrc) {
    return recordProblem('CORRUPT_MESSAGE', `record batch is corrupt (stored crc = ${storedCrc}, computed crc = ${computedCrc})`);
  }
  return checkHeaderFields(view);
}

/**
 * The checks Kafka applies to batches that come from clients (Produce), on a batch that passed
 * validateBatch: at least one record, recordCount == lastOffsetDelta + 1, no control batches,
 * and a non-negative baseSequence when a producer id is set. Returns null or INVALID_RECORD.
 */
export function validateClientBatch(view: RecordBatchView): RecordProblem | null {
  const countFromOffsets = view.lastOffsetDelta + 1;
  if (countFromOffsets <= 0) return recordProblem('INVALID_RECORD', `batch has an invalid offset range: lastOffsetDelta ${view.lastOffsetDelta}`);
  if (view.recordCount <= 0) return recordProblem('INVALID_RECORD', `invalid record count ${view.recordCount}`);
  if (countFromOffsets !== view.recordCount) {
    return recordProblem('INVALID_RECORD', `inconsistent batch offset range (${countFromOffsets} offsets) and record count ${view.recordCount}`);
  }
  if (view.isControl) return recordProblem('INVALID_RECORD', 'clients are not allowed to write control records');
  if (view.hasProducerId && view.baseSequence < 0) return recordProblem('INVALID_RECORD', `invalid sequence number ${view.baseSequence} for producer ${view.producerId}`);
  return null;
}

/** Size of the whole batch (or legacy message) starting at pos, checked; undefined if it is cut off. */
function completeEntrySize(buf: Buffer, pos: number, end: number): number | undefined {
  if (end - pos < LOG_OVERHEAD) return undefined;
  const batchLength = buf.readInt32BE(pos + BatchField.batchLength);
  if (batchLength < BATCH_LENGTH_MIN_ANY) throw new RecordFormatError('CORRUPT_MESSAGE', `batch size ${batchLength} at ${pos} is smaller than the minimum ${BATCH_LENGTH_MIN_ANY}`);
  if (batchLength > end - pos - LOG_OVERHEAD) return undefined;
  return LOG_OVERHEAD + batchLength;
}

/**
 * Iterates the v2 batches of a record set in buf[start, end) as views, without validating CRCs.
 * Stops cleanly before a partial trailing batch (fetch responses may end with one). Throws
 * RecordFormatError on a size field too small for any batch, on a v2 batch shorter than its
 * header, and on a magic other than 2 (INVALID_RECORD for v0/v1: read those with legacy.ts).
 */
export function* iterateBatches(buf: Buffer, start = 0, end = buf.length): Generator<RecordBatchView, void, undefined> {
  let pos = start;
  for (;;) {
    const sizeBytes = completeEntrySize(buf, pos, end);
    if (sizeBytes === undefined) return;
    const magicProblem = checkMagic(buf.readInt8(pos + BatchField.magic));
    if (magicProblem !== null) throw RecordFormatError.from(magicProblem);
    if (sizeBytes < RECORD_BATCH_OVERHEAD) throw new RecordFormatError('CORRUPT_MESSAGE', `v2 batch at ${pos} has size ${sizeBytes}, below the ${RECORD_BATCH_OVERHEAD}-byte header`);
    yield new RecordBatchView(buf, pos);
    pos += sizeBytes;
  }
}

export interface RecordSetExtent {
  /** Number of complete entries (batches or legacy messages). */
  entryCount: number;
  /** Bytes taken by complete entries, from start. */
  completeBytes: number;
  /** Bytes of a partial entry at the end (0 if none). */
  trailingBytes: number;
}

/** Measures a record set without allocating views: complete entries and any partial tail. */
export function measureRecordSet(buf: Buffer, start = 0, end = buf.length): RecordSetExtent {
  let pos = start;
  let entryCount = 0;
  for (;;) {
    const sizeBytes = completeEntrySize(buf, pos, end);
    if (sizeBytes === undefined) break;
    entryCount += 1;
    pos += sizeBytes;
  }
  return { entryCount, completeBytes: pos - start, trailingBytes: end - pos };
}
