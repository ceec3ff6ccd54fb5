// Rill's consumer. assign() takes partitions and start positions (an offset, earliest, latest,
// or a timestamp through ListOffsets). run() starts one fetch loop per leader broker; each loop
// keeps one Fetch in flight while it hands the previous response to the application: as soon
// as a response arrives, the next positions are read from the batch headers (no record decode)
// and the next Fetch goes out, then the batches are delivered. Each delivered batch is a
// ConsumedBatch: a record table built in one TypeScript pass over the batch (record-table.ts;
// no object per record until `records` is read). One Fetch in flight per broker is deliberate:
// two (the partitions split in two sets) measured slower against Rill's broker. Control batches
// are skipped; records before the fetch offset (a fetch from the middle of a batch returns the
// whole batch) are dropped. read_committed: batches of aborted transactions are skipped as
// Kafka's consumer does (aborted-transactions.ts), from each Fetch answer's aborted list.
//
// subscribe() joins the classic group protocol (range assignor); on a rebalance the fetch loops
// stop, positions are committed (autoCommit, default on), and the member rejoins.
// Not yet: the KIP-848 consumer protocol.
import {
  defaultFetchRequest,
  defaultFetchRequestFetchPartition,
  type FetchResponse,
} from '../protocol/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { iterateBatches, type RecordBatchView } from '../protocol/records/index.js';
import { AbortedTransactionFilter, ADMIT_DATA_BATCHES, type AbortedTransaction } from './aborted-transactions.js';
import { Cluster, type ClientOptions } from './cluster.js';
import { ApiKey, type Connection } from './connection.js';
import { invalidatesMetadata, isRetriable, KafkaError } from './errors.js';
import { GroupMember } from './group-member.js';
import { commitOffsets, coordinatorConnection, fetchCommittedOffsets, type TopicPartitionOffset } from './group-offsets.js';
import { ConsumedBatch } from './consumed-batch.js';
import { listOffsets, type OffsetSpec } from './offsets.js';

export type { OffsetSpec } from './offsets.js';

export interface ConsumerOptions extends ClientOptions {
  groupId?: string;
  /** fetch.max.wait.ms; default 500. */
  maxWaitMs?: number;
  /** fetch.min.bytes; default 1. */
  minBytes?: number;
  /** fetch.max.bytes; default 52428800. */
  maxBytes?: number;
  /** max.partition.fetch.bytes; default 1048576. */
  partitionMaxBytes?: number;
  isolationLevel?: 'read_uncommitted' | 'read_committed';
  /** Where to go after OFFSET_OUT_OF_RANGE; default 'earliest'. */
  autoOffsetReset?: 'earliest' | 'latest';
  retryBackoffMs?: number;
  /** With subscribe(): commit positions on rebalance and close. Default true. */
  autoCommit?: boolean;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
}

export { ConsumedBatch, type ConsumerRecord } from './consumed-batch.js';

export interface Assignment {
  topic: string;
  partition: number;
  offset?: OffsetSpec;
}

export interface RunOptions {
  /** Called per record batch, in offset order per partition; awaited before the next one. */
  eachBatch: (batch: ConsumedBatch) => void | Promise<void>;
}

interface PartitionState {
  topic: string;
  partition: number;
  position: number;
  highWatermark: number;
}

interface PartitionFetch {
  state: PartitionState;
  batches: RecordBatchView[];
  fetchOffset: number;
  highWatermark: number;
  /** read_committed only; else empty. */
  abortedTransactions: AbortedTransaction[];
}

function abortedTransactionsOf(listed: ReadonlyArray<{ producerId: bigint; firstOffset: bigint }> | null): AbortedTransaction[] {
  return (listed ?? []).map((t) => ({ producerId: Number(t.producerId), firstOffset: Number(t.firstOffset) }));
}

