// A partition's log: the directory `<topic>-<partition>/` of segments. Offsets are assigned on
// append by patching each batch's baseOffset (and partitionLeaderEpoch) in place; one pwritev
// per append; reads return whole batches as views of one pread buffer.
import { mkdirSync, readdirSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { limits } from '../config/limits.js';
import { BATCH_HEADER_BYTES, BATCH_LENGTH_MIN, Field, lastOffsetDeltaOf, magicOf, maxTimestampOf, patchBatch } from './batch-header.js';
import { findRecordByTimestamp } from './batch-records.js';
import { resolveLogConfig, compacts, deletes, type LogConfig } from './config.js';
import { fsyncDirectory } from './checkpoint.js';
import { CLEANED_SUFFIX, SWAP_SUFFIX, type AbortedRange, type CleanResult, type CleanSegmentInput, type CleanTask } from './cleaner.js';
import { SCAN_CHUNK_BYTES, segmentFileName } from './context.js';
import { scanBatches } from './scan.js';
import type { StorageContext } from './context.js';
import { assertStorage, InvalidBatchError, LogClosedError, OffsetOutOfRangeError, StorageError } from './errors.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import { DELETED_SUFFIX, INDEX_SUFFIX, LOG_SUFFIX, Segment, TIME_INDEX_SUFFIX, unlinkIfExists, type PlacedBatch } from './segment.js';
import type { ReadBufferLender } from './read-buffers.js';

export const EARLIEST_TIMESTAMP = -2;
export const LATEST_TIMESTAMP = -1;
export const MAX_TIMESTAMP = -3;

export interface PartitionLogOptions {
  dir: string;
  context: StorageContext;
  config?: Partial<LogConfig>;
  /** Offset up to which the log is known flushed (recovery-point-offset-checkpoint). */
  recoveryPoint?: number;
  /** From log-start-offset-checkpoint. */
  logStartOffset?: number;
  /** True when the previous shutdown was clean: nothing is re-validated. */
  cleanShutdown?: boolean;
  /** Leader epoch to start in (the largest of this and the checkpointed one is used). */
  leaderEpoch?: number;
  /** From cleaner-offset-checkpoint: offsets below it were compacted already. */
  firstDirtyOffset?: number;
}

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  logStartOffset: number;
}

export interface ReadResult {
  /** Whole batches, a view of one read buffer; empty when there is nothing at fetchOffset. */
  records: Buffer;
  /** Base offset of the first batch returned (-1 when empty). */
  firstOffset: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  logEndOffset: number;
}

export interface ReadOptions {
  /** Batches starting at or after this offset are not returned (default: the high watermark). */
  maxOffset?: number;
  /** Reusable buffers for synchronous reads (Fetch): the caller releases them once the bytes are sent. */
  lender?: ReadBufferLender;
}

export interface TimestampLookup {
  offset: number;
  timestamp: number;
}

interface FlushWaiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

export class PartitionLog {
  readonly dir: string;
  readonly topic: string;
  readonly partition: number;
  config: LogConfig;
  private readonly ctx: StorageContext;
  private segments: Segment[] = [];
  private epochs: LeaderEpochCache;
  logStartOffset = 0;
  logEndOffset = 0;
  highWatermark = 0;
  leaderEpoch = 0;
  /** Offset below which every byte (and every sealed index) is on disk. */
  recoveryPoint = 0;
  private lastFlushMs: number;
  private flushWaiters: FlushWaiter[] = [];
  private flushRunning = false;
  private failure: Error | undefined;
  private closed = false;
  /** Set when the files are closed: a flush still running stops touching them. */
  private closedForFlush = false;
  private readonly pendingDeletes = new Map<ReturnType<typeof setTimeout>, string[]>();
  /** A segment file was created since the last flush: its directory entry must be synced too. */
  private dirUnsynced = false;
  /** The partition directory itself was created: the parent directory must be synced once. */
  private parentDirUnsynced = false;
  /** Offsets below this have been compacted (in memory: after a restart the whole log is dirty). */
  private firstDirtyOffsetValue = 0;
  /** Transaction state (src/log/producer-state.ts), set when it is loaded: compaction stays below open transactions and removes aborted data. */
  txnView: { firstUnstableOffset(): number | undefined; abortedBetween(fromOffset: number, toOffset: number): AbortedRange[] } | undefined;
  /** Bumped whenever old segments change (deletion, truncation, swap): a cleaning planned before is void. */
  private segmentsGeneration = 0;

