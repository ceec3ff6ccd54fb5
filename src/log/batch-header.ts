// The few v2 record-batch header fields the storage engine needs, read straight from bytes.
// Layout (Kafka's v2 RecordBatch): baseOffset int64 @0, batchLength int32 @8 (bytes after
// this field), partitionLeaderEpoch int32 @12, magic int8 @16, crc uint32 @17 (CRC32C of
// bytes 21..end), attributes int16 @21, lastOffsetDelta int32 @23, baseTimestamp int64 @27,
// maxTimestamp int64 @35, producerId int64 @43, producerEpoch int16 @51, baseSequence int32
// @53, recordCount int32 @57, records @61.

export const BATCH_HEADER_BYTES = 61;
/** Bytes before batchLength's coverage starts (baseOffset + batchLength). */
export const BATCH_LOG_OVERHEAD_BYTES = 12;
/** Smallest legal batchLength: a header with no records. */
export const BATCH_LENGTH_MIN = BATCH_HEADER_BYTES - BATCH_LOG_OVERHEAD_BYTES;
export const CRC_START = 21;

export const Field = {
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
  recordCount: 57,
} as const;

export const ATTR_COMPRESSION_MASK = 0x07;
export const ATTR_LOG_APPEND_TIME = 0x08;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;

const TWO_POW_32 = 0x1_0000_0000;

/** Reads a signed int64 that is known to fit in a double (offsets, timestamps). */
export function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * TWO_POW_32 + buf.readUInt32BE(at + 4);
}

export function writeInt64(buf: Buffer, at: number, value: number): void {
  const high = Math.floor(value / TWO_POW_32);
  buf.writeInt32BE(high, at);
  buf.writeUInt32BE(value - high * TWO_POW_32, at + 4);
}

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
