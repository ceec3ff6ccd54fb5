// Leader epoch -> first offset written in it (Kafka's leader-epoch-checkpoint), persisted in
// the partition directory whenever it changes.
import { join } from 'node:path';
import { readEpochCheckpoint, writeEpochCheckpoint, type EpochEntry } from './checkpoint.js';
import { assertStorage, StorageError } from './errors.js';

export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';

export class LeaderEpochCache {
  private entries: EpochEntry[];
  private readonly path: string;

  constructor(dir: string, warn: (line: string) => void) {
    this.path = join(dir, LEADER_EPOCH_CHECKPOINT);
    try {
      this.entries = readEpochCheckpoint(this.path);
    } catch (err) {
      warn(`${(err as Error).message}; starting with an empty leader epoch cache`);
      this.entries = [];
    }
  }

  get all(): readonly EpochEntry[] {
    return this.entries;
  }

  get latestEpoch(): number | undefined {
    return this.entries[this.entries.length - 1]?.epoch;
  }

  /** Records that epoch starts at startOffset (no-op unless epoch is newer). */
  assign(epoch: number, startOffset: number): void {
    const latest = this.entries[this.entries.length - 1];
    if (latest !== undefined && epoch <= latest.epoch) return;
    assertStorage(latest === undefined || startOffset >= latest.startOffset, `epoch ${epoch} starts at ${startOffset} before ${latest?.startOffset}`);
    this.entries.push({ epoch, startOffset });
    this.persist();
  }

  /** Drops entries starting at or after endOffset (after a log truncation). */
  truncateFromEnd(endOffset: number): void {
    const kept = this.entries.filter((e) => e.startOffset < endOffset);
    if (kept.length === this.entries.length) return;
    this.entries = kept;
    this.persist();
  }

  /** Moves the first retained epoch's start up to the new log start offset. */
  truncateFromStart(startOffset: number): void {
    let firstKept = 0;
    while (firstKept + 1 < this.entries.length && this.entries[firstKept + 1]!.startOffset <= startOffset) firstKept++;
    const kept = this.entries.slice(firstKept);
    const first = kept[0];
    if (first !== undefined && first.startOffset < startOffset) kept[0] = { epoch: first.epoch, startOffset };
    const changed = kept.length !== this.entries.length || kept[0]?.startOffset !== this.entries[0]?.startOffset;
    this.entries = kept;
    if (changed) this.persist();
  }

  /**
   * OffsetForLeaderEpoch: the largest epoch <= requested and the end offset of that epoch (the
   * next epoch's start, or logEndOffset for the latest). Undefined epoch (-1) when unknown.
   */
  endOffsetFor(epoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
    let index = -1;
    for (let i = 0; i < this.entries.length; i++) if (this.entries[i]!.epoch <= epoch) index = i;
    if (index < 0) return { epoch: -1, endOffset: -1 };
    const next = this.entries[index + 1];
    return { epoch: this.entries[index]!.epoch, endOffset: next === undefined ? logEndOffset : next.startOffset };
  }

  private persist(): void {
    try {
      writeEpochCheckpoint(this.path, this.entries);
    } catch (err) {
      throw new StorageError('KAFKA_STORAGE_ERROR', `${this.path}: ${(err as Error).message}`);
    }
  }
}