  private constructor(options: PartitionLogOptions) {
    this.dir = options.dir;
    this.ctx = options.context;
    this.config = resolveLogConfig(options.config);
    const parsed = parsePartitionDir(basename(options.dir));
    this.topic = parsed.topic;
    this.partition = parsed.partition;
    this.epochs = new LeaderEpochCache(options.dir, this.ctx.warn);
    this.lastFlushMs = this.ctx.nowMs();
  }

  /** Opens (creating if needed) the log in options.dir, recovering after an unclean stop. */
  static open(options: PartitionLogOptions): PartitionLog {
    const created = mkdirSync(options.dir, { recursive: true }) !== undefined;
    const log = new PartitionLog(options);
    log.parentDirUnsynced = created;
    log.load(options);
    return log;
  }

  /** Offsets below this were compacted (cleaner-offset-checkpoint). */
  get firstDirtyOffset(): number {
    return this.firstDirtyOffsetValue;
  }

  get lastStableOffset(): number {
    return this.highWatermark;
  }

  get activeSegment(): Segment {
    const active = this.segments[this.segments.length - 1];
    assertStorage(active !== undefined, `${this.dir}: no active segment`);
    return active;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Base offsets of the segments, oldest first. */
  segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  /** Total bytes of the segment files. */
  get sizeBytes(): number {
    let total = 0;
    for (const segment of this.segments) total += segment.sizeBytes;
    return total;
  }

  get leaderEpochEntries(): readonly { epoch: number; startOffset: number }[] {
    return this.epochs.all;
  }

  // ---- open and recovery -------------------------------------------------------------------

  private load(options: PartitionLogOptions): void {
    const bases = this.cleanDirectory();
    const clean = options.cleanShutdown === true;
    const recoveryPoint = options.recoveryPoint ?? 0;
    const recoverFrom = clean ? Infinity : floorBase(bases, recoveryPoint);
    for (const base of bases) {
      if (!this.openSegment(base, base < recoverFrom)) {
        this.dropFilesFrom(bases, base);
        break;
      }
    }
    const startOffset = options.logStartOffset ?? 0;
    if (this.segments.length === 0) this.segments.push(this.createSegment(startOffset));
    this.logEndOffset = this.activeSegment.nextOffset;
    this.highWatermark = this.logEndOffset;
    this.logStartOffset = Math.max(startOffset, this.segments[0]!.baseOffset);
    if (this.logStartOffset > this.logEndOffset) this.truncateFullyAndStartAt(this.logStartOffset);
    this.firstDirtyOffsetValue = Math.min(Math.max(options.firstDirtyOffset ?? 0, this.logStartOffset), this.logEndOffset);
    if (!clean) this.syncRecovered();
    this.recoveryPoint = this.logEndOffset;
    this.epochs.truncateFromEnd(this.logEndOffset);
    this.epochs.truncateFromStart(this.logStartOffset);
    this.leaderEpoch = Math.max(options.leaderEpoch ?? 0, this.epochs.latestEpoch ?? 0);
  }

  /** Removes leftovers (.deleted, .tmp, orphan indexes); returns the segment base offsets. */
  private cleanDirectory(): number[] {
    for (const name of readdirSync(this.dir)) if (name.endsWith(LOG_SUFFIX + SWAP_SUFFIX)) this.completeSwap(name);
    const names = readdirSync(this.dir);
    const logs = new Set(names.filter((n) => n.endsWith(LOG_SUFFIX)).map((n) => n.slice(0, -LOG_SUFFIX.length)));
    for (const name of names) {
      const stem = name.replace(/\.(index|timeindex)$/, '');
      const orphanIndex = stem !== name && !logs.has(stem);
      if (name.endsWith(DELETED_SUFFIX) || name.endsWith('.tmp') || name.endsWith(CLEANED_SUFFIX) || orphanIndex) unlinkIfExists(join(this.dir, name));
    }
    return [...logs]
      .filter((stem) => /^\d{20}$/.test(stem))
      .map(Number)
      .sort((a, b) => a - b);
  }

  /**
   * A `.log.swap` file is a cleaned segment whose swap was committed: the segments it replaces
   * (base offsets inside its offset range) go, and it becomes `<base>.log`.
   */
  private completeSwap(swapName: string): void {
    const swapPath = join(this.dir, swapName);
    const base = Number(swapName.slice(0, 20));
    const nextOffset = this.swapNextOffset(swapPath, base);
    for (const name of readdirSync(this.dir)) {
      const match = /^(\d{20})\.(log|index|timeindex)$/.exec(name);
      if (match !== null && Number(match[1]) >= base && Number(match[1]) < Math.max(nextOffset, base + 1)) unlinkIfExists(join(this.dir, name));
    }
    renameSync(swapPath, join(this.dir, segmentFileName(base, LOG_SUFFIX)));
    fsyncDirectory(this.dir);
    this.ctx.warn(`${swapPath}: completed an interrupted compaction swap`);
  }

  private swapNextOffset(path: string, base: number): number {
    const fd = this.ctx.io.open(path, 0);
    try {
      let next = base;
      const endPosition = this.ctx.io.fileSize(fd);
      scanBatches({ io: this.ctx.io, fd, startPosition: 0, endPosition, chunkBytes: SCAN_CHUNK_BYTES, crc32c: this.ctx.crc32c, minBaseOffset: base }, (batch) => {
        next = batch.lastOffset + 1;
      });
      return next;
    } finally {
      this.ctx.io.close(fd);
    }
  }

  /** Opens one segment; false when recovery cut it short (later segments must go). */
  private openSegment(base: number, trusted: boolean): boolean {
    const previous = this.segments[this.segments.length - 1];
    if (previous !== undefined && base < previous.nextOffset) {
      this.ctx.warn(`${this.dir}: segment ${base} overlaps the previous one (next offset ${previous.nextOffset}); dropping it and later segments`);
      return false;
    }
    const options = { segmentIndexBytes: this.config.segmentIndexBytes, indexIntervalBytes: this.config.indexIntervalBytes, trusted };
    const { segment, recovered } = Segment.open(this.ctx, this.dir, base, options);
    this.segments.push(segment);
    if (recovered === undefined || recovered.stop === 'end') return true;
    this.ctx.warn(`${segment.logRef.path}: recovery stopped (${recovered.stop}); truncated ${recovered.truncatedBytes} bytes`);
    return false;
  }

  private dropFilesFrom(bases: readonly number[], cutBase: number): void {
    for (const base of bases) {
      if (base <= cutBase) continue;
      for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) unlinkIfExists(join(this.dir, String(base).padStart(20, '0') + suffix));
    }
  }

