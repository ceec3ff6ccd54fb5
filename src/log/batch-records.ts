// Record-level look-ups inside one stored batch (offset by timestamp, compaction keys). Off
// the append/read paths: they decode (and decompress) one batch at a time.
import type { Codec, DecodedRecord } from '../accel/types.js';
import { limits } from '../config/limits.js';
import { ATTR_COMPRESSION_MASK, ATTR_LOG_APPEND_TIME, BATCH_HEADER_BYTES, Field, attributesOf, baseOffsetOf, batchSizeOf, maxTimestampOf, readInt64 } from './batch-header.js';
import type { StorageContext } from './context.js';
import { StorageError } from './errors.js';

const CODECS: readonly (Codec | undefined)[] = [undefined, 'gzip', 'snappy', 'lz4', 'zstd'];

/** The records of a stored batch at buf[at..], decoded (keys/values are views). */
export function decodeStoredBatch(ctx: Pick<StorageContext, 'records'>, buf: Buffer, at = 0): DecodedRecord[] {
  const end = at + batchSizeOf(buf, at);
  const count = buf.readInt32BE(at + Field.recordCount);
  if (count < 0 || count > limits.batchRecordCountMax) throw new StorageError('CORRUPT_MESSAGE', `record count ${count} out of range`);
  const codecId = attributesOf(buf, at) & ATTR_COMPRESSION_MASK;
  if (codecId === 0) return ctx.records.decodeRecords(buf, at + BATCH_HEADER_BYTES, end, count);
  const codec = CODECS[codecId];
  if (codec === undefined) throw new StorageError('CORRUPT_MESSAGE', `unknown codec id ${codecId}`);
  const body = ctx.records.decompress(codec, buf.subarray(at + BATCH_HEADER_BYTES, end));
  return ctx.records.decodeRecords(body, 0, body.length, count);
}

/**
 * The first record of the batch with offset >= minOffset whose timestamp matches: >= target,
 * or == target when `exact`. Undefined if none does.
 */
export function findRecordByTimestamp(
  ctx: StorageContext,
  batch: Buffer,
  options: { targetTimestamp: number; minOffset: number; exact: boolean },
): { offset: number; timestamp: number } | undefined {
  const baseOffset = baseOffsetOf(batch);
  const logAppendTime = (attributesOf(batch) & ATTR_LOG_APPEND_TIME) !== 0;
  const baseTimestamp = readInt64(batch, Field.baseTimestamp);
  for (const record of decodeStoredBatch(ctx, batch)) {
    const offset = baseOffset + record.offsetDelta;
    const timestamp = logAppendTime ? maxTimestampOf(batch) : baseTimestamp + record.timestampDelta;
    if (offset < options.minOffset) continue;
    if (options.exact ? timestamp === options.targetTimestamp : timestamp >= options.targetTimestamp) return { offset, timestamp };
  }
  return undefined;
}
