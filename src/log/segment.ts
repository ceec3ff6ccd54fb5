// One segment: `<base>.log` (concatenated v2 batches, byte-compatible with Kafka), its `.index`
// and `.timeindex`. The log file's fd lives in the shared handle cache; index entries live in
// memory and reach their files on roll, close and flush of an inactive segment.
import { renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { BATCH_HEADER_BYTES, lastOffsetOf, baseOffsetOf, batchSizeOf } from './batch-header.js';
import { SCAN_CHUNK_BYTES, segmentFileName, type StorageContext } from './context.js';
import { assertStorage, StorageError } from './errors.js';
import { FileRef } from './file-handles.js';
import { OffsetIndex } from './offset-index.js';
import type { ReadBufferLender } from './read-buffers.js';
import { scanBatches, type ScanResult, type ScannedBatch } from './scan.js';
import { TimeIndex } from './time-index.js';

export interface SegmentOptions {
  /** segment.index.bytes */
  segmentIndexBytes: number;
  /** index.interval.bytes */
  indexIntervalBytes: number;
}

/** One batch of an append, already placed: where it goes and what it holds. */
export interface PlacedBatch {
  sizeBytes: number;
  lastOffset: number;
  maxTimestamp: number;
}

export interface RecoverResult {
  /** Bytes cut from the end of the file (0 when every batch was valid). */
  truncatedBytes: number;
  stop: ScanResult['stop'];
}

/** Where reading a segment for an offset should start, and what the bytes hold. */
export interface SegmentSlice {
  /** Whole batches (a view into one pread buffer), or empty. */
  records: Buffer;
  /** Base offset of the first returned batch (-1 when empty). */
  firstOffset: number;
}

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
export const DELETED_SUFFIX = '.deleted';

export class Segment {
  readonly baseOffset: number;
  readonly dir: string;
  readonly logRef: FileRef;
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  private readonly ctx: StorageContext;
  private readonly options: SegmentOptions;
  sizeBytes = 0;
  /** Bytes known to be on disk (fdatasync'ed). */
  flushedBytes = 0;
  /** Offset after the last batch (baseOffset when empty). */
  nextOffset: number;
  /** Largest batch maxTimestamp in the segment, -1 when none. */
  maxTimestamp = -1;
  offsetOfMaxTimestamp = -1;
  /** The first batch's max timestamp, or the creation time: what segment.ms measures from. */
  rollingTimestampMs: number;
  private bytesSinceLastIndexEntry = 0;
  deleted = false;
  /** Whether the index files are synced and trimmed (an inactive, flushed segment). */
  indexesDurable = false;

  private constructor(ctx: StorageContext, dir: string, baseOffset: number, options: SegmentOptions) {
    this.ctx = ctx;
    this.dir = dir;
    this.baseOffset = baseOffset;
    this.options = options;
    this.nextOffset = baseOffset;
    this.logRef = new FileRef(join(dir, segmentFileName(baseOffset, LOG_SUFFIX)));
    this.offsetIndex = new OffsetIndex(ctx.io, join(dir, segmentFileName(baseOffset, INDEX_SUFFIX)), baseOffset, options.segmentIndexBytes);
    this.timeIndex = new TimeIndex(ctx.io, join(dir, segmentFileName(baseOffset, TIME_INDEX_SUFFIX)), baseOffset, options.segmentIndexBytes);
    this.rollingTimestampMs = ctx.nowMs();
  }

  /** Creates an empty segment (truncating any files of the same name). */
  static create(ctx: StorageContext, dir: string, baseOffset: number, options: SegmentOptions): Segment {
    const segment = new Segment(ctx, dir, baseOffset, options);
    ctx.handles.with(segment.logRef, () => undefined, true);
    segment.offsetIndex.createFile();
    segment.timeIndex.createFile();
    return segment;
  }

  /**
   * Opens an existing segment. Trusted: indexes are loaded and checked against the log's tail;
   * if they fail the check the segment is recovered. Untrusted: always recovered.
   */
  static open(ctx: StorageContext, dir: string, baseOffset: number, options: SegmentOptions & { trusted: boolean }): { segment: Segment; recovered?: RecoverResult } {
    const segment = new Segment(ctx, dir, baseOffset, options);
    segment.sizeBytes = ctx.handles.with(segment.logRef, (fd) => ctx.io.fileSize(fd));
    segment.flushedBytes = segment.sizeBytes;
    segment.rollingTimestampMs = fileMtimeMs(segment.logRef.path, ctx.nowMs());
    if (options.trusted && segment.loadTrusted()) {
      segment.indexesDurable = true;
      return { segment };
    }
    if (options.trusted) ctx.warn(`${segment.logRef.path}: index files failed their check; rebuilding`);
    return { segment, recovered: segment.recover() };
  }

  get isEmpty(): boolean {
    return this.sizeBytes === 0;
  }

  /** Whether an append of this many batches/bytes must go to a new segment first. */
  needsRollFor(options: { appendBytes: number; batchCount: number; lastOffset: number; segmentBytes: number }): boolean {
    if (this.isEmpty) return false;
    if (this.sizeBytes + options.appendBytes > options.segmentBytes) return true;
    if (options.lastOffset - this.baseOffset > 0x7fff_ffff) return true;
    const indexRoom = this.offsetIndex.maxEntries - this.offsetIndex.entries;
    const timeRoom = this.timeIndex.maxEntries - this.timeIndex.entries;
    return indexRoom < options.batchCount || timeRoom < options.batchCount;
  }

  /** Writes the buffers (whole batches) with one pwritev at the end of the file. */
  append(buffers: readonly Buffer[], placed: readonly PlacedBatch[], totalBytes: number): void {
    const position = this.sizeBytes;
    const written = this.ctx.handles.with(this.logRef, (fd) => this.writeAll(fd, buffers, position, totalBytes));
    assertStorage(written === totalBytes, `${this.logRef.path}: short write ${written}/${totalBytes}`);
    let batchPosition = position;
    for (const batch of placed) {
      this.indexBatch(batchPosition, batch);
      batchPosition += batch.sizeBytes;
    }
    this.sizeBytes = batchPosition;
    this.indexesDurable = false;
  }

  private writeAll(fd: number, buffers: readonly Buffer[], position: number, totalBytes: number): number {
    try {
      return buffers.length === 1 ? this.ctx.io.pwrite(fd, buffers[0]!, position) : this.ctx.io.pwritev(fd, buffers, position);
    } catch (err) {
      this.tryTruncateFile(fd, position);
      throw new StorageError('KAFKA_STORAGE_ERROR', `${this.logRef.path}: write of ${totalBytes} bytes failed: ${(err as Error).message}`);
    }
  }

  private tryTruncateFile(fd: number, sizeBytes: number): void {
    try {
      this.ctx.io.ftruncate(fd, sizeBytes);
    } catch {
      // The append already failed; recovery cuts any partial batch on the next open.
    }
  }

  private indexBatch(position: number, batch: PlacedBatch): void {
    if (this.sizeBytes === 0 && position === 0) this.rollingTimestampMs = batch.maxTimestamp >= 0 ? batch.maxTimestamp : this.rollingTimestampMs;
    if (batch.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = batch.maxTimestamp;
      this.offsetOfMaxTimestamp = batch.lastOffset;
    }
    if (this.bytesSinceLastIndexEntry > this.options.indexIntervalBytes && !this.offsetIndex.isFull) {
      this.offsetIndex.append(batch.lastOffset, position);
      if (this.maxTimestamp >= 0) this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += batch.sizeBytes;
    this.nextOffset = batch.lastOffset + 1;
  }

  /** Loads indexes and walks the tail after the last index entry; false if anything is off. */
  private loadTrusted(): boolean {
    if (!this.offsetIndex.loadFor(this.sizeBytes)) return false;
    const last = this.offsetIndex.lastEntry();
    const result = this.scanTail(last.position, (batch, first) => {
      if (first && this.offsetIndex.entries > 0 && batch.lastOffset !== last.offset) return false;
      return true;
    });
    if (result.stop !== 'end') {
      this.offsetIndex.clear();
      return false;
    }
    if (!this.timeIndex.loadFor(this.nextOffset)) {
      this.offsetIndex.clear();
      return false;
    }
    const lastTime = this.timeIndex.lastEntry();
    if (lastTime !== undefined && lastTime.timestamp > this.maxTimestamp) {
      this.maxTimestamp = lastTime.timestamp;
      this.offsetOfMaxTimestamp = lastTime.offset;
    }
    return true;
  }

  /** Scans (without CRC) from position to the end, updating nextOffset and timestamps. */
  private scanTail(position: number, check: (batch: ScannedBatch, first: boolean) => boolean): ScanResult {
    let first = true;
    this.bytesSinceLastIndexEntry = 0;
    return this.ctx.handles.with(this.logRef, (fd) =>
      scanBatches({ io: this.ctx.io, fd, startPosition: position, endPosition: this.sizeBytes, chunkBytes: SCAN_CHUNK_BYTES, minBaseOffset: this.baseOffset }, (batch) => {
        if (!check(batch, first)) return false;
        if (first && position === 0) this.rollingTimestampMs = batch.maxTimestamp >= 0 ? batch.maxTimestamp : this.rollingTimestampMs;
        first = false;
        if (batch.maxTimestamp > this.maxTimestamp) {
          this.maxTimestamp = batch.maxTimestamp;
          this.offsetOfMaxTimestamp = batch.lastOffset;
        }
        this.bytesSinceLastIndexEntry += batch.sizeBytes;
        this.nextOffset = batch.lastOffset + 1;
        return true;
      }),
    );
  }

  /** Validates every batch (length, magic, offsets, CRC32C), cuts the file at the first bad byte, rebuilds indexes. */
  recover(): RecoverResult {
    this.offsetIndex.clear();
    this.timeIndex.clear();
    this.nextOffset = this.baseOffset;
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = -1;
    this.bytesSinceLastIndexEntry = 0;
    const fileSize = this.sizeBytes;
    let position = 0;
    const result = this.ctx.handles.with(this.logRef, (fd) => {
      const scan = scanBatches(
        { io: this.ctx.io, fd, startPosition: 0, endPosition: fileSize, chunkBytes: SCAN_CHUNK_BYTES, crc32c: this.ctx.crc32c, minBaseOffset: this.baseOffset, maxLastOffset: this.baseOffset + 0x7fff_ffff },
        (batch) => {
          this.sizeBytes = batch.position;
          this.indexBatch(batch.position, batch);
          position = batch.position + batch.sizeBytes;
          return true;
        },
      );
      if (scan.endPosition < fileSize) this.ctx.io.ftruncate(fd, scan.endPosition);
      return scan;
    });
    this.sizeBytes = position;
    this.flushedBytes = 0;
    this.offsetIndex.createFile();
    this.timeIndex.createFile();
    this.indexesDurable = false;
    return { truncatedBytes: fileSize - position, stop: result.stop };
  }

  /**
   * Removes every batch whose last offset is >= offset; returns the new next offset. A batch
   * holding offset is removed whole (Kafka truncates at batch boundaries).
   */
  truncateTo(offset: number): number {
    if (offset >= this.nextOffset) return this.nextOffset;
    const cut = this.findBatchPosition(offset);
    assertStorage(cut !== undefined, `${this.logRef.path}: no batch holds offset ${offset} < next ${this.nextOffset}`);
    this.ctx.handles.with(this.logRef, (fd) => this.ctx.io.ftruncate(fd, cut.position));
    this.sizeBytes = cut.position;
    this.flushedBytes = Math.min(this.flushedBytes, cut.position);
    this.offsetIndex.truncateToOffset(offset);
    this.timeIndex.truncateToOffset(offset);
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = -1;
    const lastTime = this.timeIndex.lastEntry();
    if (lastTime !== undefined) {
      this.maxTimestamp = lastTime.timestamp;
      this.offsetOfMaxTimestamp = lastTime.offset;
    }
    this.nextOffset = this.baseOffset;
    const tail = this.scanTail(this.offsetIndex.lastEntry().position, () => true);
    assertStorage(tail.stop === 'end', `${this.logRef.path}: tail scan after truncate stopped: ${tail.stop}`);
    this.nextOffset = Math.max(this.nextOffset, Math.min(cut.baseOffset, offset));
    this.indexesDurable = false;
    return this.nextOffset;
  }

  /** The first batch whose last offset is >= offset: its position and base offset. */
  findBatchPosition(offset: number): { position: number; baseOffset: number } | undefined {
    const start = this.offsetIndex.lookup(offset).position;
    let found: { position: number; baseOffset: number } | undefined;
    this.ctx.handles.with(this.logRef, (fd) =>
      scanBatches({ io: this.ctx.io, fd, startPosition: start, endPosition: this.sizeBytes, chunkBytes: SCAN_CHUNK_BYTES }, (batch) => {
        if (batch.lastOffset < offset) return true;
        found = { position: batch.position, baseOffset: batch.baseOffset };
        return false;
      }),
    );
    return found;
  }

  /** Visits batches starting at the index position for offset (headers only, sync). */
  scanFrom(offset: number, visit: (batch: ScannedBatch) => boolean | void): void {
    const start = this.offsetIndex.lookup(offset).position;
    this.ctx.handles.with(this.logRef, (fd) =>
      scanBatches({ io: this.ctx.io, fd, startPosition: start, endPosition: this.sizeBytes, chunkBytes: SCAN_CHUNK_BYTES }, visit),
    );
  }

  /** Reads bytes [position, position+length) into a new buffer (sync). */
  readBytes(position: number, length: number): Buffer {
    return this.readInto(Buffer.allocUnsafe(length), position);
  }

  /** Fills buf with the bytes from position (sync); returns buf. */
  private readInto(buf: Buffer, position: number): Buffer {
    const length = buf.length;
    const got = this.ctx.handles.with(this.logRef, (fd) => this.ctx.io.pread(fd, buf, 0, length, position));
    assertStorage(got === length, `${this.logRef.path}: short read ${got}/${length} at ${position}`);
    return buf;
  }

  /**
   * Whole batches from the first one holding fetchOffset: at least one batch, then more while
   * they fit maxBytes and start below maxOffset. The start is found by walking batch headers
   * from the index position (small sync reads, page-cache hits in practice); the end is an
   * indexed batch boundary when one lies in range, so large batches are read exactly. One
   * pread brings the bytes: synchronous when `syncBytesMax` covers the read (the active
   * segment's tail, in the page cache), else on the thread pool.
   */
  async read(fetchOffset: number, maxBytes: number, maxOffset: number, syncBytesMax = 0, lender?: ReadBufferLender): Promise<SegmentSlice> {
    const endPosition = this.sizeBytes;
    const first = this.locate(fetchOffset, endPosition);
    if (first === undefined || first.baseOffset >= maxOffset) return EMPTY_SLICE;
    const readEnd = this.readEndFor(first.position, first.sizeBytes, maxBytes, endPosition);
    const length = readEnd - first.position;
    const buf = length <= syncBytesMax ? this.readSync(first.position, length, lender) : await this.preadAsync(first.position, length);
    return sliceWholeBatches(buf, 0, maxBytes, maxOffset);
  }

  /** A synchronous read into a lent buffer when one is large enough, else into a new one. */
  private readSync(position: number, length: number, lender: ReadBufferLender | undefined): Buffer {
    if (lender === undefined || length > lender.bufferBytes) return this.readBytes(position, length);
    return this.readInto(lender.take().subarray(0, length), position);
  }

  /** The first batch whose last offset is >= fetchOffset (headers only), or undefined. */
  private locate(fetchOffset: number, endPosition: number): { position: number; baseOffset: number; sizeBytes: number } | undefined {
    let position = this.offsetIndex.lookup(fetchOffset).position;
    return this.ctx.handles.with(this.logRef, (fd) => {
      let chunkStart = 0;
      let chunkLength = 0;
      while (position + BATCH_HEADER_BYTES <= endPosition) {
        if (position < chunkStart || position + BATCH_HEADER_BYTES > chunkStart + chunkLength) {
          chunkStart = position;
          chunkLength = this.ctx.io.pread(fd, LOCATE_CHUNK, 0, Math.min(LOCATE_CHUNK.length, endPosition - position), position);
          if (chunkLength < BATCH_HEADER_BYTES) return undefined;
        }
        const at = position - chunkStart;
        const sizeBytes = batchSizeOf(LOCATE_CHUNK, at);
        if (lastOffsetOf(LOCATE_CHUNK, at) >= fetchOffset) return { position, baseOffset: baseOffsetOf(LOCATE_CHUNK, at), sizeBytes };
        position += sizeBytes;
      }
      return undefined;
    });
  }

  /** Where a read starting at a batch should end: whole batches where the index knows them. */
  private readEndFor(start: number, firstSize: number, maxBytes: number, endPosition: number): number {
    const wanted = start + Math.max(firstSize, maxBytes);
    if (wanted >= endPosition) return endPosition;
    const boundary = this.offsetIndex.lastPositionAtOrBelow(wanted);
    return boundary >= start + firstSize ? boundary : wanted;
  }

  private async preadAsync(position: number, length: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(length);
    const got = await this.ctx.handles.withAsync(this.logRef, (fd) => this.ctx.io.preadAsync(fd, buf, 0, length, position));
    assertStorage(got === length, `${this.logRef.path}: short read ${got}/${length} at ${position}`);
    return buf;
  }

  /** Appends the final time-index entry, writes and trims the index files (on roll and close). */
  seal(): void {
    if (this.maxTimestamp >= 0) this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
    this.offsetIndex.persist({ trim: true, sync: false });
    this.timeIndex.persist({ trim: true, sync: false });
    this.offsetIndex.compactMemory();
    this.timeIndex.compactMemory();
  }

  /** fdatasync of the log file (async), returning the size that is now durable. */
  async syncLog(): Promise<number> {
    const sizeAtStart = this.sizeBytes;
    if (this.flushedBytes >= sizeAtStart) return sizeAtStart;
    await this.ctx.handles.withAsync(this.logRef, (fd) => this.ctx.io.fdatasyncAsync(fd));
    this.flushedBytes = Math.max(this.flushedBytes, Math.min(sizeAtStart, this.sizeBytes));
    return sizeAtStart;
  }

  /** Writes and syncs the (sealed) index files. */
  syncIndexes(): void {
    this.offsetIndex.persist({ trim: true, sync: true });
    this.timeIndex.persist({ trim: true, sync: true });
    this.indexesDurable = true;
  }

  /** Renames the files to `*.deleted`; reads holding the fd keep working. */
  markDeleted(): string[] {
    this.deleted = true;
    const renamed: string[] = [];
    const newLogPath = this.logRef.path + DELETED_SUFFIX;
    renameIfExists(this.logRef.path, newLogPath, renamed);
    this.logRef.path = newLogPath;
    renameIfExists(this.offsetIndex.path, this.offsetIndex.path + DELETED_SUFFIX, renamed);
    renameIfExists(this.timeIndex.path, this.timeIndex.path + DELETED_SUFFIX, renamed);
    return renamed;
  }

  /** Closes the fd (now, or once in-flight reads release it). */
  closeHandle(): void {
    this.ctx.handles.retire(this.logRef);
  }

  memoryBytes(): number {
    return this.offsetIndex.memoryBytes + this.timeIndex.memoryBytes;
  }
}

const EMPTY_SLICE: SegmentSlice = Object.freeze({ records: Buffer.alloc(0), firstOffset: -1 });
/** Scratch buffer of the (synchronous) header walk in Segment.locate. */
const LOCATE_CHUNK = Buffer.alloc(16 * 1024);

/** A view of the whole batches from `at`: the first always, more while they fit. */
export function sliceWholeBatches(buf: Buffer, at: number, maxBytes: number, maxOffset: number): SegmentSlice {
  const firstOffset = baseOffsetOf(buf, at);
  let end = at + batchSizeOf(buf, at);
  assertStorage(end <= buf.length, 'first batch does not fit the read buffer');
  while (end + BATCH_HEADER_BYTES <= buf.length) {
    const size = batchSizeOf(buf, end);
    if (end + size > buf.length || end + size - at > maxBytes || baseOffsetOf(buf, end) >= maxOffset) break;
    end += size;
  }
  return { records: buf.subarray(at, end), firstOffset };
}

function renameIfExists(from: string, to: string, renamed: string[]): void {
  try {
    renameSync(from, to);
    renamed.push(to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function fileMtimeMs(path: string, fallbackMs: number): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return fallbackMs;
  }
}

export function unlinkIfExists(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