  /** After an unclean stop, what recovery kept is synced so the recovery point can be LEO. */
  private syncRecovered(): void {
    for (const segment of this.segments) {
      if (segment.flushedBytes < segment.sizeBytes) {
        this.ctx.handles.with(segment.logRef, (fd) => this.ctx.io.fdatasync(fd));
        segment.flushedBytes = segment.sizeBytes;
      }
      if (!segment.indexesDurable && segment !== this.activeSegment) {
        segment.seal();
        segment.syncIndexes();
      }
    }
  }

  private createSegment(baseOffset: number): Segment {
    this.dirUnsynced = true;
    return Segment.create(this.ctx, this.dir, baseOffset, { segmentIndexBytes: this.config.segmentIndexBytes, indexIntervalBytes: this.config.indexIntervalBytes });
  }

  // ---- append ------------------------------------------------------------------------------

  /**
   * Appends whole v2 batches (each buffer holds one or more), assigning offsets from the log
   * end offset by patching baseOffset and partitionLeaderEpoch in place. One write system call.
   * Resolves once the flush policy is met (with flush.messages=1: after fdatasync).
   */
  async append(records: Buffer | readonly Buffer[]): Promise<AppendResult> {
    const result = this.appendNoWait(records);
    if (this.logEndOffset - this.recoveryPoint >= this.config.flushMessages) await this.flush();
    else this.flushIfDue(this.ctx.nowMs());
    return result;
  }

  /** The write part of append, without waiting for any flush (callers that flush themselves). */
  appendNoWait(records: Buffer | readonly Buffer[]): AppendResult {
    this.checkWritable('append');
    const buffers = Buffer.isBuffer(records) ? [records] : records;
    const shapes = measureBatches(buffers);
    const baseOffset = this.logEndOffset;
    const lastOffset = baseOffset + shapes.offsetCount - 1;
    this.maybeRoll(shapes.totalBytes, shapes.placed.length, lastOffset);
    this.epochs.assign(this.leaderEpoch, baseOffset);
    patchOffsets(buffers, baseOffset, this.leaderEpoch, shapes.placed);
    this.activeSegment.append(buffers, shapes.placed, shapes.totalBytes);
    this.logEndOffset = lastOffset + 1;
    this.highWatermark = this.logEndOffset;
    return { baseOffset, lastOffset, logStartOffset: this.logStartOffset };
  }

