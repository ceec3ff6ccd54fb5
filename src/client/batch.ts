// A producer batch: records for one partition, encoded into a v2 batch body as they arrive
// (RecordBodyWriter), sealed into one record batch (one accel crossing for the CRC, one to
// compress) when it is sent, and its delivery promises.
import type { RecordHeader } from '../accel/types.js';
import type { CompressionName } from '../protocol/records/index.js';
import { RecordBodyWriter } from './record-writer.js';

/** Per-record overhead estimate: length, attributes, deltas, key/value lengths, header count. */
const RECORD_OVERHEAD_BYTES_ESTIMATE = 12;

export interface ProducerRecord {
  topic: string;
  value: Buffer | null;
  key?: Buffer | null;
  headers?: readonly RecordHeader[] | null;
  /** Explicit partition; otherwise the partitioner decides. */
  partition?: number;
  /** CreateTime in ms; default now. */
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

export function estimateRecordBytes(record: ProducerRecord): number {
  let bytes = RECORD_OVERHEAD_BYTES_ESTIMATE + (record.key?.length ?? 0) + (record.value?.length ?? 0);
  if (record.headers) for (const header of record.headers) bytes += header.key.length + (header.value?.length ?? 0) + 4;
  return bytes;
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
  /** The built batch, kept for retries (the same bytes, so the same sequence numbers). */
  built: Buffer | undefined;
  private callbacks: RecordCallback[] | undefined;
  private batchResolvers: Array<{ resolve(m: BatchMetadata): void; reject(e: Error): void }> | undefined;
  private batchPromise: Promise<BatchMetadata> | undefined;

  constructor(topic: string, partition: number, nowMs: number, initialBytes: number, reuse?: Buffer) {
    this.body = new RecordBodyWriter(initialBytes, reuse);
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

  /** Appends a record (encoding it now); returns its index in the batch. */
  append(record: ProducerRecord, timestampMs: number): number {
    const index = this.body.recordCount;
    this.sizeBytes += this.body.append(record.key ?? null, record.value, record.headers, timestampMs - this.baseTimestampMs);
    return index;
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
