// `.timeindex`: 12-byte entries (timestamp int64, offset relative to the segment's base offset
// int32). An entry is added with each offset-index entry when the segment's max timestamp has
// grown, so timestamps and offsets both increase strictly.
import type { FileIo } from '../accel/types.js';
import { readInt64, writeInt64 } from './batch-header.js';
import { assertStorage } from './errors.js';
import { SparseIndex } from './sparse-index.js';

export const TIME_INDEX_ENTRY_BYTES = 12;

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

export class TimeIndex extends SparseIndex {
  private maxOffsetForValidation = Number.MAX_SAFE_INTEGER;

  constructor(io: FileIo, path: string, baseOffset: number, maxIndexBytes: number) {
    super(io, path, baseOffset, TIME_INDEX_ENTRY_BYTES, maxIndexBytes);
  }

  /** Loads and validates: every entry's offset must be below nextOffset. */
  loadFor(nextOffset: number): boolean {
    this.maxOffsetForValidation = nextOffset - 1;
    return this.load();
  }

  timestampAt(entry: number): number {
    return readInt64(this.entriesBuf, entry * TIME_INDEX_ENTRY_BYTES);
  }

  offsetAt(entry: number): number {
    return this.baseOffset + this.entriesBuf.readInt32BE(entry * TIME_INDEX_ENTRY_BYTES + 8);
  }

  lastEntry(): TimestampOffset | undefined {
    if (this.entryCount === 0) return undefined;
    return { timestamp: this.timestampAt(this.entryCount - 1), offset: this.offsetAt(this.entryCount - 1) };
  }

  /** Appends when timestamp is newer than the last entry's; returns whether it did. */
  maybeAppend(timestamp: number, offset: number): boolean {
    const last = this.lastEntry();
    if (last !== undefined && timestamp <= last.timestamp) return false;
    if (this.isFull) return false;
    const relative = offset - this.baseOffset;
    assertStorage(relative >= 0 && relative <= 0x7fff_ffff, `${this.path}: relative offset ${relative} out of range`);
    assertStorage(last === undefined || offset >= last.offset, `${this.path}: time index offset went backwards`);
    const at = this.reserveEntry();
    writeInt64(this.entriesBuf, at, timestamp);
    this.entriesBuf.writeInt32BE(relative, at + 8);
    return true;
  }

  /** The last entry with timestamp <= target, or the segment start. */
  lookup(targetTimestamp: number): TimestampOffset {
    const entry = this.floorIndex(targetTimestamp, (e) => this.timestampAt(e));
    if (entry < 0) return { timestamp: -1, offset: this.baseOffset };
    return { timestamp: this.timestampAt(entry), offset: this.offsetAt(entry) };
  }

  /** Drops entries whose offset is >= offset. */
  truncateToOffset(offset: number): void {
    let keep = this.entryCount;
    while (keep > 0 && this.offsetAt(keep - 1) >= offset) keep--;
    this.truncateEntries(keep);
  }

  protected entriesAreValid(): boolean {
    let lastTimestamp = -Infinity;
    let lastOffset = -1;
    for (let entry = 0; entry < this.entryCount; entry++) {
      const timestamp = this.timestampAt(entry);
      const offset = this.offsetAt(entry);
      if (timestamp <= lastTimestamp || offset < lastOffset || offset < this.baseOffset) return false;
      if (offset > this.maxOffsetForValidation) return false;
      lastTimestamp = timestamp;
      lastOffset = offset;
    }
    return true;
  }
}
