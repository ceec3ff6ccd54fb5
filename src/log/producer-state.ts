// Per-partition producer state (idempotence and transactions), as Kafka's log layer keeps it:
// for each producer id its epoch, the metadata of its last 5 batches (first/last sequence and
// offsets, for duplicate detection), its last timestamp, and the first offset of its open
// transaction; plus the partition's aborted transactions (for read_committed fetches).
// Pure state: no I/O. Checks happen before an append (checkBatch), updates after it (applyBatch,
// applyMarker). producer-state-store.ts loads it from the log and writes snapshots.
//
// Sequence rules (Kafka's ProducerAppendInfo): an older epoch is INVALID_PRODUCER_EPOCH; a new
// epoch must start at sequence 0 unless the producer was unknown; within an epoch the next batch
// must start at lastSeq + 1 (wrapping at int32 max); a producer with no state accepts any
// sequence (Kafka since KIP-360 no longer answers UNKNOWN_PRODUCER_ID on Produce). A batch whose
// sequence range equals one of the cached 5 is a duplicate: answered with its original offset.
import { ErrorCode } from '../protocol/error-codes.js';

/** Kafka keeps this many batches per producer for duplicate detection. */
export const PRODUCER_BATCHES_RETAINED = 5;
const INT32_MAX = 2147483647;
const NO_OFFSET = -1;

export interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  timestampMs: number;
}

export interface ProducerEntry {
  producerId: number;
  producerEpoch: number;
  batches: BatchMetadata[];
  lastTimestampMs: number;
  /** First offset of this producer's open transaction in the partition, or -1. */
  currentTxnFirstOffset: number;
  coordinatorEpoch: number;
}

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
}

/** The header fields of a batch the state cares about. */
export interface BatchHeader {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  /** Number of offsets the batch covers (lastOffsetDelta + 1). */
  offsetCount: number;
  isTransactional: boolean;
  maxTimestampMs: number;
}

export type BatchCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; firstOffset: number; lastOffset: number }
  | { kind: 'error'; errorCode: number; message: string };

export interface MarkerInput {
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  offset: number;
  coordinatorEpoch: number;
  timestampMs: number;
}

