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
// Idempotence (on by default, as in the Java client; see producer-config.ts for when it is off):
// the producer asks for a producer id before its first send and stamps each partition's batches
// with sequence numbers when they first go out. Per partition, a batch that failed retriably
// goes back into the queue in sequence order, and the partition then sends one batch at a time
// until the retried ones are acknowledged; answers are handled as producer-idempotence.ts says.
// A partition whose sequences cannot be reconciled asks for an epoch bump (InitProducerId with
// the current id and epoch, KIP-360) once none of its batches is in flight, and restarts at 0
// under the new epoch. Every other partition moves to the new epoch lazily, when none of its
// batches is in flight or waiting for a retry (their outcome under the old epoch must be known
// first: re-stamping a batch that was written but not answered would write it twice).
//
// Hot path (produce()): the last topic's state is cached (partition count, queues, sticky
// partition) and checked against the cluster's metadata version; a record's size is computed
// once, while it is encoded; record timestamps come from a coarse clock (coarse-clock.ts); batch
// buffers come from a size-class pool and go back to it once answered (allocating 1 MiB buffers
// per batch kept V8 busy with full GCs).
import {
  defaultInitProducerIdRequest,
  defaultProduceRequest,
  type InitProducerIdResponse,
  type ProduceRequestTopicProduceData,
  type ProduceResponse,
} from '../protocol/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { RECORD_BATCH_OVERHEAD, type CompressionName } from '../protocol/records/index.js';
import { ProducerBatch, type BatchMetadata, type ProducerRecord, type RecordMetadata } from './batch.js';
import { BatchBufferPool } from './buffer-pool.js';
import { CoarseClock } from './coarse-clock.js';
import { Cluster, type ClientOptions } from './cluster.js';
import { ApiKey, type Connection } from './connection.js';
import { invalidatesMetadata, KafkaError } from './errors.js';
import { partitionForKey, StickyPartition } from './partitioner.js';
import { acksValue, resolveIdempotence, type Acks } from './producer-config.js';
import { idempotentOutcome, initProducerIdRetriable, plainOutcome, sequenceAfter, type AnswerOutcome } from './producer-idempotence.js';

export type { ProducerRecord, RecordMetadata, BatchMetadata } from './batch.js';
export type { Acks } from './producer-config.js';
export { ProducerConfigError } from './errors.js';

export interface ProducerOptions extends ClientOptions {
  /** 0: no answer; 1: the leader appended; -1/'all': all in-sync replicas. Default 'all'. */
  acks?: Acks;
  /** batch.size: a partition's batch closes at this many bytes. Default 16384. */
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
  /**
   * enable.idempotence. Default: on unless acks is 0/1, retries is 0 or maxInFlightRequests is
   * above 5 (then off). Set to true with one of those, the constructor throws ProducerConfigError.
   */
  idempotent?: boolean;
  /** Called once per failed batch when nobody awaits it (produce()). */
  onError?: (err: Error, batch: BatchMetadata) => void;
  /** Called once per acknowledged batch with the time since the batch opened (benchmarks). */
  onBatchAcked?: (batch: BatchMetadata, latencyMs: number) => void;
}

interface TopicState {
  name: string;
  partitionCount: number;
  /** Cluster.metadataVersion when partitionCount was read. */
  metadataVersion: number;
  queues: PartitionQueue[];
  /** Partition of keyless records until its batch closes (KIP-480). */
  sticky: StickyPartition;
}

type ProducerIdentity = { producerId: number; producerEpoch: number };

