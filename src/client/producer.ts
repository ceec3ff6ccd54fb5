// Rill's producer. Records accumulate per partition into batches; a batch closes when it
// reaches batchSizeBytes (batch.size) or has waited lingerMs (linger.ms). Closed batches go out
// in one Produce request per leader (one batch per partition per request, as Kafka requires
// from v3), with up to maxInFlightRequests requests outstanding per broker. A batch is built
// once (encode + compress + CRC through accel, one crossing each) and kept for retries.
//
// Delivery: send() returns a promise per record; sendBatched() returns the batch's promise
// (one object shared by every record in the batch); produce() returns nothing and reports
// failures through flush() and onError (the bench's fast path).
//
// Idempotence: the Java client enables it by default. Here it is an option, default off (it was
// written before Rill's broker answered InitProducerId); with it on, connect() asks for a
// producer id and each partition's batches carry sequence numbers, so a retried batch whose
// first answer was lost is not written twice.
import {
  defaultInitProducerIdRequest,
  defaultProduceRequest,
  type InitProducerIdResponse,
  type ProduceRequestTopicProduceData,
  type ProduceResponse,
} from '../protocol/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { RECORD_BATCH_OVERHEAD, type CompressionName } from '../protocol/records/index.js';
import { estimateRecordBytes, ProducerBatch, type BatchIdentity, type BatchMetadata, type ProducerRecord, type RecordMetadata } from './batch.js';
import { Cluster, type ClientOptions, type TopicInfo } from './cluster.js';
import { ApiKey, type Connection } from './connection.js';
import { invalidatesMetadata, isRetriable, KafkaError } from './errors.js';
import { partitionForKey, StickyPartitions } from './partitioner.js';

export type { ProducerRecord, RecordMetadata, BatchMetadata } from './batch.js';

export type Acks = 0 | 1 | -1 | 'all';

export interface ProducerOptions extends ClientOptions {
  /** 0: no answer; 1: the leader appended; -1/'all': all in-sync replicas. Default 'all'. */
  acks?: Acks;
  /** batch.size: a partition's batch closes at this many (estimated) bytes. Default 16384. */
  batchSizeBytes?: number;
  /** linger.ms: how long an open batch waits for more records. Default 5 (as Kafka 4.0). */
  lingerMs?: number;
  compression?: CompressionName;
  /** Retries per batch after retriable errors. Default unbounded within deliveryTimeoutMs. */
  retries?: number;
  retryBackoffMs?: number;
  /** A batch fails once this long has passed since it was opened. Default 120000. */
  deliveryTimeoutMs?: number;
  /** buffer.memory: produce() callers should wait (waitForCapacity) above this. Default 32 MiB. */
  bufferMemoryBytes?: number;
  /** Default false until Rill's broker supports InitProducerId (the Java client defaults to true). */
  idempotent?: boolean;
  /** Called once per failed batch when nobody awaits it (produce()). */
  onError?: (err: Error, batch: BatchMetadata) => void;
  /** Called once per acknowledged batch with the time since the batch opened (benchmarks). */
  onBatchAcked?: (batch: BatchMetadata, latencyMs: number) => void;
}

interface PartitionQueue {
  topic: string;
  partition: number;
  open: ProducerBatch | undefined;
  sealed: ProducerBatch[];
  nextSequence: number;
  /** Encoded size of the partition's last closed batch (sizes the next batch's buffer). */
  lastBatchBytes: number;
}

const SEQUENCE_MAX = 0x7fffffff;
/** transaction.timeout.ms as the Java client sends it (unused without a transactional id). */
const TRANSACTION_TIMEOUT_MS_DEFAULT = 60_000;
/** Room past batch.size for the record that closes a batch (avoids a regrow copy). */
const BATCH_HEADROOM_BYTES = 1024;
/** A batch buffer starts this large (or as large as the partition's previous batch) and doubles as records arrive. */
const BATCH_INITIAL_BYTES_MAX = 64 * 1024;

/** A record whose buffers the caller may reuse: key, value and headers copied. */
function detachedCopy(record: ProducerRecord): ProducerRecord {
  const copyBytes = (b: Buffer | null | undefined) => (b ? Buffer.from(b) : b);
  const headers = record.headers?.map((h) => ({ key: Buffer.from(h.key), value: copyBytes(h.value) ?? null }));
  return { ...record, key: copyBytes(record.key), value: copyBytes(record.value) ?? null, headers };
}

