// Per-partition Produce validation policy, as Kafka's log layer applies it to batches from
// clients. Pure functions of (bytes, topic policy, clock) returning Kafka error codes; the
// Produce handler decides what to do with them. Per-record work happens only when a topic
// feature needs it: keys on compacted topics and CreateTime bounds are checked by one scan of
// the record body (accel.scanRecords: no record objects); only a batch the scan finds fault
// with is decoded, to give Kafka's detailed answer. Broker-side recompression decodes.
//
// Order of checks (Kafka's): framing and magic, exactly one batch (Produce v3+), batch size vs
// max.message.bytes (MESSAGE_TOO_LARGE), CRC (CORRUPT_MESSAGE), client rules (baseOffset 0,
// count vs lastOffsetDelta, no control batches, sequence: INVALID_RECORD), zstd needs Produce
// v7+ (UNSUPPORTED_COMPRESSION_TYPE), then per record: keys on compacted topics
// (INVALID_RECORD), CreateTime within [now - before.max.ms, now + after.max.ms]
// (INVALID_TIMESTAMP), then LogAppendTime stamping (or, for CreateTime, maxTimestamp set to the
// records' real maximum when they were read, as Kafka does) or recompression, and the size
// check again if the batch was rebuilt. Compressed batches always get the record pass (Kafka decompresses
// every one); one whose offsetDeltas are not 0, 1, 2, ... is rebuilt with them renumbered, as
// Kafka rewrites such batches rather than rejecting them.
import { accel } from '../../accel/index.js';
import type { Accel, Codec, DecodedRecord, RecordScan } from '../../accel/types.js';
import {
  iterateBatches,
  LOG_OVERHEAD,
  MAGIC_V2,
  measureRecordSet,
  peekMagic,
  RecordBatchView,
  validateBatch,
  validateClientBatch,
  type CompressionName,
  type TimestampType,
} from './batch.js';
import { assertInvariant, RecordFormatError, recordProblem, type RecordProblem } from './errors.js';
import { convertLegacyToV2 } from './legacy.js';
import { buildBatch, decodeBatchRecords, scanBatchRecords } from './records.js';

/** compression.type values (Kafka's names). */
export type TopicCompressionType = 'producer' | 'uncompressed' | Codec;

/** The topic configs Produce validation reads, by Kafka's names in camelCase. */
export interface ProducePolicy {
  /** max.message.bytes: largest batch (after compression), LOG_OVERHEAD included. */
  maxMessageBytes: number;
  /** cleanup.policy contains `compact`: every record needs a key. */
  compacted: boolean;
  /** message.timestamp.type */
  timestampType: TimestampType;
  /** message.timestamp.before.max.ms (CreateTime only; >= Number.MAX_SAFE_INTEGER means unbounded) */
  timestampBeforeMaxMs: number;
  /** message.timestamp.after.max.ms (CreateTime only; >= Number.MAX_SAFE_INTEGER means unbounded) */
  timestampAfterMaxMs: number;
  /** compression.type */
  compressionType: TopicCompressionType;
}

export interface ProduceContext {
  /** Produce request version: v3+ needs exactly one v2 batch; zstd needs v7+. */
  produceVersion: number;
  nowMs: number;
  hot?: Accel;
}

/** Kafka's per-record error entry in a Produce response (record_errors). */
export interface RecordError {
  /** The record's index within its batch. */
  batchIndex: number;
  message: string;
}

export interface ProduceAccepted {
  ok: true;
  /** What to append: whole batches of the input (patched in place) or a rebuilt batch. */
  recordSet: Buffer;
  batchCount: number;
  recordCount: number;
  /** The LogAppendTime stamped (Produce response log_append_time_ms), or -1 for CreateTime. */
  logAppendTimeMs: number;
  /** Largest batch maxTimestamp after validation (for the time index). */
  maxTimestamp: number;
  recompressed: boolean;
}

export interface ProduceRejected {
  ok: false;
  problem: RecordProblem;
  recordErrors: RecordError[];
}

export type ProduceValidation = ProduceAccepted | ProduceRejected;

const ZSTD_MIN_PRODUCE_VERSION = 7;
const SINGLE_BATCH_MIN_PRODUCE_VERSION = 3;
const UNBOUNDED_MS = Number.MAX_SAFE_INTEGER;
/** Records converted from v0 messages carry no timestamp; Kafka does not check them. */
const NO_TIMESTAMP = -1;

