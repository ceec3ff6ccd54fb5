// Log compaction (cleanup.policy=compact): keeps the latest record per key, keeps offsets, drops
// tombstones whose timestamp is older than delete.retention.ms. `cleanSegments` is a pure
// function over files (it runs in a worker thread in production, see log-cleaner.ts): it builds
// a key -> latest offset map over the dirty range, then rewrites each group of segments into
// one `<base>.log.cleaned` file, fsynced. The caller swaps it in (PartitionLog.swapCleaned).
import { constants } from 'node:fs';
import type { DecodedRecord, RecordHeader } from '../accel/types.js';
import { ATTR_COMPRESSION_MASK, ATTR_CONTROL, ATTR_LOG_APPEND_TIME, ATTR_TRANSACTIONAL, BATCH_HEADER_BYTES, Field, baseOffsetOf, readInt64, writeInt64 } from './batch-header.js';
import { decodeStoredBatch } from './batch-records.js';
import type { StorageContext } from './context.js';
import { scanBatches } from './scan.js';

export interface CleanSegmentInput {
  baseOffset: number;
  path: string;
  sizeBytes: number;
}

export interface CleanTask {
  /** Groups of consecutive segments; each becomes one cleaned segment named after its first. */
  groups: CleanSegmentInput[][];
  /** Offsets [dirtyStart, dirtyEnd) were not cleaned before: the offset map covers them. */
  dirtyStart: number;
  dirtyEnd: number;
  nowMs: number;
  deleteRetentionMs: number;
  /** Bound on distinct keys in the offset map; cleaning stops short when it fills. */
  offsetMapEntriesMax: number;
  /** Aborted transactions overlapping the segments: their data batches are removed, never kept by key. */
  abortedTxns?: readonly AbortedRange[];
}

/** An aborted transaction: the producer's data batches in [firstOffset, lastOffset] are aborted. */
export interface AbortedRange {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
}

/** A transactional data batch inside one of its producer's aborted ranges. */
function isAbortedBatch(batch: Buffer, aborted: readonly AbortedRange[] | undefined): boolean {
  if (aborted === undefined || aborted.length === 0 || (batch.readInt16BE(Field.attributes) & ATTR_TRANSACTIONAL) === 0) return false;
  const producerId = readInt64(batch, Field.producerId);
  const baseOffset = baseOffsetOf(batch);
  return aborted.some((a) => a.producerId === producerId && a.firstOffset <= baseOffset && baseOffset <= a.lastOffset);
}

export interface CleanedGroup {
  baseOffset: number;
  cleanedPath: string;
  replacedBaseOffsets: number[];
  inputBytes: number;
  outputBytes: number;
}

export interface CleanResult {
  groups: CleanedGroup[];
  /** The map covered offsets below this; the next pass's dirty range starts here. */
  cleanedUpTo: number;
  recordsKept: number;
  recordsRemoved: number;
}

export const CLEANED_SUFFIX = '.cleaned';
export const SWAP_SUFFIX = '.swap';
const WRITE_CHUNK_BYTES = 1024 * 1024;

export type CleanerContext = Pick<StorageContext, 'io' | 'records' | 'crc32c'>;

/** Runs a cleaning task; every output file is fsynced before this returns. */
export function cleanSegments(ctx: CleanerContext, task: CleanTask): CleanResult {
  const { map, coveredUpTo } = buildOffsetMap(ctx, task);
  const result: CleanResult = { groups: [], cleanedUpTo: coveredUpTo, recordsKept: 0, recordsRemoved: 0 };
  const tombstoneHorizonMs = task.nowMs - task.deleteRetentionMs;
  for (const group of task.groups) result.groups.push(cleanGroup(ctx, group, { map, tombstoneHorizonMs, stats: result, aborted: task.abortedTxns }));
  return result;
}