function lastSeqOf(header: BatchHeader): number {
  const last = header.baseSequence + header.offsetCount - 1;
  return last > INT32_MAX ? last - INT32_MAX - 1 : last;
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

function fail(errorCode: number, message: string): BatchCheck {
  return { kind: 'error', errorCode, message };
}

export class ProducerState {
  readonly producers = new Map<number, ProducerEntry>();
  /** Aborted transactions, ordered by lastOffset (marker offset). */
  aborted: AbortedTxn[] = [];
  /** Offset up to which the log has been applied (the next offset expected). */
  appliedOffset = 0;
  /** producer id -> first offset of its open transaction (the few entries LSO needs). */
  private readonly openTxns = new Map<number, number>();

  /** Decides what to do with an idempotent or transactional batch before it is appended. */
  checkBatch(header: BatchHeader): BatchCheck {
    const entry = this.producers.get(header.producerId);
    if (entry === undefined) return { kind: 'append' };
    if (header.producerEpoch < entry.producerEpoch) {
      return fail(ErrorCode.INVALID_PRODUCER_EPOCH, `epoch ${header.producerEpoch} is older than the current epoch ${entry.producerEpoch} of producer ${header.producerId}`);
    }
    if (header.producerEpoch === entry.producerEpoch) {
      const duplicate = this.findDuplicate(entry, header);
      if (duplicate !== undefined) return { kind: 'duplicate', firstOffset: duplicate.firstOffset, lastOffset: duplicate.lastOffset };
    }
    const sequenceProblem = this.checkSequence(entry, header);
    if (sequenceProblem !== undefined) return sequenceProblem;
    return this.checkTransaction(entry, header);
  }

  private findDuplicate(entry: ProducerEntry, header: BatchHeader): BatchMetadata | undefined {
    const lastSeq = lastSeqOf(header);
    return entry.batches.find((b) => b.firstSeq === header.baseSequence && b.lastSeq === lastSeq);
  }

  private checkSequence(entry: ProducerEntry, header: BatchHeader): BatchCheck | undefined {
    if (header.producerEpoch !== entry.producerEpoch) {
      if (header.baseSequence === 0) return undefined;
      return fail(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `producer ${header.producerId} started epoch ${header.producerEpoch} at sequence ${header.baseSequence}, not 0`);
    }
    const last = entry.batches[entry.batches.length - 1];
    if (last === undefined || inSequence(last.lastSeq, header.baseSequence)) return undefined;
    return fail(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `producer ${header.producerId}: sequence ${header.baseSequence} after ${last.lastSeq}`);
  }

  private checkTransaction(entry: ProducerEntry, header: BatchHeader): BatchCheck {
    const open = entry.currentTxnFirstOffset !== NO_OFFSET;
    if (open && !header.isTransactional && header.producerEpoch === entry.producerEpoch) {
      return fail(ErrorCode.INVALID_TXN_STATE, `producer ${header.producerId} wrote a non-transactional batch inside its open transaction`);
    }
    return { kind: 'append' };
  }

  /** Records an appended data batch (offsets assigned). */
  applyBatch(header: BatchHeader, firstOffset: number): void {
    const lastOffset = firstOffset + header.offsetCount - 1;
    const entry = this.entryFor(header.producerId, header.producerEpoch);
    entry.lastTimestampMs = header.maxTimestampMs;
    if (header.baseSequence >= 0) {
      entry.batches.push({ firstSeq: header.baseSequence, lastSeq: lastSeqOf(header), firstOffset, lastOffset, timestampMs: header.maxTimestampMs });
      if (entry.batches.length > PRODUCER_BATCHES_RETAINED) entry.batches.shift();
    }
    if (header.isTransactional && entry.currentTxnFirstOffset === NO_OFFSET) {
      entry.currentTxnFirstOffset = firstOffset;
      this.openTxns.set(entry.producerId, firstOffset);
    }
    this.appliedOffset = Math.max(this.appliedOffset, lastOffset + 1);
  }

  private entryFor(producerId: number, producerEpoch: number): ProducerEntry {
    let entry = this.producers.get(producerId);
    if (entry === undefined) {
      entry = { producerId, producerEpoch, batches: [], lastTimestampMs: -1, currentTxnFirstOffset: NO_OFFSET, coordinatorEpoch: -1 };
      this.producers.set(producerId, entry);
    }
    if (producerEpoch > entry.producerEpoch) {
      entry.producerEpoch = producerEpoch;
      entry.batches = [];
    }
    return entry;
  }

  /** A marker (epoch at least the producer's) may be written: INVALID_PRODUCER_EPOCH otherwise. */
  checkMarker(producerId: number, producerEpoch: number): number {
    const entry = this.producers.get(producerId);
    return entry !== undefined && producerEpoch < entry.producerEpoch ? ErrorCode.INVALID_PRODUCER_EPOCH : ErrorCode.NONE;
  }

  /** Records an appended commit/abort marker at `offset`; ends the producer's open transaction. */
  applyMarker(marker: MarkerInput): void {
    const entry = this.entryFor(marker.producerId, marker.producerEpoch);
    const firstOffset = entry.currentTxnFirstOffset;
    if (!marker.commit && firstOffset !== NO_OFFSET) this.aborted.push({ producerId: marker.producerId, firstOffset, lastOffset: marker.offset });
    entry.currentTxnFirstOffset = NO_OFFSET;
    this.openTxns.delete(marker.producerId);
    entry.coordinatorEpoch = marker.coordinatorEpoch;
    entry.lastTimestampMs = marker.timestampMs;
    this.appliedOffset = Math.max(this.appliedOffset, marker.offset + 1);
  }

  /** First offset of the earliest open transaction, or undefined when none is open. */
  firstUnstableOffset(): number | undefined {
    let first: number | undefined;
    for (const offset of this.openTxns.values()) if (first === undefined || offset < first) first = offset;
    return first;
  }

  /** Restores an entry (snapshot load). */
  restoreEntry(entry: ProducerEntry): void {
    this.producers.set(entry.producerId, entry);
    if (entry.currentTxnFirstOffset !== NO_OFFSET) this.openTxns.set(entry.producerId, entry.currentTxnFirstOffset);
  }

  /** Aborted transactions overlapping [fromOffset, toOffset) (the list is ordered by lastOffset). */
  abortedBetween(fromOffset: number, toOffset: number): AbortedTxn[] {
    let low = 0;
    let high = this.aborted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.aborted[mid]!.lastOffset < fromOffset) low = mid + 1;
      else high = mid;
    }
    const found: AbortedTxn[] = [];
    for (let i = low; i < this.aborted.length; i++) if (this.aborted[i]!.firstOffset < toOffset) found.push(this.aborted[i]!);
    return found;
  }

  /** Drops producers idle longer than expirationMs (none with an open transaction). */
  expireProducers(nowMs: number, expirationMs: number): number {
    let removed = 0;
    for (const [producerId, entry] of this.producers) {
      if (entry.currentTxnFirstOffset !== NO_OFFSET || nowMs - entry.lastTimestampMs <= expirationMs) continue;
      this.producers.delete(producerId);
      removed++;
    }
    return removed;
  }

  /** Forgets aborted transactions wholly below the log start offset. */
  truncateStart(logStartOffset: number): void {
    this.aborted = this.aborted.filter((a) => a.lastOffset >= logStartOffset);
  }
}