  private checkWritable(what: string): void {
    if (this.closed) throw new LogClosedError(`${this.dir}: ${what}`);
    if (this.failure !== undefined) throw new StorageError('KAFKA_STORAGE_ERROR', `${this.dir} is offline after a failed flush: ${this.failure.message}`);
  }

  private maybeRoll(appendBytes: number, batchCount: number, lastOffset: number): void {
    if (appendBytes > this.config.segmentBytes) {
      throw new InvalidBatchError('RECORD_LIST_TOO_LARGE', `append of ${appendBytes} bytes exceeds segment.bytes ${this.config.segmentBytes}`);
    }
    const active = this.activeSegment;
    const expired = !active.isEmpty && this.ctx.nowMs() - active.rollingTimestampMs > this.config.segmentMs;
    if (expired || active.needsRollFor({ appendBytes, batchCount, lastOffset, segmentBytes: this.config.segmentBytes })) this.roll();
  }

  /** Starts a new active segment at the log end offset; the old one is sealed and flushed in the background. */
  roll(): void {
    this.checkWritable('roll');
    const old = this.activeSegment;
    if (old.isEmpty) return;
    old.seal();
    this.segments.push(this.createSegment(this.logEndOffset));
    this.flush().catch((err: Error) => this.ctx.warn(`${this.dir}: background flush after roll failed: ${err.message}`));
  }

  // ---- flush (group commit) ----------------------------------------------------------------