function reject(problem: RecordProblem, recordErrors: RecordError[] = []): ProduceRejected {
  return { ok: false, problem, recordErrors };
}

/** MESSAGE_TOO_LARGE when the whole batch exceeds max.message.bytes. */
export function checkBatchSize(sizeBytes: number, maxMessageBytes: number): RecordProblem | null {
  if (sizeBytes <= maxMessageBytes) return null;
  return recordProblem('MESSAGE_TOO_LARGE', `the record batch is ${sizeBytes} bytes, larger than max.message.bytes ${maxMessageBytes}`);
}

/** Clients send batches with baseOffset 0; the broker assigns offsets. */
export function checkClientBaseOffset(view: RecordBatchView): RecordProblem | null {
  if (view.baseOffset === 0) return null;
  return recordProblem('INVALID_RECORD', `the baseOffset of the record batch should be 0, but it is ${view.baseOffset}`);
}

/** zstd batches need Produce v7+ (older clients cannot read them back). */
export function checkCodecForVersion(view: RecordBatchView, produceVersion: number): RecordProblem | null {
  if (view.compressionId !== 4 || produceVersion >= ZSTD_MIN_PRODUCE_VERSION) return null;
  return recordProblem('UNSUPPORTED_COMPRESSION_TYPE', `zstd compression needs Produce v${ZSTD_MIN_PRODUCE_VERSION}+, request is v${produceVersion}`);
}

/** INVALID_TIMESTAMP text for a CreateTime outside the topic's bounds, or null (-1, no timestamp, passes). */
export function checkTimestamp(timestampMs: number, nowMs: number, policy: ProducePolicy): string | null {
  if (policy.timestampType !== 'CreateTime' || timestampMs === NO_TIMESTAMP) return null;
  if (policy.timestampBeforeMaxMs < UNBOUNDED_MS && timestampMs < nowMs - policy.timestampBeforeMaxMs) {
    return `timestamp ${timestampMs} is more than message.timestamp.before.max.ms ${policy.timestampBeforeMaxMs} before now ${nowMs}`;
  }
  if (policy.timestampAfterMaxMs < UNBOUNDED_MS && timestampMs > nowMs + policy.timestampAfterMaxMs) {
    return `timestamp ${timestampMs} is more than message.timestamp.after.max.ms ${policy.timestampAfterMaxMs} after now ${nowMs}`;
  }
  return null;
}

/** The codec the stored batch should have: the producer's, or the topic's compression.type. */
export function targetCompression(policy: ProducePolicy, sourceCompression: CompressionName): CompressionName {
  if (policy.compressionType === 'producer') return sourceCompression;
  return policy.compressionType === 'uncompressed' ? 'none' : policy.compressionType;
}

function hasTimestampBounds(policy: ProducePolicy): boolean {
  return policy.timestampType === 'CreateTime' && (policy.timestampBeforeMaxMs < UNBOUNDED_MS || policy.timestampAfterMaxMs < UNBOUNDED_MS);
}

/** Whether validation must read this batch's records (compressed batches always: Kafka decompresses each one). */
export function needsRecordPass(policy: ProducePolicy, view: RecordBatchView): boolean {
  return policy.compacted || hasTimestampBounds(policy) || view.compression !== 'none' || targetCompression(policy, view.compression) !== view.compression;
}

function keylessRecords(records: readonly DecodedRecord[]): ProduceRejected | null {
  const keyless = records.flatMap((record, batchIndex) => (record.key === null ? [{ batchIndex, message: 'compacted topic cannot accept a record without a key' }] : []));
  if (keyless.length === 0) return null;
  return reject(recordProblem('INVALID_RECORD', `${keyless.length} record(s) without a key on a compacted topic`), keyless);
}

function badTimestamps(view: RecordBatchView, records: readonly DecodedRecord[], policy: ProducePolicy, nowMs: number): ProduceRejected | null {
  const baseTimestamp = view.baseTimestamp;
  const errors = records.flatMap((record, batchIndex) => {
    const message = checkTimestamp(baseTimestamp + record.timestampDelta, nowMs, policy);
    return message === null ? [] : [{ batchIndex, message }];
  });
  return errors.length === 0 ? null : reject(recordProblem('INVALID_TIMESTAMP', errors[0]!.message), errors);
}