function acksValue(acks: Acks | undefined): number {
  return acks === undefined || acks === 'all' ? -1 : acks;
}

export class Producer {
  readonly cluster: Cluster;
  private readonly acks: number;
  private readonly batchSizeBytes: number;
  /** batch.size counts the whole batch: the 61-byte header leaves this much for records. */
  private readonly batchBodyBytesMax: number;
  private readonly lingerMs: number;
  private readonly compression: CompressionName;
  private readonly retries: number;
  private readonly retryBackoffMs: number;
  private readonly deliveryTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly bufferMemoryBytes: number;
  private readonly maxInFlight: number;
  private readonly sticky = new StickyPartitions();
  private readonly queues = new Map<string, PartitionQueue[]>();
  private readonly openQueues = new Set<PartitionQueue>();
  private readonly readyQueues = new Set<PartitionQueue>();
  private readonly waitingForTopic = new Map<string, Array<() => void>>();
  private readonly inFlightByNode = new Map<number, number>();
  private identity: { producerId: number; producerEpoch: number } | undefined;
  private bufferedBytes = 0;
  private outstandingBatches = 0;
  private drainScheduled = false;
  private leaderRefreshPending = false;
  private lingerTimer: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];
  private capacityWaiters: Array<() => void> = [];
  private firstError: Error | undefined;
  /** Full-size batch buffers returned after their batch was answered (not used with acks=0). */
  private readonly bufferPool: Buffer[] = [];
  private readonly pooledBufferBytes: number;
  private readonly bufferPoolCountMax: number;

  constructor(readonly options: ProducerOptions) {
    this.cluster = new Cluster(options);
    this.acks = acksValue(options.acks);
    this.batchSizeBytes = options.batchSizeBytes ?? 16_384;
    this.batchBodyBytesMax = Math.max(1, this.batchSizeBytes - RECORD_BATCH_OVERHEAD);
    this.lingerMs = options.lingerMs ?? 5;
    this.compression = options.compression ?? 'none';
    this.retries = options.retries ?? Number.MAX_SAFE_INTEGER;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? 120_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.bufferMemoryBytes = options.bufferMemoryBytes ?? 32 * 1024 * 1024;
    this.maxInFlight = options.maxInFlightRequests ?? 5;
    this.pooledBufferBytes = RECORD_BATCH_OVERHEAD + this.batchSizeBytes + BATCH_HEADROOM_BYTES;
    this.bufferPoolCountMax = Math.max(1, Math.floor(this.bufferMemoryBytes / this.pooledBufferBytes));
  }

  /** Bootstraps (and asks for a producer id when idempotent). Optional: send() connects lazily. */
  async connect(): Promise<void> {
    await this.cluster.refreshMetadata([]);
    if (this.options.idempotent === true) await this.initProducerId();
  }

  private async initProducerId(): Promise<void> {
    const connection = await this.cluster.anyConnection();
    const response = await connection.request<InitProducerIdResponse>(ApiKey.InitProducerId, { ...defaultInitProducerIdRequest(), transactionalId: null, transactionTimeoutMs: TRANSACTION_TIMEOUT_MS_DEFAULT, producerId: -1n, producerEpoch: -1 });
    if (response.errorCode !== ErrorCode.NONE) throw new KafkaError(response.errorCode, 'InitProducerId');
    this.identity = { producerId: Number(response.producerId), producerEpoch: response.producerEpoch };
  }

  /** Bytes in batches not yet acknowledged. */
  get bufferedBytesNow(): number {
    return this.bufferedBytes;
  }

  /** True while the buffer holds more than bufferMemoryBytes: produce() callers should wait. */
  get isFull(): boolean {
    return this.bufferedBytes >= this.bufferMemoryBytes;
  }

  /** Resolves once the buffer has room again. */
  waitForCapacity(): Promise<void> {
    if (!this.isFull) return Promise.resolve();
    return new Promise((resolve) => this.capacityWaiters.push(resolve));
  }

  /** Sends one record; resolves with its partition and offset once acknowledged. */
  send(record: ProducerRecord): Promise<RecordMetadata> {
    return this.whenTopicKnown(record.topic, () => {
      const timestampMs = record.timestampMs ?? Date.now();
      const batch = this.append(record, timestampMs);
      return batch.recordPromise(batch.recordCount - 1, timestampMs);
    });
  }

  /** Sends one record; resolves with its batch's metadata (one promise per batch). */
  sendBatched(record: ProducerRecord): Promise<BatchMetadata> {
    return this.whenTopicKnown(record.topic, () => this.append(record, record.timestampMs ?? Date.now()).promise());
  }

  /**
   * Sends one record with no promise: failures go to onError and the next flush(). The record
   * is encoded (or copied) before this returns, so its object and buffers may be reused.
   */
  produce(record: ProducerRecord): void {
    const topic = this.cluster.cachedTopic(record.topic);
    if (topic !== undefined && (this.waitingForTopic.size === 0 || !this.waitingForTopic.has(record.topic))) {
      this.append(record, record.timestampMs ?? Date.now());
      return;
    }
    const copy = detachedCopy(record);
    this.whenTopicKnown(copy.topic, () => {
      this.append(copy, copy.timestampMs ?? Date.now());
    }).catch((err: Error) => this.noteError(err));
  }

  /** Runs fn now when the topic's metadata is cached, else once it arrives (in arrival order). */
  private whenTopicKnown<T>(topic: string, fn: () => T | Promise<T>): Promise<T> {
    const waiting = this.waitingForTopic.get(topic);
    if (waiting === undefined && this.cluster.cachedTopic(topic) !== undefined) {
      try {
        return Promise.resolve(fn());
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return new Promise<T>((resolve, reject) => {
      const run = () => {
        try {
          resolve(fn());
        } catch (err) {
          reject(err);
        }
      };
      if (waiting !== undefined) waiting.push(run);
      else this.loadTopic(topic, [run], reject);
    });
  }

  private loadTopic(topic: string, waiting: Array<() => void>, reject: (err: Error) => void): void {
    this.waitingForTopic.set(topic, waiting);
    this.cluster.topic(topic, true).then(
      () => {
        this.waitingForTopic.delete(topic);
        for (const run of waiting) run();
      },
      (err: Error) => {
        this.waitingForTopic.delete(topic);
        reject(err);
        for (const run of waiting.slice(1)) run();
      },
    );
  }

  private partitionFor(record: ProducerRecord, info: TopicInfo): number {
    const count = info.partitions.length;
    if (record.partition !== undefined) {
      if (record.partition < 0 || record.partition >= count) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${record.topic}-${record.partition}`);
      return record.partition;
    }
    if (record.key !== undefined && record.key !== null) return partitionForKey(record.key, count);
    return this.sticky.partition(record.topic, count);
  }

  private queueFor(topic: string, partition: number): PartitionQueue {
    let list = this.queues.get(topic);
    if (list === undefined) this.queues.set(topic, (list = []));
    let queue = list[partition];
    if (queue === undefined) list[partition] = queue = { topic, partition, open: undefined, sealed: [], nextSequence: 0, lastBatchBytes: 0 };
    return queue;
  }

  /** Appends to the partition's open batch (opening or closing batches as needed); returns the batch. */
  private append(record: ProducerRecord, timestampMs: number): ProducerBatch {
    const info = this.cluster.cachedTopic(record.topic)!;
    const queue = this.queueFor(record.topic, this.partitionFor(record, info));
    if (queue.open !== undefined && queue.open.sizeBytes + estimateRecordBytes(record) > this.batchBodyBytesMax) this.seal(queue, info.partitions.length);
    const batch = queue.open ?? this.openBatch(queue);
    const sizeBefore = batch.sizeBytes;
    batch.append(record, timestampMs);
    this.bufferedBytes += batch.sizeBytes - sizeBefore;
    if (batch.sizeBytes >= this.batchBodyBytesMax) this.seal(queue, info.partitions.length);
    return batch;
  }

  private openBatch(queue: PartitionQueue): ProducerBatch {
    const fullBytes = this.batchSizeBytes + BATCH_HEADROOM_BYTES;
    const lastWasFull = queue.lastBatchBytes + BATCH_HEADROOM_BYTES >= this.batchBodyBytesMax;
    const initialBytes = lastWasFull ? fullBytes : Math.min(fullBytes, Math.max(BATCH_INITIAL_BYTES_MAX, queue.lastBatchBytes + BATCH_HEADROOM_BYTES));
    const pooled = initialBytes === this.pooledBufferBytes - RECORD_BATCH_OVERHEAD ? this.bufferPool.pop() : undefined;
    const batch = new ProducerBatch(queue.topic, queue.partition, Date.now(), initialBytes, pooled);
    queue.open = batch;
    this.openQueues.add(queue);
    this.outstandingBatches++;
    if (this.lingerMs <= 0) this.scheduleDrain();
    else this.armLinger();
    return batch;
  }

  private seal(queue: PartitionQueue, partitionCount: number): void {
    const batch = queue.open;
    if (batch === undefined) return;
    queue.open = undefined;
    queue.lastBatchBytes = batch.sizeBytes;
    this.openQueues.delete(queue);
    queue.sealed.push(batch);
    this.readyQueues.add(queue);
    this.sticky.batchClosed(queue.topic, queue.partition, partitionCount);
    this.scheduleDrain();
  }

  private armLinger(): void {
    if (this.lingerTimer !== undefined) return;
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = undefined;
      this.sealExpired(Date.now());
    }, this.lingerMs);
  }

  private sealExpired(nowMs: number): void {
    for (const queue of this.openQueues) {
      if (nowMs - queue.open!.createdAtMs >= this.lingerMs) this.seal(queue, this.partitionCount(queue.topic));
    }
    if (this.openQueues.size > 0) this.armLinger();
  }

  private partitionCount(topic: string): number {
    return this.cluster.cachedTopic(topic)?.partitions.length ?? 1;
  }

  private sealAll(): void {
    for (const queue of [...this.openQueues]) this.seal(queue, this.partitionCount(queue.topic));
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      if (this.lingerMs <= 0) this.sealAll();
      this.drain();
    });
  }

  /** Sends, per leader with a free in-flight slot, one request with the head batch of each ready partition. */
  private drain(): void {
    const byLeader = new Map<number, PartitionQueue[]>();
    for (const queue of this.readyQueues) {
      const leaderId = this.cluster.cachedTopic(queue.topic)?.partitions[queue.partition]?.leaderId ?? -1;
      if (leaderId < 0) {
        this.refreshLeaders(queue.topic);
        continue;
      }
      let list = byLeader.get(leaderId);
      if (list === undefined) byLeader.set(leaderId, (list = []));
      list.push(queue);
    }
    for (const [leaderId, queues] of byLeader) this.drainLeader(leaderId, queues);
  }

  /** A partition without a known leader: refresh its topic, then try again after the backoff. */
  private refreshLeaders(topic: string): void {
    if (this.leaderRefreshPending) return;
    this.leaderRefreshPending = true;
    this.cluster.invalidate();
    const retry = () => {
      this.leaderRefreshPending = false;
      setTimeout(() => this.scheduleDrain(), this.retryBackoffMs);
    };
    this.cluster.topic(topic).then(retry, retry);
  }

  private drainLeader(leaderId: number, queues: PartitionQueue[]): void {
    while ((this.inFlightByNode.get(leaderId) ?? 0) < this.maxInFlight) {
      const batches: ProducerBatch[] = [];
      for (const queue of queues) {
        const batch = queue.sealed.shift();
        if (batch === undefined) continue;
        batches.push(batch);
        if (queue.sealed.length === 0) this.readyQueues.delete(queue);
      }
      if (batches.length === 0) return;
      this.inFlightByNode.set(leaderId, (this.inFlightByNode.get(leaderId) ?? 0) + 1);
      this.sendBatches(leaderId, batches).finally(() => {
        this.inFlightByNode.set(leaderId, this.inFlightByNode.get(leaderId)! - 1);
        this.scheduleDrain();
      });
    }
  }

  private identityFor(batch: ProducerBatch): BatchIdentity | undefined {
    if (this.identity === undefined) return undefined;
    const queue = this.queueFor(batch.topic, batch.partition);
    const baseSequence = queue.nextSequence;
    queue.nextSequence = (queue.nextSequence + batch.recordCount) % (SEQUENCE_MAX + 1);
    return { ...this.identity, baseSequence };
  }

  private buildRequest(batches: ProducerBatch[]): object {
    const topics = new Map<string, ProduceRequestTopicProduceData>();
    for (const batch of batches) {
      const records = batch.built ?? batch.build(this.compression, this.identityFor(batch));
      let topic = topics.get(batch.topic);
      if (topic === undefined) topics.set(batch.topic, (topic = { name: batch.topic, partitionData: [] }));
      topic.partitionData.push({ index: batch.partition, records });
    }
    return { ...defaultProduceRequest(), acks: this.acks, timeoutMs: this.requestTimeoutMs, topicData: [...topics.values()] };
  }

  private async sendBatches(leaderId: number, batches: ProducerBatch[]): Promise<void> {
    let request: object;
    try {
      request = this.buildRequest(batches);
    } catch (err) {
      for (const batch of batches) this.finish(batch, err as Error);
      return;
    }
    for (const batch of batches) batch.attempts++;
    try {
      const connection = await this.cluster.connection(leaderId);
      if (this.acks === 0) return await this.sendWithoutAcks(connection, request, batches);
      const response = await connection.request<ProduceResponse>(ApiKey.Produce, request);
      this.absorbResponse(response, batches);
    } catch (err) {
      for (const batch of batches) this.retryOrFail(batch, err as Error);
    }
  }

  private async sendWithoutAcks(connection: Connection, request: object, batches: ProducerBatch[]): Promise<void> {
    await connection.send(ApiKey.Produce, request);
    for (const batch of batches) this.finish(batch, undefined, -1);
  }

  private absorbResponse(response: ProduceResponse, batches: ProducerBatch[]): void {
    const results = new Map<string, { errorCode: number; baseOffset: number }>();
    for (const topic of response.responses) {
      for (const p of topic.partitionResponses) results.set(`${topic.name}\0${p.index}`, { errorCode: p.errorCode, baseOffset: Number(p.baseOffset) });
    }
    for (const batch of batches) {
      const result = results.get(`${batch.topic}\0${batch.partition}`);
      if (result === undefined) this.retryOrFail(batch, new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `no answer for ${batch.topic}-${batch.partition}`));
      else if (result.errorCode === ErrorCode.NONE) this.finish(batch, undefined, result.baseOffset);
      else this.retryOrFail(batch, new KafkaError(result.errorCode, `produce to ${batch.topic}-${batch.partition}`));
    }
  }

  private retryOrFail(batch: ProducerBatch, err: Error): void {
    const expired = Date.now() - batch.createdAtMs >= this.deliveryTimeoutMs;
    if (!isRetriable(err) || batch.attempts > this.retries || expired) {
      this.finish(batch, err);
      return;
    }
    if (!(err instanceof KafkaError) || invalidatesMetadata(err.errorCode)) this.cluster.invalidate();
    setTimeout(() => this.requeue(batch), this.retryBackoffMs);
  }

  private requeue(batch: ProducerBatch): void {
    const queue = this.queueFor(batch.topic, batch.partition);
    queue.sealed.unshift(batch);
    this.readyQueues.add(queue);
    this.cluster.topic(batch.topic).then(
      () => this.scheduleDrain(),
      () => this.scheduleDrain(),
    );
  }

  private finish(batch: ProducerBatch, err: Error | undefined, baseOffset = -1): void {
    if (err === undefined) {
      batch.succeed(baseOffset);
      this.options.onBatchAcked?.({ topic: batch.topic, partition: batch.partition, baseOffset, recordCount: batch.recordCount }, performance.now() - batch.openedAtPerfMs);
    } else {
      this.noteError(err, batch);
      batch.fail(err);
    }
    this.bufferedBytes -= batch.sizeBytes;
    this.outstandingBatches--;
    this.recycle(batch);
    if (!this.isFull) for (const wake of this.capacityWaiters.splice(0)) wake();
    if (this.outstandingBatches === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** Pools the batch's buffer; with acks=0 the socket may still hold it, so it is not pooled. */
  private recycle(batch: ProducerBatch): void {
    const buffer = batch.buffer;
    if (this.acks === 0 || buffer.length !== this.pooledBufferBytes || this.bufferPool.length >= this.bufferPoolCountMax) return;
    this.bufferPool.push(buffer);
  }

  private noteError(err: Error, batch?: ProducerBatch): void {
    this.firstError ??= err;
    if (batch !== undefined) this.options.onError?.(err, { topic: batch.topic, partition: batch.partition, baseOffset: -1, recordCount: batch.recordCount });
  }

  /** Sends every buffered record now and resolves when all are acknowledged; rejects with the first failure since the last flush. */
  async flush(): Promise<void> {
    while (this.waitingForTopic.size > 0) await new Promise((resolve) => setImmediate(resolve));
    this.sealAll();
    if (this.outstandingBatches > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    const err = this.firstError;
    this.firstError = undefined;
    if (err !== undefined) throw err;
  }

  /** Flushes and closes the connections. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      if (this.lingerTimer !== undefined) clearTimeout(this.lingerTimer);
      await this.cluster.close();
    }
  }
}