/** Visits every stored batch of a segment file (whole batch bytes), in order. */
function forEachBatch(ctx: CleanerContext, segment: CleanSegmentInput, visit: (batch: Buffer) => boolean | void): void {
  const fd = ctx.io.open(segment.path, constants.O_RDONLY);
  try {
    scanBatches({ io: ctx.io, fd, startPosition: 0, endPosition: segment.sizeBytes, chunkBytes: 256 * 1024 }, (scanned) => {
      const batch = Buffer.allocUnsafe(scanned.sizeBytes);
      ctx.io.pread(fd, batch, 0, scanned.sizeBytes, scanned.position);
      return visit(batch);
    });
  } finally {
    ctx.io.close(fd);
  }
}

function keyOf(key: Buffer): string {
  return key.toString('latin1');
}

function buildOffsetMap(ctx: CleanerContext, task: CleanTask): { map: Map<string, number>; coveredUpTo: number } {
  const map = new Map<string, number>();
  let coveredUpTo = task.dirtyEnd;
  outer: for (const segment of task.groups.flat()) {
    let full = false;
    forEachBatch(ctx, segment, (batch) => {
      const baseOffset = baseOffsetOf(batch);
      if (baseOffset + batch.readInt32BE(Field.lastOffsetDelta) < task.dirtyStart) return true;
      if (baseOffset >= task.dirtyEnd) return false;
      if (isControl(batch) || isAbortedBatch(batch, task.abortedTxns)) return true;
      const records = decodeStoredBatch(ctx, batch);
      if (map.size + records.length > task.offsetMapEntriesMax) {
        coveredUpTo = baseOffset;
        full = true;
        return false;
      }
      for (const record of records) if (record.key !== null) map.set(keyOf(record.key), baseOffset + record.offsetDelta);
      return true;
    });
    if (full) break outer;
  }
  return { map, coveredUpTo };
}

function isControl(batch: Buffer): boolean {
  return (batch.readInt16BE(Field.attributes) & ATTR_CONTROL) !== 0;
}

interface GroupState {
  map: Map<string, number>;
  tombstoneHorizonMs: number;
  aborted: readonly AbortedRange[] | undefined;
  stats: CleanResult;
}

function cleanGroup(ctx: CleanerContext, group: CleanSegmentInput[], state: GroupState): CleanedGroup {
  const first = group[0]!;
  const cleanedPath = first.path + CLEANED_SUFFIX;
  const out = ctx.io.open(cleanedPath, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o644);
  let outputBytes = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const writePending = (): void => {
    if (pending.length > 0) ctx.io.pwritev(out, pending, outputBytes);
    outputBytes += pendingBytes;
    pending = [];
    pendingBytes = 0;
  };
  try {
    for (const segment of group) {
      forEachBatch(ctx, segment, (batch) => {
        const kept = cleanBatch(ctx, batch, state);
        if (kept === undefined) return true;
        pending.push(kept);
        pendingBytes += kept.length;
        if (pendingBytes >= WRITE_CHUNK_BYTES) writePending();
        return true;
      });
    }
    writePending();
    ctx.io.fdatasync(out);
  } finally {
    ctx.io.close(out);
  }
  const inputBytes = group.reduce((sum, s) => sum + s.sizeBytes, 0);
  return { baseOffset: first.baseOffset, cleanedPath, replacedBaseOffsets: group.map((s) => s.baseOffset), inputBytes, outputBytes };
}