/** Per-record checks: keys on compacted topics (INVALID_RECORD), then CreateTime bounds (INVALID_TIMESTAMP). */
export function checkRecords(view: RecordBatchView, records: readonly DecodedRecord[], policy: ProducePolicy, nowMs: number): ProduceRejected | null {
  return (policy.compacted ? keylessRecords(records) : null) ?? badTimestamps(view, records, policy, nowMs);
}

/** Whether every timestamp in [minMs, maxMs] is within the topic's CreateTime bounds. */
function timestampRangeAllowed(minMs: number, maxMs: number, nowMs: number, policy: ProducePolicy): boolean {
  if (policy.timestampType !== 'CreateTime') return true;
  if (policy.timestampBeforeMaxMs < UNBOUNDED_MS && minMs < nowMs - policy.timestampBeforeMaxMs) return false;
  return !(policy.timestampAfterMaxMs < UNBOUNDED_MS && maxMs > nowMs + policy.timestampAfterMaxMs);
}

/**
 * Whether a scan shows a batch checkRecords would accept. Conservative: a timestamp of -1
 * (exempt from the bounds) still fails the range test, leaving the verdict to checkRecords.
 */
export function scanPasses(view: RecordBatchView, scan: RecordScan, policy: ProducePolicy, nowMs: number): boolean {
  if (policy.compacted && scan.nullKeyCount > 0) return false;
  const baseTimestamp = view.baseTimestamp;
  return timestampRangeAllowed(baseTimestamp + scan.timestampDeltaMin, baseTimestamp + scan.timestampDeltaMax, nowMs, policy);
}

function headerChecks(recordSet: Buffer, view: RecordBatchView, policy: ProducePolicy, context: ProduceContext): RecordProblem | null {
  return (
    checkBatchSize(view.sizeBytes, policy.maxMessageBytes) ??
    validateBatch(recordSet, view.offset, view.end, context.hot ?? accel) ??
    checkClientBaseOffset(view) ??
    validateClientBatch(view) ??
    checkCodecForVersion(view, context.produceVersion)
  );
}

function collectBatches(recordSet: Buffer, produceVersion: number): RecordBatchView[] | RecordProblem {
  let views: RecordBatchView[];
  try {
    views = [...iterateBatches(recordSet)];
  } catch (err) {
    if (err instanceof RecordFormatError) return recordProblem(err.errorName, err.message);
    throw err;
  }
  if (views.length === 0) {
    const trailing = measureRecordSet(recordSet).trailingBytes;
    return recordProblem(trailing > 0 ? 'CORRUPT_MESSAGE' : 'INVALID_RECORD', trailing > 0 ? `record set holds only a partial batch of ${trailing} bytes` : 'produce request without a record batch');
  }
  if (produceVersion >= SINGLE_BATCH_MIN_PRODUCE_VERSION && views.length > 1) {
    return recordProblem('INVALID_RECORD', `Produce v${produceVersion} allows exactly one record batch per partition, got ${views.length}`);
  }
  return views;
}

/** Rebuilds a batch with another codec (broker-side recompression), keeping every header field. */
export function recompressBatch(view: RecordBatchView, records: readonly DecodedRecord[], compression: CompressionName, hot: Accel = accel): Buffer {
  return buildBatch(
    {
      records,
      compression,
      baseOffset: view.baseOffset,
      partitionLeaderEpoch: view.partitionLeaderEpoch,
      baseTimestamp: view.baseTimestamp,
      maxTimestamp: view.maxTimestamp,
      lastOffsetDelta: view.lastOffsetDelta,
      timestampType: view.timestampType,
      producerId: view.producerId,
      producerEpoch: view.producerEpoch,
      baseSequence: view.baseSequence,
      isTransactional: view.isTransactional,
      isControl: view.isControl,
    },
    hot,
  );
}

interface BatchOutcome {
  bytes: Buffer;
  recompressed: boolean;
}

function decodeForValidation(view: RecordBatchView, hot: Accel): DecodedRecord[] | RecordProblem {
  try {
    return decodeBatchRecords(view, { hot });
  } catch (err) {
    if (err instanceof RecordFormatError) return recordProblem(err.errorName, err.message);
    throw err;
  }
}

function checkedRecords(view: RecordBatchView, policy: ProducePolicy, context: ProduceContext, hot: Accel): DecodedRecord[] | ProduceRejected | null {
  if (!needsRecordPass(policy, view)) return null;
  const records = decodeForValidation(view, hot);
  if (!Array.isArray(records)) return reject(records);
  return checkRecords(view, records, policy, context.nowMs) ?? records;
}