function key(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class Consumer {
  readonly cluster: Cluster;
  private readonly partitions = new Map<string, PartitionState>();
  private readonly loops = new Map<number, Promise<void>>();
  private running = false;
  private stopRequested = false;
  private handler: RunOptions['eachBatch'] | undefined;
  private failure: Error | undefined;
  private coordinator: Promise<Connection> | undefined;
  /** Set by a retriable error: the fetch loops pause and refresh metadata before the next Fetch. */
  private backoffNeeded = false;
  private member: GroupMember | undefined;
  private rebalanceRequested: (() => void) | undefined;

  constructor(readonly options: ConsumerOptions) {
    this.cluster = new Cluster(options);
  }

  private get autoCommit(): boolean {
    return this.options.autoCommit ?? true;
  }

  /** Subscribes through the group protocol (needs groupId); partitions come with run(). */
  subscribe(topics: string[]): void {
    const groupId = this.options.groupId;
    if (groupId === undefined) throw new Error('subscribe needs a groupId');
    this.member = new GroupMember(this.cluster, groupId, topics, { sessionTimeoutMs: this.options.sessionTimeoutMs, heartbeatIntervalMs: this.options.heartbeatIntervalMs });
  }

  /** The partitions currently assigned. */
  assignment(): Array<{ topic: string; partition: number }> {
    return [...this.partitions.values()].map((s) => ({ topic: s.topic, partition: s.partition }));
  }

  private get isolationLevel(): number {
    return this.options.isolationLevel === 'read_committed' ? 1 : 0;
  }

  /** Assigns partitions, resolving start positions (default: committed offset with a groupId, else earliest). */
  async assign(assignments: Assignment[]): Promise<void> {
    // Numeric start offsets skip ListOffsets: load the leaders here so the fetch loops can start.
    for (const topic of new Set(assignments.map((a) => a.topic))) await this.cluster.topic(topic);
    const committed = await this.committedFor(assignments);
    const specs = assignments.map((a) => ({ topic: a.topic, partition: a.partition, spec: a.offset ?? committed.get(key(a.topic, a.partition)) ?? this.options.autoOffsetReset ?? 'earliest' }));
    for (const listed of await listOffsets(this.cluster, specs, this.isolationLevel)) {
      this.partitions.set(key(listed.topic, listed.partition), { topic: listed.topic, partition: listed.partition, position: listed.offset, highWatermark: -1 });
    }
    if (this.running) this.startLoops();
  }

  private async committedFor(assignments: Assignment[]): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    const open = assignments.filter((a) => a.offset === undefined);
    if (this.options.groupId === undefined || open.length === 0) return result;
    for (const c of await this.committed(open)) if (c.offset >= 0) result.set(key(c.topic, c.partition), c.offset);
    return result;
  }

  /** Assigns every partition of the topics. */
  async assignTopics(topics: string[], offset?: OffsetSpec): Promise<void> {
    const assignments: Assignment[] = [];
    for (const topic of topics) {
      const info = await this.cluster.topic(topic);
      for (const p of info.partitions) assignments.push({ topic, partition: p.partition, offset });
    }
    await this.assign(assignments);
  }

  /** Moves a partition's position. */
  async seek(topic: string, partition: number, offset: OffsetSpec): Promise<void> {
    const [listed] = await listOffsets(this.cluster, [{ topic, partition, spec: offset }], this.isolationLevel);
    const state = this.partitions.get(key(topic, partition));
    if (state === undefined) throw new Error(`${topic}-${partition} is not assigned`);
    state.position = listed!.offset;
  }

  position(topic: string, partition: number): number | undefined {
    return this.partitions.get(key(topic, partition))?.position;
  }

  /** Current positions of every assigned partition. */
  positions(): TopicPartitionOffset[] {
    return [...this.partitions.values()].map((s) => ({ topic: s.topic, partition: s.partition, offset: s.position }));
  }

  /** Starts fetching; resolves when stop() is called, rejects on a non-retriable error. */
  async run(options: RunOptions): Promise<void> {
    if (this.running) throw new Error('consumer already running');
    this.running = true;
    this.stopRequested = false;
    this.handler = options.eachBatch;
    this.failure = undefined;
    if (this.member !== undefined) return this.runInGroup(this.member);
    this.startLoops();
    while (this.loops.size > 0) await Promise.all([...this.loops.values()]);
    if (this.failure !== undefined) throw this.failure;
  }

  private async runInGroup(member: GroupMember): Promise<void> {
    while (!this.stopRequested && this.failure === undefined) {
      const assigned = await member.join();
      this.partitions.clear();
      await this.assign(assigned);
      this.running = true;
      const rebalance = new Promise<void>((resolve) => (this.rebalanceRequested = resolve));
      member.startHeartbeats(() => this.rebalanceRequested?.());
      this.startLoops();
      await (this.loops.size === 0 ? rebalance : Promise.race([rebalance, Promise.all([...this.loops.values()])]));
      member.stopHeartbeats();
      this.running = false;
      while (this.loops.size > 0) await Promise.allSettled([...this.loops.values()]);
      if (this.autoCommit && this.partitions.size > 0) await this.commit().catch(() => undefined);
    }
    if (this.failure !== undefined) throw this.failure;
  }

  private startLoops(): void {
    for (const state of this.partitions.values()) {
      const leaderId = this.cluster.cachedTopic(state.topic)?.partitions[state.partition]?.leaderId ?? -1;
      if (leaderId >= 0 && !this.loops.has(leaderId)) this.startLoop(leaderId);
    }
  }

  private startLoop(leaderId: number): void {
    const loop = this.fetchLoop(leaderId)
      .catch((err: Error) => {
        this.failure ??= err;
        this.running = false;
      })
      .finally(() => this.loops.delete(leaderId));
    this.loops.set(leaderId, loop);
  }

  private partitionsLedBy(leaderId: number): PartitionState[] {
    const led: PartitionState[] = [];
    for (const state of this.partitions.values()) {
      if (this.cluster.cachedTopic(state.topic)?.partitions[state.partition]?.leaderId === leaderId) led.push(state);
    }
    return led;
  }

  private async fetchLoop(leaderId: number): Promise<void> {
    let inFlight = this.sendFetch(leaderId);
    while (inFlight !== undefined) {
      const fetches = await inFlight;
      if (this.backoffNeeded) await this.backoff();
      inFlight = this.running ? this.sendFetch(leaderId) : undefined;
      await this.deliver(fetches);
    }
  }

  private async backoff(): Promise<void> {
    this.backoffNeeded = false;
    await sleep(this.options.retryBackoffMs ?? 100);
    await this.cluster.refreshMetadata(null).catch(() => undefined);
  }

  /** Sends a Fetch for the partitions this leader holds; resolves with the batches found, positions advanced. */
  private sendFetch(leaderId: number): Promise<PartitionFetch[]> | undefined {
    const states = this.partitionsLedBy(leaderId);
    if (states.length === 0) return undefined;
    return this.fetchOnce(leaderId, states).catch((err: Error) => {
      if (!isRetriable(err)) throw err;
      this.backoffNeeded = true;
      return [];
    });
  }

  private fetchRequest(states: PartitionState[]): object {
    const topics = new Map<string, { topic: string; topicId: string; partitions: object[] }>();
    for (const s of states) {
      let entry = topics.get(s.topic);
      if (entry === undefined) topics.set(s.topic, (entry = { topic: s.topic, topicId: this.cluster.cachedTopic(s.topic)?.topicId ?? '', partitions: [] }));
      entry.partitions.push({ ...defaultFetchRequestFetchPartition(), partition: s.partition, fetchOffset: BigInt(s.position), partitionMaxBytes: this.options.partitionMaxBytes ?? 1_048_576 });
    }
    return {
      ...defaultFetchRequest(),
      replicaId: -1,
      maxWaitMs: this.options.maxWaitMs ?? 500,
      minBytes: this.options.minBytes ?? 1,
      maxBytes: this.options.maxBytes ?? 52_428_800,
      isolationLevel: this.isolationLevel,
      sessionEpoch: -1,
      topics: [...topics.values()],
    };
  }

  private async fetchOnce(leaderId: number, states: PartitionState[]): Promise<PartitionFetch[]> {
    const connection = await this.cluster.connection(leaderId);
    const response = await connection.request<FetchResponse>(ApiKey.Fetch, this.fetchRequest(states));
    if (response.errorCode !== ErrorCode.NONE) throw new KafkaError(response.errorCode, 'Fetch');
    const fetches: PartitionFetch[] = [];
    for (const topic of response.responses) {
      for (const p of topic.partitions) {
        const state = this.partitions.get(key(topic.topic, p.partitionIndex));
        if (state === undefined) continue;
        const fetch = await this.absorbPartition(state, p.errorCode, p.records, Number(p.highWatermark));
        if (fetch === undefined) continue;
        if (this.isolationLevel === 1) fetch.abortedTransactions = abortedTransactionsOf(p.abortedTransactions);
        fetches.push(fetch);
      }
    }
    return fetches;
  }

  /** Reads batch headers, advances the position past the last whole batch. */
  private async absorbPartition(state: PartitionState, errorCode: number, records: Buffer | null, highWatermark: number): Promise<PartitionFetch | undefined> {
    if (errorCode !== ErrorCode.NONE) {
      await this.onPartitionError(state, errorCode);
      return undefined;
    }
    state.highWatermark = highWatermark;
    if (records === null || records.length === 0) return undefined;
    const fetchOffset = state.position;
    const batches: RecordBatchView[] = [];
    for (const view of iterateBatches(records)) {
      batches.push(view);
      state.position = Math.max(state.position, view.nextOffset);
    }
    return state.position === fetchOffset ? undefined : { state, batches, fetchOffset, highWatermark, abortedTransactions: [] };
  }

  private async onPartitionError(state: PartitionState, errorCode: number): Promise<void> {
    if (errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      await this.seek(state.topic, state.partition, this.options.autoOffsetReset ?? 'earliest');
      return;
    }
    const err = new KafkaError(errorCode, `fetch ${state.topic}-${state.partition}`);
    if (!err.retriable) throw err;
    if (invalidatesMetadata(errorCode)) this.cluster.invalidate();
    this.backoffNeeded = true;
  }

  private async deliver(fetches: PartitionFetch[]): Promise<void> {
    for (const fetch of fetches) {
      const filter = this.isolationLevel === 1 ? new AbortedTransactionFilter(fetch.abortedTransactions) : ADMIT_DATA_BATCHES;
      const place = { topic: fetch.state.topic, partition: fetch.state.partition, highWatermark: fetch.highWatermark, fetchOffset: fetch.fetchOffset };
      for (const view of fetch.batches) {
        // Every batch goes through the filter (its state follows markers), delivered or not.
        if (!filter.admits(view) || view.nextOffset <= fetch.fetchOffset) continue;
        const batch = new ConsumedBatch(view, place);
        if (batch.count > 0) await this.handler!(batch);
      }
    }
  }

  /** Stops the fetch loops after the batch being delivered. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopRequested = true;
    this.rebalanceRequested?.();
    while (this.loops.size > 0) await Promise.allSettled([...this.loops.values()]);
  }

  private coordinatorConnection(): Promise<Connection> {
    const groupId = this.options.groupId;
    if (groupId === undefined) return Promise.reject(new Error('commits need a groupId'));
    this.coordinator ??= coordinatorConnection(this.cluster, groupId);
    this.coordinator.catch(() => (this.coordinator = undefined));
    return this.coordinator;
  }

  /** Commits the given offsets, or every assigned partition's current position. */
  async commit(offsets: TopicPartitionOffset[] = this.positions()): Promise<void> {
    await commitOffsets(await this.coordinatorConnection(), this.options.groupId!, offsets, this.member?.membership);
  }

  async committed(partitions: Array<{ topic: string; partition: number }>): Promise<TopicPartitionOffset[]> {
    return fetchCommittedOffsets(await this.coordinatorConnection(), this.options.groupId!, partitions);
  }

  async close(): Promise<void> {
    await this.stop();
    if (this.member !== undefined) {
      if (this.autoCommit) await this.commit().catch(() => undefined);
      await this.member.leave().catch(() => undefined);
    }
    await this.cluster.close();
  }
}
