// The few v2 record-batch header fields the storage engine needs, read straight from bytes
// (layout constants and int64 helpers come from the protocol's batch view).
// Layout (Kafka's v2 RecordBatch): baseOffset int64 @0, batchLength int32 @8 (bytes after
// this field), partitionLeaderEpoch int32 @12, magic int8 @16, crc uint32 @17 (CRC32C of
// bytes 21..end), attributes int16 @21, lastOffsetDelta int32 @23, baseTimestamp int64 @27,
// maxTimestamp int64 @35, producerId int64 @43, producerEpoch int16 @51, baseSequence int32
// @53, recordCount int32 @57, records @61.

import {
  ATTRIBUTE_COMPRESSION_MASK,
  ATTRIBUTE_CONTROL,
  ATTRIBUTE_LOG_APPEND_TIME,
  ATTRIBUTE_TRANSACTIONAL,
  BATCH_LENGTH_MIN_V2,
  BatchField,
  CRC_START as BATCH_CRC_START,
  LOG_OVERHEAD,
  RECORD_BATCH_OVERHEAD,
} from '../protocol/records/batch.js';
import { readInt64, writeInt64 } from '../protocol/records/int64.js';

export { readInt64, writeInt64 };

export const BATCH_HEADER_BYTES = RECORD_BATCH_OVERHEAD;
/** Bytes before batchLength's coverage starts (baseOffset + batchLength). */
export const BATCH_LOG_OVERHEAD_BYTES = LOG_OVERHEAD;
/** Smallest legal batchLength: a header with no records. */
export const BATCH_LENGTH_MIN = BATCH_LENGTH_MIN_V2;
export const CRC_START = BATCH_CRC_START;
export const Field = BatchField;

export const ATTR_COMPRESSION_MASK = ATTRIBUTE_COMPRESSION_MASK;
export const ATTR_LOG_APPEND_TIME = ATTRIBUTE_LOG_APPEND_TIME;
export const ATTR_TRANSACTIONAL = ATTRIBUTE_TRANSACTIONAL;
export const ATTR_CONTROL = ATTRIBUTE_CONTROL;

export function baseOffsetOf(buf: Buffer, at = 0): number {
  return readInt64(buf, at + Field.baseOffset);
}

/** Total bytes of the batch starting at `at` (batchLength + 12). */
export function batchSizeOf(buf: Buffer, at = 0): number {
  return buf.readInt32BE(at + Field.batchLength) + BATCH_LOG_OVERHEAD_BYTES;
}

export function lastOffsetDeltaOf(buf: Buffer, at = 0): number {
  return buf.readInt32BE(at + Field.lastOffsetDelta);
}

export function lastOffsetOf(buf: Buffer, at = 0): number {
  return baseOffsetOf(buf, at) + lastOffsetDeltaOf(buf, at);
}

export function maxTimestampOf(buf: Buffer, at = 0): number {
  return readInt64(buf, at + Field.maxTimestamp);
}

export function magicOf(buf: Buffer, at = 0): number {
  return buf.readInt8(at + Field.magic);
}

export function attributesOf(buf: Buffer, at = 0): number {
  return buf.readInt16BE(at + Field.attributes);
}

/** Patches baseOffset and partitionLeaderEpoch in place (neither is covered by the CRC). */
export function patchBatch(buf: Buffer, at: number, baseOffset: number, leaderEpoch: number): void {
  writeInt64(buf, at + Field.baseOffset, baseOffset);
  buf.writeInt32BE(leaderEpoch, at + Field.partitionLeaderEpoch);
}
