// Producer state of each partition log: built on first use from the newest `<offset>.snapshot`
// beside the log plus a scan of the batch headers after it (recovery), kept up to date by the
// append path below, and snapshotted (write to .tmp, rename) by takeSnapshot().
// Snapshots are JSON (Rill's own format, not Kafka's binary one); the last two are kept.
// Aborted transactions also go to each segment's `.txnindex` (txn-index.ts, Kafka's layout).
import { existsSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { iterateBatches, readControlBatchMarker, type RecordBatchView } from '../protocol/records/index.js';
import type { PartitionLog } from './partition-log.js';
import { appendTxnIndexEntry, readTxnIndexes, removeOrphanTxnIndexes, segmentBaseFor } from './txn-index.js';
import { ProducerState, type BatchCheck, type BatchHeader, type ProducerEntry, type AbortedTxn } from './producer-state.js';

export const SNAPSHOT_SUFFIX = '.snapshot';
const SNAPSHOT_FORMAT_VERSION = 1;
const SNAPSHOTS_KEPT = 2;
/** Bytes read per step when rebuilding state from the log. */
const REBUILD_READ_BYTES = 1024 * 1024;

interface Handle {
  state: ProducerState | undefined;
  loading: Promise<ProducerState> | undefined;
  snapshotOffset: number;
}

const handles = new WeakMap<PartitionLog, Handle>();

function handleOf(partitionLog: PartitionLog): Handle {
  let handle = handles.get(partitionLog);
  if (handle === undefined) {
    handle = { state: undefined, loading: undefined, snapshotOffset: -1 };
    handles.set(partitionLog, handle);
  }
  return handle;
}

/** The partition's producer state, loading it (snapshot + log scan) on first use. */
export function producerStateOf(partitionLog: PartitionLog): Promise<ProducerState> {
  const handle = handleOf(partitionLog);
  if (handle.state !== undefined) return Promise.resolve(handle.state);
  handle.loading ??= loadState(partitionLog, handle).then((state) => {
    handle.state = state;
    partitionLog.txnView = state;
    handle.loading = undefined;
    return state;
  });
  return handle.loading;
}

/** The state if already loaded (read paths that must not wait). */
export function loadedProducerState(partitionLog: PartitionLog): ProducerState | undefined {
  return handles.get(partitionLog)?.state;
}

/** Last stable offset: the first offset of the earliest open transaction, or the high watermark. */
export function lastStableOffsetOf(partitionLog: PartitionLog): number {
  const first = loadedProducerState(partitionLog)?.firstUnstableOffset();
  return first === undefined ? partitionLog.highWatermark : Math.min(first, partitionLog.highWatermark);
}

/** Aborted transactions a read_committed fetch of [fromOffset, toOffset) must be told about. */
export function abortedTransactionsOf(partitionLog: PartitionLog, fromOffset: number, toOffset: number): AbortedTxn[] {
  return loadedProducerState(partitionLog)?.abortedBetween(fromOffset, toOffset) ?? [];
}

// ---- load -----------------------------------------------------------------------------------

function snapshotName(offset: number): string {
  return String(offset).padStart(20, '0') + SNAPSHOT_SUFFIX;
}

function snapshotOffsets(dir: string): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /^\d{20}\.snapshot$/.test(n))
    .map((n) => Number(n.slice(0, 20)))
    .sort((a, b) => a - b);
}

interface SnapshotFile {
  version: number;
  offset: number;
  producers: ProducerEntry[];
  aborted: AbortedTxn[];
}

function readSnapshot(path: string): SnapshotFile | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as SnapshotFile;
    if (parsed.version !== SNAPSHOT_FORMAT_VERSION || !Array.isArray(parsed.producers) || !Array.isArray(parsed.aborted)) return undefined;
    return parsed;
  } catch {
    return undefined;
  }
}

/** Newest usable snapshot at or below the log end; later ones (after a truncation) are removed. */
function restoreSnapshot(partitionLog: PartitionLog, state: ProducerState): number {
  const offsets = snapshotOffsets(partitionLog.dir);
  for (const offset of offsets.filter((o) => o > partitionLog.logEndOffset)) unlinkSync(join(partitionLog.dir, snapshotName(offset)));
  for (const offset of offsets.filter((o) => o <= partitionLog.logEndOffset).reverse()) {
    const snapshot = readSnapshot(join(partitionLog.dir, snapshotName(offset)));
    if (snapshot === undefined) continue;
    for (const entry of snapshot.producers) state.restoreEntry(entry);
    state.aborted = snapshot.aborted;
    return offset;
  }
  return -1;
}