  /**
   * Makes everything appended so far durable. Concurrent callers share fdatasync calls: those
   * arriving while one runs all wait for the next one.
   */
  flush(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.flushWaiters.push({ resolve, reject });
      if (!this.flushRunning) void this.runFlushes();
    });
  }

  /** Starts a background flush when flush.ms has passed since the last one. */
  flushIfDue(nowMs: number): void {
    if (this.logEndOffset <= this.recoveryPoint || nowMs - this.lastFlushMs < this.config.flushMs) return;
    this.flush().catch((err: Error) => this.ctx.warn(`${this.dir}: scheduled flush failed: ${err.message}`));
  }

  private async runFlushes(): Promise<void> {
    this.flushRunning = true;
    while (this.flushWaiters.length > 0) {
      const waiters = this.flushWaiters;
      this.flushWaiters = [];
      try {
        await this.syncAll();
        for (const waiter of waiters) waiter.resolve();
      } catch (err) {
        this.failure ??= err as Error;
        for (const waiter of waiters) waiter.reject(err as Error);
      }
    }
    this.flushRunning = false;
  }

  private async syncAll(): Promise<void> {
    const targetOffset = this.logEndOffset;
    this.lastFlushMs = this.ctx.nowMs();
    for (const segment of [...this.segments]) {
      if (segment.deleted || this.closedForFlush) continue;
      await segment.syncLog();
      if (this.closedForFlush) return;
      if (segment !== this.activeSegment && !segment.indexesDurable && !segment.deleted) segment.syncIndexes();
    }
    this.syncDirectories();
    this.recoveryPoint = Math.max(this.recoveryPoint, Math.min(targetOffset, this.logEndOffset));
  }

  /** New files are durable only once their directory entries are: sync the directories that changed. */
  private syncDirectories(): void {
    if (this.closedForFlush) return;
    if (this.dirUnsynced) {
      this.dirUnsynced = false;
      fsyncDirectory(this.dir);
    }
    if (this.parentDirUnsynced) {
      this.parentDirUnsynced = false;
      fsyncDirectory(dirname(this.dir));
    }
  }

  // ---- read --------------------------------------------------------------------------------

  /**
   * Whole batches from the one holding fetchOffset: at least one batch (even if larger than
   * maxBytes), then more while the total stays within maxBytes. Data comes from one segment.
   */
  async read(fetchOffset: number, maxBytes: number, options: ReadOptions = {}): Promise<ReadResult> {
    if (this.closed) throw new LogClosedError(`${this.dir}: read`);
    if (fetchOffset < this.logStartOffset || fetchOffset > this.logEndOffset) {
      throw new OffsetOutOfRangeError(fetchOffset, this.logStartOffset, this.logEndOffset);
    }
    const maxOffset = Math.min(options.maxOffset ?? this.highWatermark, this.logEndOffset);
    let index = this.segmentIndexFor(fetchOffset);
    while (fetchOffset < maxOffset && index < this.segments.length) {
      const segment = this.segments[index]!;
      const syncBytesMax = segment === this.activeSegment ? limits.logSyncReadBytesMax : 0;
      const slice = await segment.read(fetchOffset, Math.min(Math.max(0, maxBytes), limits.logReadBytesMax), maxOffset, syncBytesMax, options.lender);
      if (slice.records.length > 0) return this.readResult(slice.records, slice.firstOffset);
      index += 1;
    }
    return this.readResult(Buffer.alloc(0), -1);
  }

  private readResult(records: Buffer, firstOffset: number): ReadResult {
    return {
      records,
      firstOffset,
      highWatermark: this.highWatermark,
      lastStableOffset: this.lastStableOffset,
      logStartOffset: this.logStartOffset,
      logEndOffset: this.logEndOffset,
    };
  }

  /** Index of the last segment whose base offset is <= offset (0 if none). */
  private segmentIndexFor(offset: number): number {
    let low = 0;
    let high = this.segments.length - 1;
    let found = 0;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  // ---- offsets by timestamp ----------------------------------------------------------------

  /**
   * ListOffsets: -2 earliest, -1 latest (the log end offset; handlers cap by HW/LSO), -3 the
   * record with the largest timestamp, else the first offset whose timestamp >= target.
   * Undefined when no record qualifies.
   */
  offsetForTimestamp(timestamp: number): TimestampLookup | undefined {
    if (timestamp === EARLIEST_TIMESTAMP) return { offset: this.logStartOffset, timestamp: -1 };
    if (timestamp === LATEST_TIMESTAMP) return { offset: this.logEndOffset, timestamp: -1 };
    if (timestamp === MAX_TIMESTAMP) return this.maxTimestampOffset();
    for (const segment of this.segments) {
      if (segment.maxTimestamp < timestamp || segment.nextOffset <= this.logStartOffset) continue;
      const found = this.searchSegment(segment, segment.timeIndex.lookup(timestamp).offset, timestamp, false);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private maxTimestampOffset(): TimestampLookup | undefined {
    let best: Segment | undefined;
    for (const segment of this.segments) {
      if (segment.nextOffset > this.logStartOffset && segment.maxTimestamp >= 0 && (best === undefined || segment.maxTimestamp > best.maxTimestamp)) best = segment;
    }
    if (best === undefined) return undefined;
    return this.searchSegment(best, Math.max(best.baseOffset, this.logStartOffset), best.maxTimestamp, true);
  }

  private searchSegment(segment: Segment, fromOffset: number, timestamp: number, exact: boolean): TimestampLookup | undefined {
    let found: TimestampLookup | undefined;
    const minOffset = this.logStartOffset;
    segment.scanFrom(fromOffset, (batch) => {
      if (batch.lastOffset < minOffset || batch.maxTimestamp < timestamp) return true;
      const bytes = segment.readBytes(batch.position, batch.sizeBytes);
      found = findRecordByTimestamp(this.ctx, bytes, { targetTimestamp: timestamp, minOffset, exact });
      return found === undefined;
    });
    return found;
  }

  // ---- truncation, deletion, retention -----------------------------------------------------

  /** Removes everything at and after offset (whole batches: a batch holding offset goes). */
  truncateTo(offset: number): void {
    this.checkWritable('truncateTo');
    if (offset >= this.logEndOffset) return;
    if (offset <= this.logStartOffset || offset <= this.segments[0]!.baseOffset) {
      this.truncateFullyAndStartAt(Math.max(offset, 0));
      return;
    }
    while (this.activeSegment.baseOffset >= offset) this.deleteSegment(this.segments.pop()!);
    this.segmentsGeneration += 1;
    this.logEndOffset = this.activeSegment.truncateTo(offset);
    this.firstDirtyOffsetValue = Math.min(this.firstDirtyOffsetValue, this.logEndOffset);
    this.afterTruncation();
  }

  /** Empties the log and restarts it at offset (a replica far behind, or a log start beyond LEO). */
  truncateFullyAndStartAt(offset: number): void {
    for (const segment of this.segments) this.deleteSegment(segment);
    this.segments = [this.createSegment(offset)];
    this.logStartOffset = offset;
    this.logEndOffset = offset;
    this.afterTruncation();
  }

  private afterTruncation(): void {
    this.highWatermark = this.logEndOffset;
    this.recoveryPoint = Math.min(this.recoveryPoint, this.logEndOffset);
    this.epochs.truncateFromEnd(this.logEndOffset);
  }

  /**
   * DeleteRecords: moves the log start offset up to offset (<= high watermark) and deletes
   * segments wholly below it. Returns the new log start offset.
   */
  deleteRecordsBefore(offset: number): number {
    this.checkWritable('deleteRecordsBefore');
    if (offset > this.highWatermark || offset < 0) throw new OffsetOutOfRangeError(offset, this.logStartOffset, this.highWatermark);
    if (offset <= this.logStartOffset) return this.logStartOffset;
    this.logStartOffset = offset;
    this.epochs.truncateFromStart(offset);
    this.deleteSegmentsWhile((segment, next) => next !== undefined && next.baseOffset <= this.logStartOffset);
    return this.logStartOffset;
  }

  /**
   * Applies retention.ms and retention.bytes (cleanup.policy with delete) and drops segments
   * below the log start offset. Returns the number of segments deleted.
   */
  enforceRetention(nowMs: number): number {
    if (this.closed || this.failure !== undefined) return 0;
    let deleted = this.deleteSegmentsWhile((segment, next) => next !== undefined && next.baseOffset <= this.logStartOffset);
    if (!deletes(this.config.cleanupPolicy)) return deleted;
    if (this.config.retentionMs >= 0) deleted += this.deleteSegmentsWhile((segment) => largestTimestampMs(segment) < nowMs - this.config.retentionMs, true);
    if (this.config.retentionBytes >= 0) {
      let excessBytes = this.sizeBytes - this.config.retentionBytes;
      deleted += this.deleteSegmentsWhile((segment) => {
        if (excessBytes - segment.sizeBytes < 0) return false;
        excessBytes -= segment.sizeBytes;
        return true;
      });
    }
    return deleted;
  }

  /**
   * Deletes the oldest segments while the predicate holds, never past the high watermark. With
   * mayRollActive, an expired non-empty active segment is rolled so it can go too.
   */
  private deleteSegmentsWhile(predicate: (segment: Segment, next: Segment | undefined) => boolean, mayRollActive = false): number {
    let count = 0;
    while (this.segments.length > 0) {
      const segment = this.segments[0]!;
      const next = this.segments[1];
      if (!predicate(segment, next)) break;
      if (next === undefined) {
        if (!mayRollActive || segment.isEmpty) break;
        this.roll();
        continue;
      }
      if (segment.nextOffset > this.highWatermark) break;
      this.segments.shift();
      this.deleteSegment(segment);
      this.logStartOffset = Math.max(this.logStartOffset, this.segments[0]!.baseOffset);
      count += 1;
    }
    if (count > 0) this.epochs.truncateFromStart(this.logStartOffset);
    return count;
  }

  /** Renames the files to .deleted now and unlinks them after file.delete.delay.ms. */
  private deleteSegment(segment: Segment): void {
    this.segmentsGeneration += 1;
    const renamed = segment.markDeleted();
    segment.closeHandle();
    const timer = setTimeout(() => {
      this.pendingDeletes.delete(timer);
      for (const path of renamed) unlinkIfExists(path);
    }, this.config.fileDeleteDelayMs);
    timer.unref();
    this.pendingDeletes.set(timer, renamed);
  }

  // ---- compaction --------------------------------------------------------------------------

  /**
   * Plans a cleaning pass (cleanup.policy with compact), or undefined when none is due: only
   * inactive segments whose newest record is older than min.compaction.lag.ms are cleanable;
   * a pass runs when the dirty share of them reaches min.cleanable.dirty.ratio, or when a dirty
   * segment is older than max.compaction.lag.ms.
   */
  planCleaning(nowMs: number, offsetMapEntriesMax: number): { task: CleanTask; generation: number } | undefined {
    if (this.closed || !compacts(this.config.cleanupPolicy)) return undefined;
    const cleanable: Segment[] = [];
    const firstUnstableOffset = this.txnView?.firstUnstableOffset() ?? Infinity;
    for (const segment of this.segments.slice(0, -1)) {
      if (largestTimestampMs(segment) > nowMs - this.config.minCompactionLagMs) break;
      if (segment.nextOffset > firstUnstableOffset) break;
      cleanable.push(segment);
    }
    if (cleanable.length === 0) return undefined;
    const dirtyEnd = this.segments[cleanable.length]!.baseOffset;
    const dirtyStart = Math.max(this.firstDirtyOffsetValue, this.logStartOffset);
    if (dirtyStart >= dirtyEnd || !this.cleaningDue(cleanable, dirtyStart, nowMs)) return undefined;
    const task: CleanTask = {
      groups: this.groupForCleaning(cleanable),
      dirtyStart,
      dirtyEnd,
      nowMs,
      deleteRetentionMs: this.config.deleteRetentionMs,
      offsetMapEntriesMax,
      abortedTxns: this.txnView?.abortedBetween(this.logStartOffset, dirtyEnd),
    };
    return { task, generation: this.segmentsGeneration };
  }

  private cleaningDue(cleanable: readonly Segment[], dirtyStart: number, nowMs: number): boolean {
    let totalBytes = 0;
    let dirtyBytes = 0;
    let lagExceeded = false;
    for (const segment of cleanable) {
      totalBytes += segment.sizeBytes;
      if (segment.nextOffset <= dirtyStart) continue;
      dirtyBytes += segment.sizeBytes;
      if (segment.rollingTimestampMs < nowMs - this.config.maxCompactionLagMs) lagExceeded = true;
    }
    return lagExceeded || (totalBytes > 0 && dirtyBytes / totalBytes >= this.config.minCleanableDirtyRatio);
  }

  /** Consecutive segments whose total fits segment.bytes (and int32 relative offsets) share one output. */
  private groupForCleaning(cleanable: readonly Segment[]): CleanSegmentInput[][] {
    const groups: CleanSegmentInput[][] = [];
    let current: CleanSegmentInput[] = [];
    let currentBytes = 0;
    for (const segment of cleanable) {
      const fits = current.length > 0 && currentBytes + segment.sizeBytes <= this.config.segmentBytes && segment.nextOffset - current[0]!.baseOffset <= 0x7fff_ffff;
      if (current.length > 0 && !fits) {
        groups.push(current);
        current = [];
        currentBytes = 0;
      }
      current.push({ baseOffset: segment.baseOffset, path: segment.logRef.path, sizeBytes: segment.sizeBytes });
      currentBytes += segment.sizeBytes;
    }
    if (current.length > 0) groups.push(current);
    return groups;
  }

  /**
   * Swaps cleaned segments in: `.cleaned` -> `.swap` (the commit point) -> old segments renamed
   * to `.deleted` -> `.swap` -> `.log`. A crash anywhere leaves a log that opens valid. Returns
   * false (and discards the output) if the log changed since the pass was planned.
   */
  swapCleaned(result: CleanResult, generation: number): boolean {
    if (this.closed || this.failure !== undefined || generation !== this.segmentsGeneration) {
      for (const group of result.groups) unlinkIfExists(group.cleanedPath);
      return false;
    }
    for (const group of result.groups) this.swapGroup(group.cleanedPath, group.baseOffset, group.replacedBaseOffsets);
    this.firstDirtyOffsetValue = Math.max(this.firstDirtyOffsetValue, result.cleanedUpTo);
    return true;
  }

  private swapGroup(cleanedPath: string, baseOffset: number, replaced: readonly number[]): void {
    const logPath = join(this.dir, segmentFileName(baseOffset, LOG_SUFFIX));
    const swapPath = logPath + SWAP_SUFFIX;
    renameSync(cleanedPath, swapPath);
    fsyncDirectory(this.dir);
    const first = this.segments.findIndex((s) => s.baseOffset === baseOffset);
    assertStorage(first >= 0 && this.segments[first + replaced.length - 1]?.baseOffset === replaced[replaced.length - 1], `${this.dir}: cleaned group does not match the segments`);
    const old = this.segments.slice(first, first + replaced.length);
    for (const segment of old) this.deleteSegment(segment);
    renameSync(swapPath, logPath);
    const options = { segmentIndexBytes: this.config.segmentIndexBytes, indexIntervalBytes: this.config.indexIntervalBytes, trusted: false };
    const { segment } = Segment.open(this.ctx, this.dir, baseOffset, options);
    segment.seal();
    segment.syncIndexes();
    segment.flushedBytes = segment.sizeBytes;
    this.segments.splice(first, replaced.length, segment);
    fsyncDirectory(this.dir);
  }

  // ---- leader epochs -----------------------------------------------------------------------

  /** Starts a new leader epoch at the log end offset. */
  becomeLeader(epoch: number): void {
    assertStorage(epoch >= this.leaderEpoch, `${this.dir}: leader epoch ${epoch} < current ${this.leaderEpoch}`);
    this.leaderEpoch = epoch;
    this.epochs.assign(epoch, this.logEndOffset);
  }

  /** OffsetForLeaderEpoch. */
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } {
    return this.epochs.endOffsetFor(epoch, this.logEndOffset);
  }

  // ---- close -------------------------------------------------------------------------------

  /** Flushes, seals the active segment's indexes, closes files. Pending deletions happen now. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.failure === undefined) await this.flush();
    this.closed = true;
    this.closedForFlush = true;
    for (const segment of this.segments) {
      if (!segment.indexesDurable) {
        segment.seal();
        segment.syncIndexes();
      }
      segment.closeHandle();
    }
    this.unlinkPendingDeletes();
  }

  /** Drops the log without flushing (LogManager.deleteLog): closes files, unlinks pending deletions. */
  closeWithoutFlush(): void {
    this.closed = true;
    this.closedForFlush = true;
    for (const segment of this.segments) segment.closeHandle();
    this.unlinkPendingDeletes();
  }

  private unlinkPendingDeletes(): void {
    for (const [timer, paths] of this.pendingDeletes) {
      clearTimeout(timer);
      for (const path of paths) unlinkIfExists(path);
    }
    this.pendingDeletes.clear();
  }

  /** Bytes of index entries held in memory. */
  memoryBytes(): number {
    let total = 0;
    for (const segment of this.segments) total += segment.memoryBytes();
    return total;
  }
}

/** Validates framing of every batch in the buffers; returns their sizes and offset counts. */
export function measureBatches(buffers: readonly Buffer[]): { placed: PlacedBatch[]; totalBytes: number; offsetCount: number } {
  const placed: PlacedBatch[] = [];
  let totalBytes = 0;
  let offsetCount = 0;
  for (const buf of buffers) {
    let at = 0;
    while (at < buf.length) {
      const sizeBytes = checkBatchFraming(buf, at);
      const lastOffsetDelta = lastOffsetDeltaOf(buf, at);
      placed.push({ sizeBytes, lastOffset: lastOffsetDelta, maxTimestamp: maxTimestampOf(buf, at) });
      offsetCount += lastOffsetDelta + 1;
      at += sizeBytes;
    }
    totalBytes += buf.length;
  }
  if (placed.length === 0) throw new InvalidBatchError('CORRUPT_MESSAGE', 'append of no record batches');
  return { placed, totalBytes, offsetCount };
}

function checkBatchFraming(buf: Buffer, at: number): number {
  if (buf.length - at < BATCH_HEADER_BYTES) throw new InvalidBatchError('CORRUPT_MESSAGE', `record batch truncated: ${buf.length - at} bytes`);
  const batchLength = buf.readInt32BE(at + Field.batchLength);
  if (batchLength < BATCH_LENGTH_MIN || batchLength + 12 > buf.length - at) throw new InvalidBatchError('CORRUPT_MESSAGE', `bad batchLength ${batchLength}`);
  if (magicOf(buf, at) !== 2) throw new InvalidBatchError('CORRUPT_MESSAGE', `magic ${magicOf(buf, at)} where a v2 batch is required`);
  if (lastOffsetDeltaOf(buf, at) < 0) throw new InvalidBatchError('CORRUPT_MESSAGE', `negative lastOffsetDelta`);
  return batchLength + 12;
}

/** Patches baseOffset/leader epoch of every batch; turns each placed lastOffset delta into an absolute offset. */
function patchOffsets(buffers: readonly Buffer[], baseOffset: number, leaderEpoch: number, placed: PlacedBatch[]): void {
  let next = baseOffset;
  let index = 0;
  for (const buf of buffers) {
    for (let at = 0; at < buf.length; at += placed[index - 1]!.sizeBytes) {
      const batch = placed[index++]!;
      patchBatch(buf, at, next, leaderEpoch);
      batch.lastOffset = next + batch.lastOffset;
      next = batch.lastOffset + 1;
    }
  }
}

function largestTimestampMs(segment: Segment): number {
  return segment.maxTimestamp >= 0 ? segment.maxTimestamp : segment.rollingTimestampMs;
}

/** The largest base offset <= offset, or the first base. */
function floorBase(bases: readonly number[], offset: number): number {
  let found = bases[0] ?? 0;
  for (const base of bases) if (base <= offset) found = base;
  return found;
}

/** `<topic>-<partition>` -> its parts (topic names may contain '-'). */
export function parsePartitionDir(name: string): { topic: string; partition: number } {
  const dash = name.lastIndexOf('-');
  const partition = Number(name.slice(dash + 1));
  if (dash <= 0 || !/^\d+$/.test(name.slice(dash + 1)) || !Number.isSafeInteger(partition)) return { topic: name, partition: -1 };
  return { topic: name.slice(0, dash), partition };
}
