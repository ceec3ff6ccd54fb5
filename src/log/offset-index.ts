// `.index`: 8-byte entries (offset relative to the segment's base offset int32, byte position
// in the .log int32), one every index.interval.bytes, keyed by the last offset of the batch
// starting at that position (as Kafka writes them).
import type { FileIo } from '../accel/types.js';
import { assertStorage } from './errors.js';
import { SparseIndex } from './sparse-index.js';

export const OFFSET_INDEX_ENTRY_BYTES = 8;

export interface OffsetPosition {
  offset: number;
  position: number;
}

export class OffsetIndex extends SparseIndex {
  /** Log size the entries must stay inside when validated on load. */
  private logSizeBytesForValidation = Number.MAX_SAFE_INTEGER;

  constructor(io: FileIo, path: string, baseOffset: number, maxIndexBytes: number) {
    super(io, path, baseOffset, OFFSET_INDEX_ENTRY_BYTES, maxIndexBytes);
  }

  /** Loads and validates against the log file's size. */
  loadFor(logSizeBytes: number): boolean {
    this.logSizeBytesForValidation = logSizeBytes;
    return this.load();
  }

  relativeOffsetAt(entry: number): number {
    return this.entriesBuf.readInt32BE(entry * OFFSET_INDEX_ENTRY_BYTES);
  }

  positionAt(entry: number): number {
    return this.entriesBuf.readInt32BE(entry * OFFSET_INDEX_ENTRY_BYTES + 4);
  }

  lastEntry(): OffsetPosition {
    if (this.entryCount === 0) return { offset: this.baseOffset, position: 0 };
    const last = this.entryCount - 1;
    return { offset: this.baseOffset + this.relativeOffsetAt(last), position: this.positionAt(last) };
  }

  append(offset: number, position: number): void {
    const relative = offset - this.baseOffset;
    assertStorage(relative > 0 && relative <= 0x7fff_ffff, `${this.path}: relative offset ${relative} out of range`);
    if (this.entryCount > 0) {
      const last = this.lastEntry();
      assertStorage(offset > last.offset && position > last.position, `${this.path}: non-monotonic index append`);
    }
    const at = this.reserveEntry();
    this.entriesBuf.writeInt32BE(relative, at);
    this.entriesBuf.writeInt32BE(position, at + 4);
  }

  /** The last entry whose offset is <= target: where a scan for target starts. */
  lookup(targetOffset: number): OffsetPosition {
    const entry = this.floorIndex(targetOffset - this.baseOffset, (e) => this.relativeOffsetAt(e));
    if (entry < 0) return { offset: this.baseOffset, position: 0 };
    return { offset: this.baseOffset + this.relativeOffsetAt(entry), position: this.positionAt(entry) };
  }

  /** The largest indexed position <= position (a batch boundary), or 0. */
  lastPositionAtOrBelow(position: number): number {
    const entry = this.floorIndex(position, (e) => this.positionAt(e));
    return entry < 0 ? 0 : this.positionAt(entry);
  }

  /** Drops entries whose offset is >= offset. */
  truncateToOffset(offset: number): void {
    const keep = this.floorIndex(offset - this.baseOffset - 1, (e) => this.relativeOffsetAt(e)) + 1;
    this.truncateEntries(keep);
  }

  protected entriesAreValid(): boolean {
    let lastRelative = 0;
    let lastPosition = 0;
    for (let entry = 0; entry < this.entryCount; entry++) {
      const relative = this.relativeOffsetAt(entry);
      const position = this.positionAt(entry);
      if (relative <= lastRelative || position <= lastPosition) return false;
      if (position >= this.logSizeBytesForValidation) return false;
      lastRelative = relative;
      lastPosition = position;
    }
    return true;
  }
}