interface PartitionQueue {
  topic: TopicState;
  partition: number;
  open: ProducerBatch | undefined;
  /** Closed batches waiting to be sent, in sealOrder (retries go back to their place). */
  sealed: ProducerBatch[];
  /** Batches sent and not yet answered, oldest first. */
  inFlight: ProducerBatch[];
  sealCount: number;
  /** Next sequence number to stamp (idempotence), in the sequence space of `identity`. */
  nextSequence: number;
  /** Producer id and epoch of the partition's stamped batches (lags the producer's after a bump). */
  identity: ProducerIdentity | undefined;
  /**
   * Send one batch at a time until the retried batches are acknowledged, and until the first batch
   * of a producer id or epoch is: a broker that does not know the producer yet accepts any
   * sequence, so a second batch must not overtake a first one that failed.
   */
  recovering: boolean;
  /** Its sequences cannot be reconciled with the broker's: it waits for the producer epoch bump. */
  needsEpochBump: boolean;
  /** No send before this time (retry backoff). */
  retryNotBeforeMs: number;
  /** Encoded size of the partition's last closed batch (sizes the next batch's buffer). */
  lastBatchBytes: number;
}

/** transaction.timeout.ms as the Java client sends it (unused without a transactional id). */
const TRANSACTION_TIMEOUT_MS_DEFAULT = 60_000;
/** Room past batch.size for the record that closes a batch (avoids a regrow copy). */
const BATCH_HEADROOM_BYTES = 1024;
/** A batch buffer starts this large (or as large as the partition's previous batch) and grows by size class. */
const BATCH_INITIAL_BYTES_MAX = 64 * 1024;

/** A record whose buffers the caller may reuse: key, value and headers copied. */
function detachedCopy(record: ProducerRecord): ProducerRecord {
  const copyBytes = (b: Buffer | null | undefined) => (b ? Buffer.from(b) : b);
  const headers = record.headers?.map((h) => ({ key: Buffer.from(h.key), value: copyBytes(h.value) ?? null }));
  return { ...record, key: copyBytes(record.key), value: copyBytes(record.value) ?? null, headers };
}

/** Inserts a batch into a queue's sealed list at its sealOrder place. */
function insertInSealOrder(sealed: ProducerBatch[], batch: ProducerBatch): void {
  let at = 0;
  while (at < sealed.length && sealed[at]!.sealOrder < batch.sealOrder) at++;
  sealed.splice(at, 0, batch);
}