/** The scan, or undefined when the body is malformed (the decode path then says how). */
function scanOf(view: RecordBatchView, hot: Accel): RecordScan | undefined {
  try {
    return scanBatchRecords(view, { hot });
  } catch (err) {
    if (err instanceof RecordFormatError) return undefined;
    throw err;
  }
}

/** What the record checks decided for a batch that keeps its codec. */
interface InPlaceOutcome {
  /** Kept as it is, or rebuilt to renumber its offsetDeltas. */
  action: 'keep' | 'renumber';
  /** The records' largest timestamp, when they were read (undefined: not read, or no records). */
  maxTimestampMs: number | undefined;
}

function inPlaceOutcome(view: RecordBatchView, mismatch: boolean, timestampDeltaMax: number | undefined): InPlaceOutcome {
  return {
    action: view.compression !== 'none' && mismatch ? 'renumber' : 'keep',
    maxTimestampMs: timestampDeltaMax === undefined || view.recordCount === 0 ? undefined : view.baseTimestamp + timestampDeltaMax,
  };
}

function largestDelta(records: readonly DecodedRecord[]): number | undefined {
  return records.length === 0 ? undefined : records.reduce((max, record) => Math.max(max, record.timestampDelta), -Infinity);
}

/** The record checks of a batch that keeps its codec: a scan, and the decode path only to explain a fault. */
function checkInPlace(view: RecordBatchView, policy: ProducePolicy, context: ProduceContext, hot: Accel): InPlaceOutcome | ProduceRejected {
  if (!needsRecordPass(policy, view)) return inPlaceOutcome(view, false, undefined);
  const scan = scanOf(view, hot);
  if (scan !== undefined && scanPasses(view, scan, policy, context.nowMs)) return inPlaceOutcome(view, scan.offsetDeltaMismatchIndex >= 0, scan.timestampDeltaMax);
  const records = checkedRecords(view, policy, context, hot);
  if (records === null) return inPlaceOutcome(view, false, undefined);
  if (!Array.isArray(records)) return records;
  return inPlaceOutcome(view, records.some((record, index) => record.offsetDelta !== index), largestDelta(records));
}

/** Stamps LogAppendTime, or (CreateTime) the records' real maximum timestamp when it is known. */
function stampTimestamps(view: RecordBatchView, policy: ProducePolicy, nowMs: number, maxTimestampMs: number | undefined, hot: Accel): void {
  if (policy.timestampType === 'LogAppendTime') view.setLogAppendTime(nowMs, hot);
  else if (maxTimestampMs !== undefined) view.setMaxTimestamp(maxTimestampMs, hot);
}

function rebuildBatch(view: RecordBatchView, policy: ProducePolicy, context: ProduceContext, target: CompressionName, hot: Accel): BatchOutcome | ProduceRejected {
  const records = checkedRecords(view, policy, context, hot);
  assertInvariant(records !== null, 'a batch to recompress must need a record pass');
  if (!Array.isArray(records)) return records;
  const deltaMax = largestDelta(records);
  stampTimestamps(view, policy, context.nowMs, deltaMax === undefined ? undefined : view.baseTimestamp + deltaMax, hot);
  const rebuilt = recompressBatch(view, records, target, hot);
  const sizeProblem = checkBatchSize(rebuilt.length, policy.maxMessageBytes);
  return sizeProblem === null ? { bytes: rebuilt, recompressed: true } : reject(sizeProblem);
}

function finishBatch(view: RecordBatchView, policy: ProducePolicy, context: ProduceContext): BatchOutcome | ProduceRejected {
  const hot = context.hot ?? accel;
  const target = targetCompression(policy, view.compression);
  if (target !== view.compression) return rebuildBatch(view, policy, context, target, hot);
  const outcome = checkInPlace(view, policy, context, hot);
  if ('ok' in outcome) return outcome;
  if (outcome.action === 'renumber') return rebuildBatch(view, policy, context, target, hot);
  stampTimestamps(view, policy, context.nowMs, outcome.maxTimestampMs, hot);
  return { bytes: view.bytes(), recompressed: false };
}

