// One delivered record batch: a record table over the batch bytes (one pass per batch, no
// object per record). Index i runs over the delivered records, 0 <= i < count (records before
// the fetch position are already dropped). keyAt/valueAt cut a slice only when called;
// keyStartAt/valueStartAt give positions in `buffer` for reading in place. `records` builds
// ConsumerRecord objects on first access, for callers that want them.
import type { DecodedRecord, RecordHeader } from '../accel/types.js';
import { recordBodyOf, type RecordBatchView } from '../protocol/records/index.js';
import {
  attributesOf,
  buildRecordTable,
  headerCountOf,
  headersOf,
  keyLengthOf,
  keyStartOf,
  offsetDeltaOf,
  timestampDeltaOf,
  valueLengthOf,
  valueStartOf,
  type RecordTable,
} from './record-table.js';

/** A decoded record with where it sits (topic, partition, offset) and its timestamp. */
export interface ConsumerRecord extends DecodedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestampMs: number;
}

export interface BatchPlace {
  topic: string;
  partition: number;
  highWatermark: number;
  /** Records below this offset are not delivered. */
  fetchOffset: number;
}

export class ConsumedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly highWatermark: number;
  /** The position after this batch (last offset + 1). */
  readonly nextOffset: number;
  readonly baseOffset: number;
  /** Records delivered (at or after the fetch position). */
  readonly count: number;
  /** The bytes that keyStartAt/valueStartAt/headers positions point into. */
  readonly buffer: Buffer;
  private readonly table: RecordTable;
  /** Table index of delivered record 0. */
  private readonly first: number;
  private readonly baseTimestamp: number;
  /** LogAppendTime batches: every record's timestamp; else -1. */
  private readonly logAppendTimeMs: number;
  private materialized: ConsumerRecord[] | undefined;

  constructor(view: RecordBatchView, place: BatchPlace) {
    const body = recordBodyOf(view);
    const count = body.count;
    this.table = buildRecordTable(body.buffer, body.start, body.end, count);
    this.buffer = body.buffer;
    this.topic = place.topic;
    this.partition = place.partition;
    this.highWatermark = place.highWatermark;
    this.nextOffset = view.nextOffset;
    this.baseOffset = view.baseOffset;
    this.baseTimestamp = view.baseTimestamp;
    this.logAppendTimeMs = view.timestampType === 'LogAppendTime' ? view.maxTimestamp : -1;
    this.first = this.firstAtOrAfter(place.fetchOffset);
    this.count = count - this.first;
  }

  private firstAtOrAfter(fetchOffset: number): number {
    const deltaWanted = fetchOffset - this.baseOffset;
    if (deltaWanted <= 0) return 0;
    let index = 0;
    while (index < this.table.count && offsetDeltaOf(this.table, index) < deltaWanted) index++;
    return index;
  }

  offsetAt(i: number): number {
    return this.baseOffset + offsetDeltaOf(this.table, this.first + i);
  }

  timestampAt(i: number): number {
    return this.logAppendTimeMs >= 0 ? this.logAppendTimeMs : this.baseTimestamp + timestampDeltaOf(this.buffer, this.table, this.first + i);
  }

  attributesAt(i: number): number {
    return attributesOf(this.buffer, this.table, this.first + i);
  }

  /** -1 for a null key. */
  keyLengthAt(i: number): number {
    return keyLengthOf(this.buffer, this.table, this.first + i);
  }

  /** -1 for a null value. */
  valueLengthAt(i: number): number {
    return valueLengthOf(this.table, this.first + i);
  }

  /** Position of the key's first byte in `buffer`. */
  keyStartAt(i: number): number {
    return keyStartOf(this.buffer, this.table, this.first + i);
  }

  /** Position of the value's first byte in `buffer`. */
  valueStartAt(i: number): number {
    return valueStartOf(this.table, this.first + i);
  }

  /** The key as a slice of `buffer` (no copy), or null. */
  keyAt(i: number): Buffer | null {
    const length = this.keyLengthAt(i);
    if (length < 0) return null;
    const start = this.keyStartAt(i);
    return this.buffer.subarray(start, start + length);
  }

  /** The value as a slice of `buffer` (no copy), or null. */
  valueAt(i: number): Buffer | null {
    const length = this.valueLengthAt(i);
    if (length < 0) return null;
    const start = this.valueStartAt(i);
    return this.buffer.subarray(start, start + length);
  }

  headerCountAt(i: number): number {
    return headerCountOf(this.buffer, this.table, this.first + i);
  }

  /** The headers as slices of `buffer` (an array per call). */
  headersAt(i: number): RecordHeader[] {
    return headersOf(this.buffer, this.table, this.first + i);
  }

  /** The records as objects, built on first access. */
  get records(): ConsumerRecord[] {
    this.materialized ??= this.materialize();
    return this.materialized;
  }

  private materialize(): ConsumerRecord[] {
    const records = new Array<ConsumerRecord>(this.count);
    for (let i = 0; i < this.count; i++) {
      records[i] = {
        topic: this.topic,
        partition: this.partition,
        offset: this.offsetAt(i),
        timestampMs: this.timestampAt(i),
        attributes: this.attributesAt(i),
        timestampDelta: timestampDeltaOf(this.buffer, this.table, this.first + i),
        offsetDelta: offsetDeltaOf(this.table, this.first + i),
        key: this.keyAt(i),
        value: this.valueAt(i),
        headers: this.headersAt(i),
      };
    }
    return records;
  }
}
