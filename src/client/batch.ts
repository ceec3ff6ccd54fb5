// A producer batch: records for one partition, encoded into a v2 batch body as they arrive
// (RecordBodyWriter), sealed into one record batch (one accel crossing for the CRC, one to
// compress) when it is sent, and its delivery promises.
import type { RecordHeader } from '../accel/types.js';
import type { CompressionName } from '../protocol/records/index.js';
import { RecordBodyWriter, type BufferSource } from './record-writer.js';

export interface ProducerRecord {
  topic: string;
  value: Buffer | null;
  key?: Buffer | null;
  headers?: readonly RecordHeader[] | null;
  /** Explicit partition; otherwise the partitioner decides. */
  partition?: number;
  /** CreateTime in ms; default now (the producer's coarse clock: one Date.now() per 64 records or per synchronous run). */
  timestampMs?: number;
}

export interface RecordMetadata {
  topic: string;
  partition: number;
  /** -1 when acks=0 (the broker does not answer). */
  offset: number;
  timestampMs: number;
}

export interface BatchMetadata {
  topic: string;
  partition: number;
  /** Offset of the first record; -1 when acks=0. */
  baseOffset: number;
  recordCount: number;
}

interface RecordCallback {
  index: number;
  timestampMs: number;
  resolve(metadata: RecordMetadata): void;
  reject(err: Error): void;
}

export interface BatchIdentity {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
}

export class ProducerBatch {
  readonly topic: string;
  readonly partition: number;
  readonly createdAtMs: number;
  readonly baseTimestampMs: number;
  /** performance.now() when the batch opened (sub-millisecond latency measurement). */
  readonly openedAtPerfMs = performance.now();
  private readonly body: RecordBodyWriter;
  sizeBytes = 0;
  attempts = 0;
  /** Place in its partition's queue: retries go back in this order (sequence order when idempotent). */
  sealOrder = 0;
  /** Sequence of the first record when idempotent; -1 until the batch is first sent in an epoch. */
  baseSequence = -1;
  /** Producer id, epoch and base sequence the batch is built with (idempotence); set when first sent in an epoch. */
  stamp: BatchIdentity | undefined;
  /** The built batch, kept for retries (the same bytes, so the same sequence numbers). */
  built: Buffer | undefined;
  private callbacks: RecordCallback[] | undefined;
  private batchResolvers: Array<{ resolve(m: BatchMetadata): void; reject(e: Error): void }> | undefined;
  private batchPromise: Promise<BatchMetadata> | undefined;

  constructor(topic: string, partition: number, nowMs: number, initialBytes: number, source?: BufferSource) {
    this.body = new RecordBodyWriter(initialBytes, source);
    this.topic = topic;
    this.partition = partition;
    this.createdAtMs = nowMs;
    this.baseTimestampMs = nowMs;
  }

  /** The batch's encoding buffer, to pool once the broker has answered. */
  get buffer(): Buffer {
    return this.body.buffer;
  }

  get recordCount(): number {
    return this.body.recordCount;
  }

  /** Appends a record (encoding it now) unless the body would pass bodyBytesMax; returns its bytes, or -1 when it did not fit. */
  append(record: ProducerRecord, timestampMs: number, bodyBytesMax?: number): number {
    const bytes = this.body.append(record.key ?? null, record.value, record.headers, timestampMs - this.baseTimestampMs, bodyBytesMax);
    if (bytes > 0) this.sizeBytes += bytes;
    return bytes;
  }

  /** A promise for one record's delivery. */
  recordPromise(index: number, timestampMs: number): Promise<RecordMetadata> {
    return new Promise((resolve, reject) => (this.callbacks ??= []).push({ index, timestampMs, resolve, reject }));
  }

  /** One promise for the whole batch (the same object for every record in it). */
  promise(): Promise<BatchMetadata> {
    this.batchPromise ??= new Promise((resolve, reject) => (this.batchResolvers ??= []).push({ resolve, reject }));
    return this.batchPromise;
  }

  /** Forgets the built bytes and sequence (after a producer epoch bump: built again with new ones). */
  unstamp(): void {
    this.built = undefined;
    this.baseSequence = -1;
    this.stamp = undefined;
  }

  build(compression: CompressionName, identity: BatchIdentity | undefined): Buffer {
    this.built ??= this.body.seal({
      compression,
      baseTimestampMs: this.baseTimestampMs,
      producerId: identity?.producerId ?? -1,
      producerEpoch: identity?.producerEpoch ?? -1,
      baseSequence: identity?.baseSequence ?? -1,
    });
    return this.built;
  }

  succeed(baseOffset: number): void {
    const known = baseOffset >= 0;
    for (const cb of this.callbacks ?? []) {
      cb.resolve({ topic: this.topic, partition: this.partition, offset: known ? baseOffset + cb.index : -1, timestampMs: cb.timestampMs });
    }
    const metadata = { topic: this.topic, partition: this.partition, baseOffset, recordCount: this.recordCount };
    for (const r of this.batchResolvers ?? []) r.resolve(metadata);
  }

  fail(err: Error): void {
    for (const cb of this.callbacks ?? []) cb.reject(err);
    for (const r of this.batchResolvers ?? []) r.reject(err);
  }
}