function accepted(recordSet: Buffer, views: readonly RecordBatchView[], outcomes: readonly BatchOutcome[], policy: ProducePolicy, nowMs: number): ProduceAccepted {
  const recompressed = outcomes.some((outcome) => outcome.recompressed);
  const whole = views[views.length - 1]!.end;
  return {
    ok: true,
    recordSet: recompressed ? Buffer.concat(outcomes.map((outcome) => outcome.bytes)) : recordSet.subarray(0, whole),
    batchCount: views.length,
    recordCount: views.reduce((sum, view) => sum + view.recordCount, 0),
    logAppendTimeMs: policy.timestampType === 'LogAppendTime' ? nowMs : -1,
    maxTimestamp: views.reduce((max, view) => Math.max(max, view.maxTimestamp), -1),
    recompressed,
  };
}

/**
 * Validates one partition's record set from a Produce request (v2 batches; convert v0/v1
 * message sets with convertLegacyToV2 first) and applies the topic's policies. On success the
 * batches are stamped in place for LogAppendTime, or rebuilt when compression.type asks for
 * another codec; baseOffset is left for the log to assign. Never throws for bad bytes.
 */
export function validateProducePartition(recordSet: Buffer, policy: ProducePolicy, context: ProduceContext): ProduceValidation {
  const views = collectBatches(recordSet, context.produceVersion);
  if (!Array.isArray(views)) return reject(views);
  for (const view of views) {
    const problem = headerChecks(recordSet, view, policy, context);
    if (problem !== null) return reject(problem);
  }
  const outcomes: BatchOutcome[] = [];
  for (const view of views) {
    const outcome = finishBatch(view, policy, context);
    if ('ok' in outcome) return outcome;
    outcomes.push(outcome);
  }
  return accepted(recordSet, views, outcomes, policy, context.nowMs);
}

// ---- Produce v0-2: magic v0/v1 message sets ------------------------------------------------

/** MESSAGE_TOO_LARGE if any top-level message (a wrapper counts as one) exceeds max.message.bytes. */
export function checkLegacyMessageSizes(messageSet: Buffer, maxMessageBytes: number): RecordProblem | null {
  let pos = 0;
  while (messageSet.length - pos >= LOG_OVERHEAD) {
    const sizeBytes = LOG_OVERHEAD + messageSet.readInt32BE(pos + 8);
    if (sizeBytes <= LOG_OVERHEAD || sizeBytes > messageSet.length - pos) return null; // framing is the parser's to report
    const problem = checkBatchSize(sizeBytes, maxMessageBytes);
    if (problem !== null) return problem;
    pos += sizeBytes;
  }
  return null;
}

function convertLegacy(messageSet: Buffer, policy: ProducePolicy, hot: Accel): Buffer | RecordProblem {
  try {
    const compression = (source: CompressionName): CompressionName => targetCompression(policy, source);
    return convertLegacyToV2(messageSet, 0, messageSet.length, { hot, compression }).batch;
  } catch (err) {
    if (err instanceof RecordFormatError) return recordProblem(err.errorName, err.message);
    throw err;
  }
}

/**
 * Validates a Produce v0-2 partition holding a v0/v1 message set: message sizes, CRCs (as the
 * set is parsed), then conversion to ONE v2 batch (compressed with the producer's codec, or the
 * topic's compression.type) which goes through the v2 rules. The accepted recordSet is the
 * converted batch, so `recompressed` is true.
 */
export function validateLegacyProducePartition(messageSet: Buffer, policy: ProducePolicy, context: ProduceContext): ProduceValidation {
  const sizeProblem = checkLegacyMessageSizes(messageSet, policy.maxMessageBytes);
  if (sizeProblem !== null) return reject(sizeProblem);
  const converted = convertLegacy(messageSet, policy, context.hot ?? accel);
  if (!Buffer.isBuffer(converted)) return reject(converted);
  const result = validateProducePartition(converted, { ...policy, compressionType: 'producer' }, context);
  return result.ok ? { ...result, recompressed: true } : result;
}

/**
 * The entry point for one partition of any Produce version: v2 batches go through
 * validateProducePartition, v0/v1 message sets (allowed before Produce v3) through
 * validateLegacyProducePartition.
 */
export function validateProduceRecords(recordSet: Buffer, policy: ProducePolicy, context: ProduceContext): ProduceValidation {
  const magic = peekMagic(recordSet);
  if (magic === 0 || magic === 1) {
    if (context.produceVersion >= SINGLE_BATCH_MIN_PRODUCE_VERSION) {
      return reject(recordProblem('INVALID_RECORD', `Produce v${context.produceVersion} must carry magic v${MAGIC_V2} record batches, got magic v${magic}`));
    }
    return validateLegacyProducePartition(recordSet, policy, context);
  }
  return validateProducePartition(recordSet, policy, context);
}