async function loadState(partitionLog: PartitionLog, handle: Handle): Promise<ProducerState> {
  const state = new ProducerState();
  const snapshotOffset = restoreSnapshot(partitionLog, state);
  handle.snapshotOffset = snapshotOffset;
  const scanStart = Math.max(snapshotOffset, partitionLog.logStartOffset);
  const bases = partitionLog.segmentBaseOffsets();
  const indexed = readTxnIndexes(partitionLog.dir, bases) ?? [];
  state.aborted = mergeAborted(indexed, state.aborted).filter((a) => a.lastOffset < scanStart);
  state.appliedOffset = scanStart;
  await scanFrom(partitionLog, state, scanStart);
  state.aborted = state.aborted.filter((a) => a.lastOffset < partitionLog.logEndOffset);
  indexMissing(partitionLog, state, indexed, bases);
  state.truncateStart(partitionLog.logStartOffset);
  return state;
}

async function scanFrom(partitionLog: PartitionLog, state: ProducerState, startOffset: number): Promise<void> {
  let offset = startOffset;
  while (offset < partitionLog.logEndOffset) {
    const read = await partitionLog.read(offset, REBUILD_READ_BYTES, { maxOffset: partitionLog.logEndOffset });
    if (read.records.length === 0) return;
    const next = replayBatches(state, read.records, offset);
    if (next <= offset) return;
    offset = next;
  }
}

/** Union by marker offset, ordered by it. */
function mergeAborted(a: readonly AbortedTxn[], b: readonly AbortedTxn[]): AbortedTxn[] {
  const byMarker = new Map<number, AbortedTxn>();
  for (const entry of [...a, ...b]) byMarker.set(entry.lastOffset, entry);
  return [...byMarker.values()].sort((x, y) => x.lastOffset - y.lastOffset);
}

/** Writes .txnindex entries for aborted transactions the indexes lack (lost in a crash). */
function indexMissing(partitionLog: PartitionLog, state: ProducerState, indexed: readonly AbortedTxn[], bases: readonly number[]): void {
  const present = new Set(indexed.map((a) => a.lastOffset));
  for (const entry of state.aborted) {
    if (present.has(entry.lastOffset) || entry.lastOffset < partitionLog.logStartOffset) continue;
    appendTxnIndexEntry(partitionLog.dir, segmentBaseFor(bases, entry.lastOffset), entry, entry.firstOffset);
  }
}

/** Removes .txnindex files whose segment is gone. */
export function removeOrphanIndexes(partitionLog: PartitionLog): number {
  return removeOrphanTxnIndexes(partitionLog.dir, partitionLog.segmentBaseOffsets());
}

/** Applies the producer batches of a read; returns the offset after the last batch. */
function replayBatches(state: ProducerState, records: Buffer, fromOffset: number): number {
  let next = fromOffset;
  for (const view of iterateBatches(records)) {
    next = view.nextOffset;
    if (view.lastOffset < fromOffset || view.producerId < 0) continue;
    if (view.isControl) replayMarker(state, view);
    else state.applyBatch(headerOf(view), view.baseOffset);
  }
  return next;
}

function replayMarker(state: ProducerState, view: RecordBatchView): void {
  try {
    const marker = readControlBatchMarker(view);
    state.applyMarker({
      producerId: view.producerId, producerEpoch: view.producerEpoch, commit: marker.marker === 'commit',
      offset: view.baseOffset, coordinatorEpoch: marker.coordinatorEpoch, timestampMs: view.maxTimestamp,
    });
  } catch {
    // A control batch that is not a transaction marker changes no producer state.
  }
}

export function headerOf(view: RecordBatchView): BatchHeader {
  return {
    producerId: view.producerId,
    producerEpoch: view.producerEpoch,
    baseSequence: view.baseSequence,
    offsetCount: view.lastOffsetDelta + 1,
    isTransactional: view.isTransactional,
    maxTimestampMs: view.maxTimestamp,
  };
}

// ---- snapshots ------------------------------------------------------------------------------

/**
 * Writes a snapshot if the state moved since the last one; keeps the newest two. By default at
 * the offset after the last producer batch; `atLogEnd` (shutdown) at the log end offset, so the
 * next start scans nothing (every producer batch passes through this module synchronously, so
 * the state is exact at the log end).
 */
export function takeSnapshot(partitionLog: PartitionLog, atLogEnd = false): boolean {
  const handle = handles.get(partitionLog);
  const state = handle?.state;
  if (handle === undefined || state === undefined || !existsSync(partitionLog.dir)) return false;
  const offset = atLogEnd ? partitionLog.logEndOffset : state.appliedOffset;
  if (offset === handle.snapshotOffset || (!atLogEnd && offset < handle.snapshotOffset)) return false;
  const body: SnapshotFile = { version: SNAPSHOT_FORMAT_VERSION, offset, producers: [...state.producers.values()], aborted: state.aborted };
  const path = join(partitionLog.dir, snapshotName(offset));
  writeSnapshotFile(path, JSON.stringify(body));
  handle.snapshotOffset = offset;
  const old = snapshotOffsets(partitionLog.dir).slice(0, -SNAPSHOTS_KEPT);
  for (const stale of old) unlinkSync(join(partitionLog.dir, snapshotName(stale)));
  return true;
}

