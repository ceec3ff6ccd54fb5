// The common part of the offset index and the time index: fixed-size big-endian entries kept
// in memory (authoritative while the segment is open) and written to the index file on
// roll/close/flush. The file is preallocated to segment.index.bytes at creation, as Kafka
// does, and trimmed to its entries when the segment stops being active.
import { constants } from 'node:fs';
import type { FileIo } from '../accel/types.js';
import { assertStorage } from './errors.js';

const INITIAL_ENTRIES = 16;

export abstract class SparseIndex {
  readonly path: string;
  readonly baseOffset: number;
  readonly entryBytes: number;
  readonly maxEntries: number;
  protected entriesBuf: Buffer;
  protected entryCount = 0;
  /** Entries [0, persistedCount) are in the file as they are in memory. */
  private persistedCount = 0;
  /** The file's size on disk (preallocated, or trimmed). */
  private fileSizeBytes = 0;
  protected readonly io: FileIo;

  protected constructor(io: FileIo, path: string, baseOffset: number, entryBytes: number, maxIndexBytes: number) {
    this.io = io;
    this.path = path;
    this.baseOffset = baseOffset;
    this.entryBytes = entryBytes;
    this.maxEntries = Math.floor(maxIndexBytes / entryBytes);
    this.entriesBuf = Buffer.alloc(0);
  }

  get entries(): number {
    return this.entryCount;
  }

  get isFull(): boolean {
    return this.entryCount >= this.maxEntries;
  }

  /** Bytes of memory the entries occupy (for the idle-partition memory report). */
  get memoryBytes(): number {
    return this.entriesBuf.length;
  }

  /** Creates (or empties) the file, preallocated to maxEntries entries. */
  createFile(): void {
    const fd = this.io.open(this.path, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC, 0o644);
    try {
      this.io.ftruncate(fd, this.maxEntries * this.entryBytes);
    } finally {
      this.io.close(fd);
    }
    this.fileSizeBytes = this.maxEntries * this.entryBytes;
    this.persistedCount = 0;
  }

  /**
   * Loads entries from the file; returns false (and holds no entries) when the file is missing,
   * torn (size not a multiple of the entry size), too large, or its entries fail `isValidEntry`.
   */
  load(): boolean {
    this.entryCount = 0;
    let fd: number;
    try {
      fd = this.io.open(this.path, constants.O_RDONLY);
    } catch {
      return false;
    }
    try {
      const sizeBytes = this.io.fileSize(fd);
      if (sizeBytes % this.entryBytes !== 0 || sizeBytes > this.maxEntries * this.entryBytes) return false;
      const buf = Buffer.alloc(sizeBytes);
      if (sizeBytes > 0 && this.io.pread(fd, buf, 0, sizeBytes, 0) !== sizeBytes) return false;
      this.entriesBuf = buf;
      this.entryCount = sizeBytes / this.entryBytes;
      this.fileSizeBytes = sizeBytes;
      this.persistedCount = this.entryCount;
    } finally {
      this.io.close(fd);
    }
    if (!this.entriesAreValid()) {
      this.clear();
      return false;
    }
    return true;
  }

  /** Drops every entry in memory (before a rebuild). */
  clear(): void {
    this.entryCount = 0;
    this.persistedCount = 0;
    this.entriesBuf = Buffer.alloc(0);
  }

  protected abstract entriesAreValid(): boolean;

  protected reserveEntry(): number {
    assertStorage(this.entryCount < this.maxEntries, `${this.path}: index is full`);
    const needed = (this.entryCount + 1) * this.entryBytes;
    if (needed > this.entriesBuf.length) {
      const capacity = Math.min(this.maxEntries, Math.max(INITIAL_ENTRIES, this.entryCount * 2));
      const grown = Buffer.alloc(capacity * this.entryBytes);
      this.entriesBuf.copy(grown, 0, 0, this.entryCount * this.entryBytes);
      this.entriesBuf = grown;
    }
    const at = this.entryCount * this.entryBytes;
    this.entryCount += 1;
    return at;
  }

  /** Keeps the first `count` entries. */
  protected truncateEntries(count: number): void {
    if (count >= this.entryCount) return;
    this.entryCount = count;
    this.persistedCount = Math.min(this.persistedCount, count);
  }

  /** Binary search: the last entry index whose key (read by keyAt) is <= target, or -1. */
  protected floorIndex(target: number, keyAt: (entry: number) => number): number {
    let low = 0;
    let high = this.entryCount - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      if (keyAt(mid) <= target) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  /**
   * Writes unpersisted entries to the file; with `trim` also cuts the file to its entries.
   * With `sync` the file is fdatasync'ed. A missing file is recreated.
   */
  persist(options: { trim: boolean; sync: boolean }): void {
    const unpersisted = this.entryCount - this.persistedCount;
    const sizeWanted = options.trim ? this.entryCount * this.entryBytes : this.fileSizeBytes;
    if (unpersisted === 0 && sizeWanted === this.fileSizeBytes && !options.sync) return;
    const fd = this.io.open(this.path, constants.O_RDWR | constants.O_CREAT, 0o644);
    try {
      if (unpersisted > 0) {
        const from = this.persistedCount * this.entryBytes;
        const to = this.entryCount * this.entryBytes;
        this.io.pwrite(fd, this.entriesBuf.subarray(from, to), from);
      }
      const targetSize = Math.max(sizeWanted, this.entryCount * this.entryBytes);
      if (targetSize !== this.io.fileSize(fd)) this.io.ftruncate(fd, targetSize);
      this.fileSizeBytes = targetSize;
      if (options.sync) this.io.fdatasync(fd);
    } finally {
      this.io.close(fd);
    }
    this.persistedCount = this.entryCount;
  }

  /** Shrinks the in-memory buffer to the entries (an inactive segment grows no more). */
  compactMemory(): void {
    const usedBytes = this.entryCount * this.entryBytes;
    if (this.entriesBuf.length === usedBytes) return;
    const exact = Buffer.alloc(usedBytes);
    this.entriesBuf.copy(exact, 0, 0, usedBytes);
    this.entriesBuf = exact;
  }
}