export class Producer {
  readonly cluster: Cluster;
  /** enable.idempotence as resolved from the options. */
  readonly idempotent: boolean;
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
  private readonly topics = new Map<string, TopicState>();
  private lastTopic: TopicState | undefined;
  private readonly openQueues = new Set<PartitionQueue>();
  private readonly readyQueues = new Set<PartitionQueue>();
  private readonly waitingForTopic = new Map<string, Array<() => void>>();
  private readonly inFlightByNode = new Map<number, number>();
  private identity: ProducerIdentity | undefined;
  /** InitProducerId under way (first id or epoch bump). */
  private identityRequest: Promise<void> | undefined;
  /** Partitions waiting for an epoch bump. */
  private readonly bumpWaiters = new Set<PartitionQueue>();
  /** INVALID_PRODUCER_EPOCH / PRODUCER_FENCED or a failed InitProducerId: every later send fails with it. */
  private fatalError: Error | undefined;
  private inFlightBatches = 0;
  private bufferedBytes = 0;
  private outstandingBatches = 0;
  private drainScheduled = false;
  private leaderRefreshPending = false;
  private lingerTimer: NodeJS.Timeout | undefined;
  /** Wakes the drain when a partition's retry backoff ends. */
  private backoffTimer: NodeJS.Timeout | undefined;
  private backoffTimerAtMs = 0;
  private idleWaiters: Array<() => void> = [];
  private capacityWaiters: Array<() => void> = [];
  private firstError: Error | undefined;
  private readonly bufferPool: BatchBufferPool;
  /** Record timestamps (CreateTime) when the record has none. */
  private readonly clock = new CoarseClock();

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
    this.idempotent = resolveIdempotence({ idempotent: options.idempotent, acks: this.acks, retries: this.retries, maxInFlightRequests: this.maxInFlight });
    const largestBytes = RECORD_BATCH_OVERHEAD + this.batchSizeBytes + BATCH_HEADROOM_BYTES;
    this.bufferPool = new BatchBufferPool({ smallestBytes: Math.min(largestBytes, BATCH_INITIAL_BYTES_MAX), largestBytes, pooledBytesMax: this.bufferMemoryBytes });
  }

  /** Bootstraps (and asks for a producer id when idempotent). Optional: send() connects lazily. */
  async connect(): Promise<void> {
    await this.cluster.refreshMetadata([]);
    if (this.idempotent && this.identity === undefined) await this.requestIdentity(undefined);
    if (this.fatalError !== undefined) throw this.fatalError;
  }

  /** InitProducerId: a new id, or (given the current one, KIP-360) the same id with a bumped epoch. */
  private async initProducerId(current = { producerId: -1, producerEpoch: -1 }): Promise<{ producerId: number; producerEpoch: number }> {
    const connection = await this.cluster.anyConnection();
    const request = { ...defaultInitProducerIdRequest(), transactionalId: null, transactionTimeoutMs: TRANSACTION_TIMEOUT_MS_DEFAULT, producerId: BigInt(current.producerId), producerEpoch: current.producerEpoch };
    const response = await connection.request<InitProducerIdResponse>(ApiKey.InitProducerId, request);
    if (response.errorCode !== ErrorCode.NONE) throw new KafkaError(response.errorCode, 'InitProducerId');
    return { producerId: Number(response.producerId), producerEpoch: response.producerEpoch };
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
    return this.whenTopicKnown(record.topic, (state) => {
      const timestampMs = record.timestampMs ?? this.clock.nowMs();
      const batch = this.append(record, state, timestampMs);
      return batch.recordPromise(batch.recordCount - 1, timestampMs);
    });
  }

  /** Sends one record; resolves with its batch's metadata (one promise per batch). */
  sendBatched(record: ProducerRecord): Promise<BatchMetadata> {
    return this.whenTopicKnown(record.topic, (state) => this.append(record, state, record.timestampMs ?? this.clock.nowMs()).promise());
  }

  /**
   * Sends one record with no promise: failures go to onError and the next flush(). The record
   * is encoded (or copied) before this returns, so its object and buffers may be reused.
   */
  produce(record: ProducerRecord): void {
    const state = this.waitingForTopic.size === 0 ? this.topicState(record.topic) : undefined;
    if (state !== undefined) {
      this.append(record, state, record.timestampMs ?? this.clock.nowMs());
      return;
    }
    const copy = detachedCopy(record);
    this.whenTopicKnown(copy.topic, (known) => {
      this.append(copy, known, copy.timestampMs ?? this.clock.nowMs());
    }).catch((err: Error) => this.noteError(err));
  }

  /** The topic's state when its metadata is cached (the last topic used is checked first). */
  private topicState(name: string): TopicState | undefined {
    const last = this.lastTopic;
    if (last !== undefined && last.name === name && last.metadataVersion === this.cluster.metadataVersion) return last;
    return this.lookupTopic(name);
  }

  private lookupTopic(name: string): TopicState | undefined {
    const info = this.cluster.cachedTopic(name);
    if (info === undefined) return undefined;
    let state = this.topics.get(name);
    if (state === undefined) this.topics.set(name, (state = { name, partitionCount: 0, metadataVersion: -1, queues: [], sticky: new StickyPartition() }));
    state.partitionCount = info.partitions.length;
    state.metadataVersion = this.cluster.metadataVersion;
    this.lastTopic = state;
    return state;
  }

  /** Runs fn now when the topic's metadata is cached, else once it arrives (in arrival order). */
  private whenTopicKnown<T>(topic: string, fn: (state: TopicState) => T | Promise<T>): Promise<T> {
    const waiting = this.waitingForTopic.get(topic);
    const state = waiting === undefined ? this.topicState(topic) : undefined;
    if (state !== undefined) {
      try {
        return Promise.resolve(fn(state));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return new Promise<T>((resolve, reject) => {
      const run = () => {
        try {
          const known = this.topicState(topic);
          if (known === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic}`);
          resolve(fn(known));
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

  private partitionFor(record: ProducerRecord, state: TopicState): number {
    const count = state.partitionCount;
    if (record.partition !== undefined) {
      if (record.partition < 0 || record.partition >= count) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${record.topic}-${record.partition}`);
      return record.partition;
    }
    if (record.key !== undefined && record.key !== null) return partitionForKey(record.key, count);
    return state.sticky.partition(count);
  }

  private queueFor(state: TopicState, partition: number): PartitionQueue {
    return state.queues[partition] ?? this.newQueue(state, partition);
  }

  private newQueue(state: TopicState, partition: number): PartitionQueue {
    const queue: PartitionQueue = { topic: state, partition, open: undefined, sealed: [], inFlight: [], sealCount: 0, nextSequence: 0, identity: undefined, recovering: this.idempotent, needsEpochBump: false, retryNotBeforeMs: 0, lastBatchBytes: 0 };
    state.queues[partition] = queue;
    return queue;
  }

  /** Appends to the partition's open batch (opening or closing batches as needed); returns the batch. */
  private append(record: ProducerRecord, state: TopicState, timestampMs: number): ProducerBatch {
    if (this.fatalError !== undefined) throw this.fatalError;
    const queue = this.queueFor(state, this.partitionFor(record, state));
    let batch = queue.open ?? this.openBatch(queue);
    let bytes = batch.append(record, timestampMs, this.batchBodyBytesMax);
    if (bytes < 0) {
      this.seal(queue);
      batch = this.openBatch(queue);
      bytes = batch.append(record, timestampMs);
    }
    this.bufferedBytes += bytes;
    if (batch.sizeBytes >= this.batchBodyBytesMax) this.seal(queue);
    return batch;
  }

  private openBatch(queue: PartitionQueue): ProducerBatch {
    const fullBytes = this.batchSizeBytes + BATCH_HEADROOM_BYTES;
    const initialBytes = Math.min(fullBytes, Math.max(BATCH_INITIAL_BYTES_MAX, queue.lastBatchBytes + BATCH_HEADROOM_BYTES));
    const batch = new ProducerBatch(queue.topic.name, queue.partition, this.clock.nowMs(), initialBytes, this.bufferPool);
    queue.open = batch;
    this.openQueues.add(queue);
    this.outstandingBatches++;
    if (this.lingerMs <= 0) this.scheduleDrain();
    else this.armLinger();
    return batch;
  }

  private seal(queue: PartitionQueue): void {
    const batch = queue.open;
    if (batch === undefined) return;
    queue.open = undefined;
    queue.lastBatchBytes = batch.sizeBytes;
    batch.sealOrder = queue.sealCount++;
    this.openQueues.delete(queue);
    queue.sealed.push(batch);
    this.readyQueues.add(queue);
    const state = queue.topic;
    state.sticky.batchClosed(queue.partition, state.partitionCount);
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
      if (nowMs - queue.open!.createdAtMs >= this.lingerMs) this.seal(queue);
    }
    if (this.openQueues.size > 0) this.armLinger();
  }

  private sealAll(): void {
    for (const queue of [...this.openQueues]) this.seal(queue);
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

  /** Sends, per leader with a free in-flight slot, one request with the head batch of each sendable partition. */
  private drain(): void {
    if (!this.identityReady()) return;
    const byLeader = new Map<number, PartitionQueue[]>();
    const nowMs = Date.now();
    for (const queue of this.readyQueues) {
      if (!this.sendable(queue, nowMs)) continue;
      const leaderId = this.cluster.cachedTopic(queue.topic.name)?.partitions[queue.partition]?.leaderId ?? -1;
      if (leaderId < 0) {
        this.refreshLeaders(queue.topic.name);
        continue;
      }
      let list = byLeader.get(leaderId);
      if (list === undefined) byLeader.set(leaderId, (list = []));
      list.push(queue);
    }
    for (const [leaderId, queues] of byLeader) this.drainLeader(leaderId, queues);
  }

  /** Idempotent producers send only with a producer id; asks for one (or a bumped epoch) when needed. */
  private identityReady(): boolean {
    if (!this.idempotent) return true;
    if (this.identity === undefined) {
      void this.requestIdentity(undefined);
      return false;
    }
    if (this.bumpWaiters.size > 0) this.maybeBumpEpoch();
    return true;
  }

  /**
   * Whether the queue's head batch may go now (backoff aside). A partition waiting for an epoch
   * bump sends nothing; one still on an older epoch sends its retries, and its first batch
   * under the new epoch only when nothing of the old one is in flight.
   */
  private headMayGo(queue: PartitionQueue): boolean {
    if (queue.sealed.length === 0) return false;
    if (queue.recovering && queue.inFlight.length > 0) return false;
    if (queue.needsEpochBump) return false;
    if (queue.identity === this.identity || queue.sealed[0]!.baseSequence >= 0) return true;
    return queue.inFlight.length === 0;
  }

  private sendable(queue: PartitionQueue, nowMs: number): boolean {
    if (!this.headMayGo(queue)) return false;
    if (nowMs >= queue.retryNotBeforeMs) return true;
    this.drainAt(queue.retryNotBeforeMs);
    return false;
  }

  /** Drains again at atMs (the earliest of the times asked for). */
  private drainAt(atMs: number): void {
    if (this.backoffTimer !== undefined && this.backoffTimerAtMs <= atMs) return;
    clearTimeout(this.backoffTimer);
    this.backoffTimerAtMs = atMs;
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = undefined;
      this.scheduleDrain();
    }, Math.max(1, atMs - Date.now()));
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
      const batches = this.takeHeadBatches(queues);
      if (batches.length === 0) return;
      this.inFlightByNode.set(leaderId, (this.inFlightByNode.get(leaderId) ?? 0) + 1);
      this.sendBatches(leaderId, batches).finally(() => {
        this.inFlightByNode.set(leaderId, this.inFlightByNode.get(leaderId)! - 1);
        this.scheduleDrain();
      });
    }
  }

  /** The head batch of each queue that may send now, marked in flight. */
  private takeHeadBatches(queues: PartitionQueue[]): ProducerBatch[] {
    const batches: ProducerBatch[] = [];
    for (const queue of queues) {
      if (!this.headMayGo(queue)) continue;
      const batch = queue.sealed.shift()!;
      if (queue.sealed.length === 0) this.readyQueues.delete(queue);
      this.stampSequence(queue, batch);
      queue.inFlight.push(batch);
      this.inFlightBatches++;
      batches.push(batch);
    }
    return batches;
  }

  private stampSequence(queue: PartitionQueue, batch: ProducerBatch): void {
    if (this.identity === undefined || batch.stamp !== undefined) return;
    if (queue.identity !== this.identity) this.restartSequences(queue);
    batch.stamp = { ...this.identity, baseSequence: queue.nextSequence };
    batch.baseSequence = queue.nextSequence;
    queue.nextSequence = sequenceAfter(queue.nextSequence, batch.recordCount);
  }

  /** The partition moves to the producer's current id/epoch: sequences from 0, one batch in flight until acknowledged. */
  private restartSequences(queue: PartitionQueue): void {
    const wasStamped = queue.identity !== undefined;
    queue.identity = this.identity;
    queue.nextSequence = 0;
    queue.recovering = wasStamped || queue.recovering;
  }

  private buildRequest(batches: ProducerBatch[]): object {
    const topics = new Map<string, ProduceRequestTopicProduceData>();
    for (const batch of batches) {
      const records = batch.built ?? batch.build(this.compression, batch.stamp);
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
      for (const batch of batches) this.answered(batch, 'failed', err as Error);
      return;
    }
    for (const batch of batches) batch.attempts++;
    try {
      const connection = await this.cluster.connection(leaderId);
      if (this.acks === 0) return await this.sendWithoutAcks(connection, request, batches);
      const response = await connection.request<ProduceResponse>(ApiKey.Produce, request);
      this.absorbResponse(response, batches);
    } catch (err) {
      for (const batch of batches) this.answered(batch, 'retry', err as Error);
    }
  }

  private async sendWithoutAcks(connection: Connection, request: object, batches: ProducerBatch[]): Promise<void> {
    await connection.send(ApiKey.Produce, request);
    for (const batch of batches) this.answered(batch, 'delivered', undefined, -1);
  }

  private absorbResponse(response: ProduceResponse, batches: ProducerBatch[]): void {
    const results = new Map<string, { errorCode: number; baseOffset: number }>();
    for (const topic of response.responses) {
      for (const p of topic.partitionResponses) results.set(`${topic.name}\0${p.index}`, { errorCode: p.errorCode, baseOffset: Number(p.baseOffset) });
    }
    for (const batch of batches) {
      const result = results.get(`${batch.topic}\0${batch.partition}`);
      const errorCode = result?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
      const outcome = this.outcomeOf(batch, errorCode);
      const err = errorCode === ErrorCode.NONE ? undefined : new KafkaError(errorCode, result === undefined ? `no answer for ${batch.topic}-${batch.partition}` : `produce to ${batch.topic}-${batch.partition}`);
      this.answered(batch, outcome, outcome === 'delivered' ? undefined : err, result?.baseOffset ?? -1);
    }
  }

  private outcomeOf(batch: ProducerBatch, errorCode: number): AnswerOutcome {
    if (!this.idempotent) return plainOutcome(errorCode);
    return idempotentOutcome(errorCode, this.earlierBatchUnacked(this.queueOf(batch), batch));
  }

  /** A batch of the partition sealed before this one is still in flight or waiting for a retry. */
  private earlierBatchUnacked(queue: PartitionQueue, batch: ProducerBatch): boolean {
    const earlier = (other: ProducerBatch) => other !== batch && other.baseSequence >= 0 && other.sealOrder < batch.sealOrder;
    return queue.inFlight.some(earlier) || queue.sealed.some(earlier);
  }

  private queueOf(batch: ProducerBatch): PartitionQueue {
    return this.queueFor(this.topics.get(batch.topic)!, batch.partition);
  }

  /** Settles one sent batch: delivered, back into its queue, or failed. */
  private answered(batch: ProducerBatch, outcome: AnswerOutcome, err: Error | undefined, baseOffset = -1): void {
    const queue = this.queueOf(batch);
    const at = queue.inFlight.indexOf(batch);
    if (at < 0) return; // already failed with the producer (failFatally)
    queue.inFlight.splice(at, 1);
    this.inFlightBatches--;
    if (outcome === 'delivered') this.delivered(queue, batch, baseOffset);
    else if (outcome === 'fatal') this.failFatally(err!);
    else if (outcome === 'failed' || !this.mayRetry(batch)) this.finish(batch, err ?? new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'produce'));
    else this.retry(queue, batch, err!, outcome === 'retryAfterEpochBump');
    if (this.bumpWaiters.size > 0) this.maybeBumpEpoch();
  }

  private delivered(queue: PartitionQueue, batch: ProducerBatch, baseOffset: number): void {
    if (queue.recovering && !queue.sealed.some((b) => b.baseSequence >= 0)) queue.recovering = false;
    this.finish(batch, undefined, baseOffset);
  }

  private mayRetry(batch: ProducerBatch): boolean {
    return batch.attempts <= this.retries && Date.now() - batch.createdAtMs < this.deliveryTimeoutMs;
  }

  /** Puts the batch back in its place in the queue; it goes out again after the backoff. */
  private retry(queue: PartitionQueue, batch: ProducerBatch, err: Error, bumpEpoch: boolean): void {
    insertInSealOrder(queue.sealed, batch);
    this.readyQueues.add(queue);
    queue.recovering = this.idempotent;
    queue.retryNotBeforeMs = Date.now() + this.retryBackoffMs;
    if (bumpEpoch) {
      queue.needsEpochBump = true;
      this.bumpWaiters.add(queue);
    }
    const stale = !(err instanceof KafkaError) || invalidatesMetadata(err.errorCode);
    if (stale) {
      this.cluster.invalidate();
      this.cluster.topic(batch.topic).then(() => this.scheduleDrain(), () => this.scheduleDrain());
    }
    this.drainAt(queue.retryNotBeforeMs);
  }

  /** Asks for a producer id (first send), or a bumped epoch; drains once it arrives. */
  private requestIdentity(current: { producerId: number; producerEpoch: number } | undefined): Promise<void> {
    if (this.identityRequest !== undefined) return this.identityRequest;
    if (this.fatalError !== undefined) return Promise.resolve();
    this.identityRequest = this.initProducerId(current).then(
      (identity) => {
        this.identityRequest = undefined;
        this.adoptIdentity(identity);
        this.scheduleDrain();
      },
      (err: unknown) => {
        this.identityRequest = undefined;
        if (initProducerIdRetriable(err)) setTimeout(() => this.scheduleDrain(), this.retryBackoffMs);
        else this.failFatally(err as Error);
      },
    );
    return this.identityRequest;
  }

  /**
   * Partitions waiting for a bump with nothing in flight restart under the producer's current
   * epoch if theirs is older already, else ask for a bumped one.
   */
  private maybeBumpEpoch(): void {
    for (const queue of this.bumpWaiters) {
      if (queue.inFlight.length > 0) continue;
      if (queue.identity === this.identity) void this.requestIdentity(this.identity);
      else this.releaseFromBump(queue);
    }
  }

  /** A partition that waited for an epoch bump: its unsent batches are stamped again under the new epoch. */
  private releaseFromBump(queue: PartitionQueue): void {
    this.bumpWaiters.delete(queue);
    queue.needsEpochBump = false;
    for (const batch of queue.sealed) batch.unstamp();
    this.restartSequences(queue);
    this.scheduleDrain();
  }

  /** A new producer id or epoch; partitions waiting for it restart their sequences under it. */
  private adoptIdentity(identity: ProducerIdentity): void {
    this.identity = identity;
    this.maybeBumpEpoch();
  }

  /** The producer cannot go on (fenced, or no producer id): every unfinished batch fails. */
  private failFatally(err: Error): void {
    this.fatalError ??= err;
    for (const state of this.topics.values()) {
      for (const queue of state.queues) {
        if (queue === undefined) continue;
        for (const batch of [...queue.inFlight, ...queue.sealed.splice(0)]) this.finish(batch, this.fatalError);
        this.inFlightBatches -= queue.inFlight.length;
        queue.inFlight.length = 0;
        if (queue.open !== undefined) this.finish(queue.open, this.fatalError);
        queue.open = undefined;
        this.openQueues.delete(queue);
        this.readyQueues.delete(queue);
      }
    }
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
    if (this.acks !== 0) this.bufferPool.give(batch.buffer); // with acks=0 the socket may still hold it
    if (!this.isFull) for (const wake of this.capacityWaiters.splice(0)) wake();
    if (this.outstandingBatches === 0) for (const wake of this.idleWaiters.splice(0)) wake();
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
      clearTimeout(this.lingerTimer);
      clearTimeout(this.backoffTimer);
      await this.cluster.close();
    }
  }
}