/**
 * Write to .tmp and rename, without fsync: a snapshot lost or torn by a crash fails to parse and
 * is skipped (an older one, or a scan from the log start, rebuilds the state), so shutdown does
 * not pay an fsync per partition.
 */
function writeSnapshotFile(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

// ---- append ---------------------------------------------------------------------------------

export type ProducedAppend =
  | { ok: true; baseOffset: number; logStartOffset: number; duplicate: boolean }
  | { ok: false; errorCode: number; message: string };

/** Extra check for transactional batches (the partition must be in the producer's transaction). */
export type TxnVerifier = (header: BatchHeader) => { errorCode: number; message: string } | undefined;

function firstBatch(recordSet: Buffer): RecordBatchView | undefined {
  for (const view of iterateBatches(recordSet)) return view;
  return undefined;
}

/**
 * Appends a Produce record set with producer checks: idempotent/transactional batches are
 * checked and recorded; duplicates are answered with their original offset and not appended.
 * The check, the write and the state update run without an await between them.
 */
export async function appendWithProducerState(partitionLog: PartitionLog, recordSet: Buffer, verify?: TxnVerifier): Promise<ProducedAppend> {
  const view = firstBatch(recordSet);
  if (view === undefined || view.producerId < 0) return appendPlain(partitionLog, recordSet);
  const state = await producerStateOf(partitionLog);
  const header = headerOf(view);
  const check: BatchCheck = state.checkBatch(header);
  if (check.kind === 'duplicate') return { ok: true, baseOffset: check.firstOffset, logStartOffset: partitionLog.logStartOffset, duplicate: true };
  if (check.kind === 'error') return { ok: false, errorCode: check.errorCode, message: check.message };
  const refused = header.isTransactional ? verify?.(header) : undefined;
  if (refused !== undefined) return { ok: false, ...refused };
  const appended = partitionLog.appendNoWait(recordSet);
  state.applyBatch(header, appended.baseOffset);
  await flushPerPolicy(partitionLog);
  return { ok: true, baseOffset: appended.baseOffset, logStartOffset: appended.logStartOffset, duplicate: false };
}

async function appendPlain(partitionLog: PartitionLog, recordSet: Buffer): Promise<ProducedAppend> {
  const appended = await partitionLog.append(recordSet);
  return { ok: true, baseOffset: appended.baseOffset, logStartOffset: appended.logStartOffset, duplicate: false };
}

/** The flush part of PartitionLog.append (flush.messages / flush.ms). */
async function flushPerPolicy(partitionLog: PartitionLog): Promise<void> {
  if (partitionLog.logEndOffset - partitionLog.recoveryPoint >= partitionLog.config.flushMessages) await partitionLog.flush();
  else partitionLog.flushIfDue(Date.now());
}

/** Appends a transaction marker (built by the caller) and records it; INVALID_PRODUCER_EPOCH for a stale epoch. */
export async function appendMarker(
  partitionLog: PartitionLog, batch: Buffer, marker: { producerId: number; producerEpoch: number; commit: boolean; coordinatorEpoch: number },
): Promise<number> {
  const state = await producerStateOf(partitionLog);
  const errorCode = state.checkMarker(marker.producerId, marker.producerEpoch);
  if (errorCode !== 0) return errorCode;
  const abortedBefore = state.aborted.length;
  const appended = partitionLog.appendNoWait(batch);
  state.applyMarker({ ...marker, offset: appended.baseOffset, timestampMs: Date.now() });
  const aborted = state.aborted.length > abortedBefore ? state.aborted[state.aborted.length - 1] : undefined;
  if (aborted !== undefined) appendTxnIndexEntry(partitionLog.dir, partitionLog.activeSegment.baseOffset, aborted, lastStableOffsetOf(partitionLog));
  await flushPerPolicy(partitionLog);
  return 0;
}

/** Fetch's aborted_transactions entries for a read_committed read of [fromOffset, toOffset). */
export function abortedTransactionsFor(partitionLog: PartitionLog, fromOffset: number, toOffset: number): { producerId: bigint; firstOffset: bigint }[] {
  return abortedTransactionsOf(partitionLog, fromOffset, toOffset).map((a) => ({ producerId: BigInt(a.producerId), firstOffset: BigInt(a.firstOffset) }));
}
