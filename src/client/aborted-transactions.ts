// read_committed filtering of one partition's Fetch answer, as Kafka's consumer does it: the
// aborted transactions the broker lists (producer id, first offset) are taken in first-offset
// order; once a batch reaches a transaction's first offset, that producer counts as aborted,
// and its transactional batches are skipped until its ABORT marker (a control batch) comes by.
// Control batches are never delivered, in either isolation level.
import { ControlRecordType, decodeBatchRecords, parseControlRecordKey, type RecordBatchView } from '../protocol/records/index.js';

export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
}

/** Whether a control batch carries an ABORT marker (other control types are not markers). */
export function isAbortMarker(view: RecordBatchView): boolean {
  const first = decodeBatchRecords(view)[0];
  return first !== undefined && parseControlRecordKey(first.key).type === ControlRecordType.ABORT;
}

export class AbortedTransactionFilter {
  private readonly byFirstOffset: AbortedTransaction[];
  private nextIndex = 0;
  private readonly abortedProducerIds = new Set<number>();

  constructor(aborted: readonly AbortedTransaction[]) {
    this.byFirstOffset = [...aborted].sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /** Marks as aborted the producers whose aborted transaction starts at or before lastOffset. */
  private consumeUpTo(lastOffset: number): void {
    while (this.nextIndex < this.byFirstOffset.length && this.byFirstOffset[this.nextIndex]!.firstOffset <= lastOffset) {
      this.abortedProducerIds.add(this.byFirstOffset[this.nextIndex]!.producerId);
      this.nextIndex++;
    }
  }

  /** Whether the batch is delivered; call for every batch in offset order. */
  admits(view: RecordBatchView): boolean {
    if (!view.hasProducerId) return !view.isControl;
    this.consumeUpTo(view.lastOffset);
    const producerId = view.producerId;
    if (view.isControl) {
      if (isAbortMarker(view)) this.abortedProducerIds.delete(producerId);
      return false;
    }
    return !(view.isTransactional && this.abortedProducerIds.has(producerId));
  }
}

/** read_uncommitted: every data batch is delivered. */
export const ADMIT_DATA_BATCHES = { admits: (view: RecordBatchView): boolean => !view.isControl };