/** The batch to keep (the original bytes, or a rebuilt batch), or undefined to drop it. */
function cleanBatch(ctx: CleanerContext, batch: Buffer, state: GroupState): Buffer | undefined {
  if (isControl(batch)) return batch;
  if (isAbortedBatch(batch, state.aborted)) return undefined;
  const baseOffset = baseOffsetOf(batch);
  const logAppendTime = (batch.readInt16BE(Field.attributes) & ATTR_LOG_APPEND_TIME) !== 0;
  const baseTimestamp = readInt64(batch, Field.baseTimestamp);
  const records = decodeStoredBatch(ctx, batch);
  const kept = records.filter((record) => {
    if (record.key === null) return false;
    const offset = baseOffset + record.offsetDelta;
    if ((state.map.get(keyOf(record.key)) ?? -1) > offset) return false;
    const timestamp = logAppendTime ? readInt64(batch, Field.maxTimestamp) : baseTimestamp + record.timestampDelta;
    return !(record.value === null && timestamp < state.tombstoneHorizonMs);
  });
  state.stats.recordsKept += kept.length;
  state.stats.recordsRemoved += records.length - kept.length;
  if (kept.length === records.length) return batch;
  if (kept.length === 0) return undefined;
  return rebuildBatch(ctx, batch, kept);
}

/** A batch with the same header (base offset, lastOffsetDelta, producer fields) and fewer records. */
function rebuildBatch(ctx: CleanerContext, original: Buffer, records: readonly DecodedRecord[]): Buffer {
  const plain = Buffer.concat(records.map(encodeRecord));
  const codecId = original.readInt16BE(Field.attributes) & ATTR_COMPRESSION_MASK;
  const codec = ([undefined, 'gzip', 'snappy', 'lz4', 'zstd'] as const)[codecId];
  const body = codec === undefined ? plain : ctx.records.compress(codec, plain);
  const out = Buffer.allocUnsafe(BATCH_HEADER_BYTES + body.length);
  original.copy(out, 0, 0, BATCH_HEADER_BYTES);
  body.copy(out, BATCH_HEADER_BYTES);
  out.writeInt32BE(out.length - 12, Field.batchLength);
  out.writeInt32BE(records.length, Field.recordCount);
  if ((original.readInt16BE(Field.attributes) & ATTR_LOG_APPEND_TIME) === 0) {
    const baseTimestamp = readInt64(original, Field.baseTimestamp);
    writeInt64(out, Field.maxTimestamp, baseTimestamp + Math.max(...records.map((r) => r.timestampDelta)));
  }
  out.writeUInt32BE(ctx.crc32c(out, 21, out.length) >>> 0, Field.crc);
  return out;
}

// ---- record encoding with the original offsetDelta ---------------------------------------

function zigzagSize(value: number): number {
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  let size = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

function writeZigzag(out: Buffer, at: number, value: number): number {
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  while (v >= 128) {
    out[at++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  out[at++] = v;
  return at;
}

function bytesFieldSize(bytes: Buffer | null): number {
  return bytes === null ? 1 : zigzagSize(bytes.length) + bytes.length;
}

function writeBytesField(out: Buffer, at: number, bytes: Buffer | null): number {
  if (bytes === null) return writeZigzag(out, at, -1);
  at = writeZigzag(out, at, bytes.length);
  bytes.copy(out, at);
  return at + bytes.length;
}

export function encodeRecord(record: DecodedRecord): Buffer {
  const headers: readonly RecordHeader[] = record.headers;
  let bodyBytes = 1 + zigzagSize(record.timestampDelta) + zigzagSize(record.offsetDelta) + bytesFieldSize(record.key) + bytesFieldSize(record.value) + zigzagSize(headers.length);
  for (const header of headers) bodyBytes += bytesFieldSize(header.key) + bytesFieldSize(header.value);
  const out = Buffer.allocUnsafe(zigzagSize(bodyBytes) + bodyBytes);
  let at = writeZigzag(out, 0, bodyBytes);
  out[at++] = record.attributes;
  at = writeZigzag(out, at, record.timestampDelta);
  at = writeZigzag(out, at, record.offsetDelta);
  at = writeBytesField(out, at, record.key);
  at = writeBytesField(out, at, record.value);
  at = writeZigzag(out, at, headers.length);
  for (const header of headers) {
    at = writeBytesField(out, at, header.key);
    at = writeBytesField(out, at, header.value);
  }
  return out;
}

