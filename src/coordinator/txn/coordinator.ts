// The transaction coordinator of a single-node broker (this node coordinates every
// __transaction_state partition). Producer ids (idempotent and transactional), transactional
// ids with Kafka's state machine, pending transactional offsets, commit/abort markers, the
// timeout sweep, and reload at start.
//
// Departures from Kafka, all invisible to clients: EndTxn writes the markers and the Complete
// state before answering (Kafka answers after Prepare and writes markers asynchronously), and an
// InitProducerId that fences an open transaction aborts it and answers at once with the epoch
// after the abort's (Kafka answers CONCURRENT_TRANSACTIONS and the client retries). Pending
// transactional offsets are held in memory and written to __consumer_offsets after
// PrepareCommit is durable (they are written in PrepareCommit's batch of __transaction_state, so
// a transaction completed after a crash still commits them).
import type { BrokerConfig } from '../../config/broker-config.js';
import type { PartitionLogs } from '../../handlers/partition-logs.js';
import type { TopicStore } from '../../handlers/topic-store.js';
import { appendMarker, loadedProducerState, producerStateOf, removeOrphanIndexes, takeSnapshot } from '../../log/producer-state-store.js';
import type { BatchHeader } from '../../log/producer-state.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { buildControlBatch } from '../../protocol/records/index.js';
import type { GroupCoordinator } from '../group/coordinator.js';
import { encodeOffsetKey, encodeOffsetValue, type CommittedOffset } from '../group/offsets-records.js';
import { OFFSETS_TOPIC } from '../group/offsets-topic.js';
import { ProducerIdAllocator } from './producer-ids.js';
import { TxnLog } from './txn-log.js';
import type { StoredPendingOffset, StoredTxn } from './txn-log-records.js';
import { canTransition, isPrepare, type TxnState } from './txn-state.js';

const NO_PRODUCER_ID = -1;
const NO_EPOCH = -1;
/** Kafka bumps to a new producer id before the epoch reaches Short.MAX_VALUE. */
const EPOCH_MAX = 32766;
const COORDINATOR_EPOCH = 0;

export interface TxnCoordinatorDeps {
  config: BrokerConfig;
  topics: TopicStore;
  logs: PartitionLogs;
  groups: GroupCoordinator;
  dataDir: string;
  log: (line: string) => void;
}

export interface PendingOffset {
  topic: string;
  partition: number;
  value: CommittedOffset;
}

export interface TxnMetadata {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  /** The id/epoch before the last bump (KIP-360 retries of InitProducerId). */
  lastProducerId: number;
  lastProducerEpoch: number;
  timeoutMs: number;
  state: TxnState;
  /** topic -> partitions in the transaction. */
  partitions: Map<string, Set<number>>;
  /** group id -> offsets committed in the transaction. */
  pendingOffsets: Map<string, PendingOffset[]>;
  startMs: number;
  lastUpdateMs: number;
}

export type Result<T> = { errorCode: 0; value: T } | { errorCode: number; message: string };

function ok<T>(value: T): Result<T> {
  return { errorCode: ErrorCode.NONE, value };
}

function err<T>(errorCode: number, message: string): Result<T> {
  return { errorCode, message };
}

export interface ProducerIdAndEpoch {
  producerId: number;
  producerEpoch: number;
}

export interface InitProducerIdInput {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  producerId: number;
  producerEpoch: number;
}

export class TransactionCoordinator {
  readonly txns = new Map<string, TxnMetadata>();
  readonly txnLog: TxnLog;
  private readonly producerIds: ProducerIdAllocator;
  private readonly byProducerId = new Map<number, string>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly deps: TxnCoordinatorDeps) {
    this.txnLog = new TxnLog(deps);
    this.producerIds = new ProducerIdAllocator(deps.dataDir);
  }

  private get config(): BrokerConfig {
    return this.deps.config;
  }

  // ---- start and stop -----------------------------------------------------------------------

  /** Loads producer state of every partition, replays __transaction_state, finishes prepared transactions. */
  async load(): Promise<void> {
    for (const topic of this.deps.topics.list()) {
      for (let partition = 0; partition < topic.partitionCount; partition++) {
        const partitionLog = this.deps.logs.get(topic.name, partition);
        if (partitionLog !== undefined) await producerStateOf(partitionLog);
      }
    }
    const stored = await this.txnLog.replay();
    for (const [transactionalId, txn] of stored.txns) this.restore(transactionalId, txn, stored.pending.get(transactionalId));
    for (const txn of this.txns.values()) {
      if (isPrepare(txn.state)) await this.withLock(txn.transactionalId, () => this.completePrepared(txn));
    }
  }

  private restore(transactionalId: string, stored: StoredTxn, pending: StoredPendingOffset[] | undefined): void {
    const partitions = new Map<string, Set<number>>();
    for (const t of stored.partitions) partitions.set(t.topic, new Set(t.partitions));
    const txn: TxnMetadata = {
      transactionalId, producerId: stored.producerId, producerEpoch: stored.producerEpoch,
      lastProducerId: NO_PRODUCER_ID, lastProducerEpoch: NO_EPOCH, timeoutMs: stored.timeoutMs, state: stored.state,
      partitions, pendingOffsets: new Map(), startMs: stored.startMs, lastUpdateMs: stored.lastUpdateMs,
    };
    if (stored.state === 'PrepareCommit') txn.pendingOffsets = pendingFromStored(pending ?? []);
    this.txns.set(transactionalId, txn);
    this.byProducerId.set(txn.producerId, transactionalId);
    this.producerIds.skipBelow(txn.producerId + 1);
  }

  private async completePrepared(txn: TxnMetadata): Promise<void> {
    const commit = txn.state === 'PrepareCommit';
    if (txn.state === 'PrepareEpochFence') await this.persist(txn, 'PrepareAbort');
    this.deps.log(`rill: completing ${commit ? 'commit' : 'abort'} of transaction ${txn.transactionalId} left prepared at the last stop`);
    await this.writeMarkersAndComplete(txn, commit);
  }

  /** Starts the periodic sweep: timed-out transactions, producer expiry, state snapshots. */
  start(): void {
    const intervalMs = this.config.number('transaction.abort.timed.out.transaction.cleanup.interval.ms');
    this.timer = setInterval(() => void this.sweep(), intervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await Promise.allSettled([...this.locks.values()]);
    this.snapshotAll(true);
  }

  private async sweep(): Promise<void> {
    if (this.closed) return;
    const nowMs = Date.now();
    for (const txn of [...this.txns.values()]) {
      if (txn.state === 'Ongoing' && nowMs > txn.startMs + txn.timeoutMs) {
        await this.withLock(txn.transactionalId, () => this.abortTimedOut(txn, nowMs)).catch((e: unknown) => this.deps.log(`rill: aborting timed-out transaction ${txn.transactionalId} failed: ${String(e)}`));
      }
    }
    await this.expireTransactionalIds(nowMs);
    this.expireProducers(nowMs);
    this.snapshotAll();
  }

  /** transactional.id.expiration.ms: idle ids with no open transaction are removed (tombstoned). */
  private async expireTransactionalIds(nowMs: number): Promise<void> {
    const expirationMs = this.config.number('transactional.id.expiration.ms');
    for (const txn of [...this.txns.values()]) {
      const idle = txn.state === 'Empty' || txn.state === 'CompleteCommit' || txn.state === 'CompleteAbort';
      if (!idle || nowMs - txn.lastUpdateMs <= expirationMs) continue;
      await this.withLock(txn.transactionalId, () => this.expire(txn, nowMs, expirationMs)).catch((e: unknown) => this.deps.log(`rill: expiring transactional id ${txn.transactionalId} failed: ${String(e)}`));
    }
  }

  private async expire(txn: TxnMetadata, nowMs: number, expirationMs: number): Promise<void> {
    if (this.txns.get(txn.transactionalId) !== txn || nowMs - txn.lastUpdateMs <= expirationMs || !canTransition(txn.state, 'Dead')) return;
    await this.txnLog.write(txn.transactionalId, null);
    txn.state = 'Dead';
    this.txns.delete(txn.transactionalId);
    if (this.byProducerId.get(txn.producerId) === txn.transactionalId) this.byProducerId.delete(txn.producerId);
  }

  private async abortTimedOut(txn: TxnMetadata, nowMs: number): Promise<void> {
    if (this.closed || txn.state !== 'Ongoing' || nowMs <= txn.startMs + txn.timeoutMs) return;
    this.deps.log(`rill: aborting transaction ${txn.transactionalId} (producer ${txn.producerId}) after its timeout of ${txn.timeoutMs} ms`);
    await this.fenceAndAbort(txn);
  }

  private eachLoadedPartition(visit: (partitionLog: NonNullable<ReturnType<PartitionLogs['get']>>) => void): void {
    for (const topic of this.deps.topics.list()) {
      for (let partition = 0; partition < topic.partitionCount; partition++) {
        const partitionLog = this.deps.logs.get(topic.name, partition);
        if (partitionLog !== undefined && loadedProducerState(partitionLog) !== undefined) visit(partitionLog);
      }
    }
  }

  /** producer.id.expiration.ms, and aborted transactions below the log start offset. */
  private expireProducers(nowMs: number): void {
    const expirationMs = this.config.number('producer.id.expiration.ms');
    this.eachLoadedPartition((partitionLog) => {
      const state = loadedProducerState(partitionLog)!;
      state.expireProducers(nowMs, expirationMs);
      state.truncateStart(partitionLog.logStartOffset);
    });
  }

  private snapshotAll(atLogEnd = false): void {
    this.eachLoadedPartition((partitionLog) => {
      try {
        takeSnapshot(partitionLog, atLogEnd);
        removeOrphanIndexes(partitionLog);
      } catch (e) {
        this.deps.log(`rill: producer state snapshot of ${partitionLog.dir} failed: ${String(e)}`);
      }
    });
  }

  // ---- per-id serialization -----------------------------------------------------------------

  /**
   * A request's work under the id's lock; a failed write (storage error) answers
   * COORDINATOR_NOT_AVAILABLE, as Kafka does when the transaction log cannot be appended to.
   */
  private guarded<T>(transactionalId: string, what: string, fn: () => Promise<Result<T>>): Promise<Result<T>> {
    return this.withLock(transactionalId, fn).catch((e: unknown) => {
      this.deps.log(`rill: ${what} for transactional id ${transactionalId} failed: ${String(e)}`);
      return err<T>(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${what} failed: ${String(e)}`);
    });
  }

  private withLock<T>(transactionalId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(transactionalId) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.catch(() => undefined);
    this.locks.set(transactionalId, settled);
    void settled.then(() => {
      if (this.locks.get(transactionalId) === settled) this.locks.delete(transactionalId);
    });
    return run;
  }

  // ---- persistence --------------------------------------------------------------------------

  private stored(txn: TxnMetadata, state: TxnState): StoredTxn {
    const partitions = [...txn.partitions].map(([topic, set]) => ({ topic, partitions: [...set].sort((a, b) => a - b) }));
    return { producerId: txn.producerId, producerEpoch: txn.producerEpoch, timeoutMs: txn.timeoutMs, state, partitions, lastUpdateMs: Date.now(), startMs: txn.startMs };
  }

  /**
   * Writes the new state durably, then makes it current. PrepareCommit carries the pending
   * offsets in the same batch; the Complete states tombstone them.
   */
  private async persist(txn: TxnMetadata, state: TxnState): Promise<void> {
    if (!canTransition(txn.state, state)) throw new Error(`rill: bug: transaction ${txn.transactionalId} cannot go from ${txn.state} to ${state}`);
    const record = this.stored(txn, state);
    const pending = state === 'PrepareCommit' ? pendingToStored(txn.pendingOffsets) : state === 'CompleteCommit' ? null : undefined;
    await this.txnLog.write(txn.transactionalId, record, pending);
    txn.state = state;
    txn.lastUpdateMs = record.lastUpdateMs;
  }

  // ---- InitProducerId -----------------------------------------------------------------------

  async initProducerId(input: InitProducerIdInput): Promise<Result<ProducerIdAndEpoch>> {
    if (input.transactionalId === null) return ok({ producerId: this.producerIds.allocate(), producerEpoch: 0 });
    if (input.transactionalId === '') return err(ErrorCode.INVALID_REQUEST, 'empty transactional id');
    const maxTimeoutMs = this.config.number('transaction.max.timeout.ms');
    if (input.transactionTimeoutMs <= 0 || input.transactionTimeoutMs > maxTimeoutMs) {
      return err(ErrorCode.INVALID_TRANSACTION_TIMEOUT, `transaction timeout ${input.transactionTimeoutMs} ms is not within (0, transaction.max.timeout.ms ${maxTimeoutMs}]`);
    }
    const transactionalId = input.transactionalId;
    return this.guarded(transactionalId, 'InitProducerId', async () => {
      await this.txnLog.ensure();
      return this.initTransactional(transactionalId, input);
    });
  }

  private async initTransactional(transactionalId: string, input: InitProducerIdInput): Promise<Result<ProducerIdAndEpoch>> {
    let txn = this.txns.get(transactionalId);
    if (txn === undefined) {
      txn = this.newTxn(transactionalId, input.transactionTimeoutMs);
    } else {
      const problem = this.checkInitAgainst(txn, input);
      if (problem !== undefined) return problem;
      if (this.isRetryOfLastInit(txn, input)) return ok({ producerId: txn.producerId, producerEpoch: txn.producerEpoch });
      if (isPrepare(txn.state)) return err(ErrorCode.CONCURRENT_TRANSACTIONS, `transaction ${transactionalId} is completing`);
      if (txn.state === 'Ongoing') await this.fenceAndAbort(txn);
      this.bumpEpoch(txn);
    }
    txn.timeoutMs = input.transactionTimeoutMs;
    txn.partitions.clear();
    txn.pendingOffsets.clear();
    txn.startMs = -1;
    await this.persist(txn, 'Empty');
    return ok({ producerId: txn.producerId, producerEpoch: txn.producerEpoch });
  }

  private newTxn(transactionalId: string, timeoutMs: number): TxnMetadata {
    const txn: TxnMetadata = {
      transactionalId, producerId: this.producerIds.allocate(), producerEpoch: 0, lastProducerId: NO_PRODUCER_ID, lastProducerEpoch: NO_EPOCH,
      timeoutMs, state: 'Empty', partitions: new Map(), pendingOffsets: new Map(), startMs: -1, lastUpdateMs: Date.now(),
    };
    this.txns.set(transactionalId, txn);
    this.byProducerId.set(txn.producerId, transactionalId);
    return txn;
  }

  /** KIP-360: a client passing its id/epoch must pass the current (or just-replaced) one. */
  private checkInitAgainst(txn: TxnMetadata, input: InitProducerIdInput): Result<ProducerIdAndEpoch> | undefined {
    if (input.producerId === NO_PRODUCER_ID) return undefined;
    const current = input.producerId === txn.producerId && input.producerEpoch === txn.producerEpoch;
    const previous = input.producerId === txn.lastProducerId && input.producerEpoch === txn.lastProducerEpoch;
    if (current || previous) return undefined;
    if (input.producerId === txn.producerId || input.producerId === txn.lastProducerId) {
      return err(ErrorCode.PRODUCER_FENCED, `producer ${input.producerId} epoch ${input.producerEpoch} is not the current epoch ${txn.producerEpoch}`);
    }
    return err(ErrorCode.INVALID_PRODUCER_ID_MAPPING, `producer id ${input.producerId} does not belong to transactional id ${txn.transactionalId}`);
  }

  private isRetryOfLastInit(txn: TxnMetadata, input: InitProducerIdInput): boolean {
    return input.producerId !== NO_PRODUCER_ID && input.producerId === txn.lastProducerId && input.producerEpoch === txn.lastProducerEpoch && txn.state === 'Empty';
  }

  private bumpEpoch(txn: TxnMetadata): void {
    txn.lastProducerId = txn.producerId;
    txn.lastProducerEpoch = txn.producerEpoch;
    if (txn.producerEpoch >= EPOCH_MAX) {
      this.byProducerId.delete(txn.producerId);
      txn.producerId = this.producerIds.allocate();
      txn.producerEpoch = 0;
      this.byProducerId.set(txn.producerId, txn.transactionalId);
    } else {
      txn.producerEpoch += 1;
    }
  }

  /** Aborts an open transaction with a bumped epoch, fencing the producer that opened it. */
  private async fenceAndAbort(txn: TxnMetadata): Promise<void> {
    this.bumpEpoch(txn);
    await this.persist(txn, 'PrepareAbort');
    await this.writeMarkersAndComplete(txn, false);
  }

  // ---- checks shared by the transactional requests ------------------------------------------

  /** The transaction of (id, producer id, epoch), or the error Kafka gives. */
  private checkProducer(transactionalId: string, producerId: number, producerEpoch: number): Result<TxnMetadata> {
    const txn = this.txns.get(transactionalId);
    if (txn === undefined || txn.state === 'Dead') return err(ErrorCode.INVALID_PRODUCER_ID_MAPPING, `unknown transactional id ${transactionalId}`);
    if (txn.producerId !== producerId) return err(ErrorCode.INVALID_PRODUCER_ID_MAPPING, `producer id ${producerId} does not belong to transactional id ${transactionalId}`);
    if (txn.producerEpoch !== producerEpoch) return err(ErrorCode.PRODUCER_FENCED, `epoch ${producerEpoch} is not the current epoch ${txn.producerEpoch} of ${transactionalId}`);
    if (isPrepare(txn.state)) return err(ErrorCode.CONCURRENT_TRANSACTIONS, `transaction ${transactionalId} is completing`);
    return ok(txn);
  }

  private async beginIfIdle(txn: TxnMetadata): Promise<void> {
    if (txn.state === 'Ongoing') return;
    txn.partitions.clear();
    txn.pendingOffsets.clear();
    txn.startMs = Date.now();
  }

  // ---- AddPartitionsToTxn / AddOffsetsToTxn -------------------------------------------------

  /** Adds partitions; the map holds a per-partition error when the whole request failed. */
  addPartitions(
    transactionalId: string, producerId: number, producerEpoch: number, partitions: { topic: string; partition: number }[],
  ): Promise<Result<void>> {
    return this.guarded(transactionalId, 'AddPartitionsToTxn', async () => {
      const checked = this.checkProducer(transactionalId, producerId, producerEpoch);
      if (checked.errorCode !== ErrorCode.NONE) return checked as Result<void>;
      const txn = (checked as { value: TxnMetadata }).value;
      const fresh = partitions.filter((p) => txn.state !== 'Ongoing' || !txn.partitions.get(p.topic)?.has(p.partition));
      if (fresh.length === 0) return ok(undefined);
      await this.beginIfIdle(txn);
      for (const p of fresh) addPartition(txn, p.topic, p.partition);
      await this.persist(txn, 'Ongoing');
      return ok(undefined);
    });
  }

  /** KIP-890 verify-only: is every partition already in the producer's open transaction? */
  verifyPartitions(transactionalId: string, producerId: number, producerEpoch: number, partitions: { topic: string; partition: number }[]): Result<boolean[]> {
    const checked = this.checkProducer(transactionalId, producerId, producerEpoch);
    if (checked.errorCode !== ErrorCode.NONE) return checked as Result<boolean[]>;
    const txn = (checked as { value: TxnMetadata }).value;
    return ok(partitions.map((p) => txn.state === 'Ongoing' && txn.partitions.get(p.topic)?.has(p.partition) === true));
  }

  addOffsets(transactionalId: string, producerId: number, producerEpoch: number, groupId: string): Promise<Result<void>> {
    return this.guarded(transactionalId, 'AddOffsetsToTxn', async () => {
      const checked = this.checkProducer(transactionalId, producerId, producerEpoch);
      if (checked.errorCode !== ErrorCode.NONE) return checked as Result<void>;
      const txn = (checked as { value: TxnMetadata }).value;
      await this.deps.groups.offsetsTopic.ensure();
      const partition = this.deps.groups.offsetsTopic.partitionFor(groupId);
      if (txn.state === 'Ongoing' && txn.partitions.get(OFFSETS_TOPIC)?.has(partition) === true) return ok(undefined);
      await this.beginIfIdle(txn);
      addPartition(txn, OFFSETS_TOPIC, partition);
      await this.persist(txn, 'Ongoing');
      return ok(undefined);
    });
  }

  /** Holds offsets until the transaction commits. */
  txnOffsetCommit(transactionalId: string, producerId: number, producerEpoch: number, groupId: string, offsets: PendingOffset[]): Promise<Result<void>> {
    return this.guarded(transactionalId, 'TxnOffsetCommit', async () => {
      const checked = this.checkProducer(transactionalId, producerId, producerEpoch);
      if (checked.errorCode !== ErrorCode.NONE) {
        const code = checked.errorCode === ErrorCode.PRODUCER_FENCED ? ErrorCode.INVALID_PRODUCER_EPOCH : checked.errorCode;
        return err(code, (checked as { message: string }).message);
      }
      const txn = (checked as { value: TxnMetadata }).value;
      const partition = this.deps.groups.offsetsTopic.partitionFor(groupId);
      if (txn.state !== 'Ongoing' || txn.partitions.get(OFFSETS_TOPIC)?.has(partition) !== true) {
        return err(ErrorCode.INVALID_TXN_STATE, `group ${groupId} was not added to transaction ${transactionalId} (AddOffsetsToTxn)`);
      }
      const pending = txn.pendingOffsets.get(groupId) ?? [];
      for (const offset of offsets) {
        const at = pending.findIndex((p) => p.topic === offset.topic && p.partition === offset.partition);
        if (at >= 0) pending[at] = offset;
        else pending.push(offset);
      }
      txn.pendingOffsets.set(groupId, pending);
      return ok(undefined);
    });
  }

  // ---- EndTxn -------------------------------------------------------------------------------

  endTxn(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean): Promise<Result<ProducerIdAndEpoch>> {
    return this.guarded(transactionalId, 'EndTxn', async () => {
      const txn = this.txns.get(transactionalId);
      const checked = this.checkProducer(transactionalId, producerId, producerEpoch);
      if (checked.errorCode !== ErrorCode.NONE) {
        if (txn !== undefined && this.isRetryOfCompletedEnd(txn, producerId, producerEpoch, commit)) return ok({ producerId, producerEpoch });
        return checked as Result<ProducerIdAndEpoch>;
      }
      const state = txn!.state;
      if (state === 'Ongoing') {
        await this.persist(txn!, commit ? 'PrepareCommit' : 'PrepareAbort');
        await this.writeMarkersAndComplete(txn!, commit);
        return ok({ producerId, producerEpoch });
      }
      if ((state === 'CompleteCommit' && commit) || (state === 'CompleteAbort' && !commit)) return ok({ producerId, producerEpoch });
      return err(ErrorCode.INVALID_TXN_STATE, `EndTxn(${commit ? 'commit' : 'abort'}) in state ${state}`);
    });
  }

  /** A retried EndTxn for a transaction a timeout or a fence already completed the same way. */
  private isRetryOfCompletedEnd(txn: TxnMetadata, producerId: number, producerEpoch: number, commit: boolean): boolean {
    const sameProducer = txn.producerId === producerId && txn.lastProducerEpoch === producerEpoch;
    return sameProducer && !commit && txn.state === 'CompleteAbort';
  }

  /** Commit: pending offsets first, then markers on every partition, then Complete*. */
  private async writeMarkersAndComplete(txn: TxnMetadata, commit: boolean): Promise<void> {
    if (commit) await this.commitPendingOffsets(txn);
    txn.pendingOffsets.clear();
    for (const [topic, partitions] of txn.partitions) {
      for (const partition of partitions) await this.writeMarker(txn, topic, partition, commit);
    }
    await this.persist(txn, commit ? 'CompleteCommit' : 'CompleteAbort');
  }

  private async writeMarker(txn: TxnMetadata, topic: string, partition: number, commit: boolean): Promise<void> {
    const partitionLog = this.deps.logs.get(topic, partition);
    if (partitionLog === undefined) return;
    const batch = buildControlBatch({ marker: commit ? 'commit' : 'abort', producerId: txn.producerId, producerEpoch: txn.producerEpoch, coordinatorEpoch: COORDINATOR_EPOCH });
    const errorCode = await appendMarker(partitionLog, batch, { producerId: txn.producerId, producerEpoch: txn.producerEpoch, commit, coordinatorEpoch: COORDINATOR_EPOCH });
    if (errorCode !== ErrorCode.NONE) this.deps.log(`rill: marker for ${txn.transactionalId} on ${topic}-${partition} refused (error ${errorCode})`);
    this.deps.logs.notifyAppend(topic, partition);
  }

  private async commitPendingOffsets(txn: TxnMetadata): Promise<void> {
    const groups = this.deps.groups;
    for (const [groupId, offsets] of txn.pendingOffsets) {
      const records = offsets.map((o) => ({ key: encodeOffsetKey(groupId, o.topic, o.partition), value: encodeOffsetValue(o.value) }));
      await groups.offsetsTopic.append(groupId, records);
      for (const o of offsets) groups.offsets.set(groupId, o.topic, o.partition, o.value);
    }
  }

  // ---- the Produce path's check -------------------------------------------------------------

  /** A transactional batch may be written only to a partition of its producer's open transaction. */
  verifyTransactionalBatch(topic: string, partition: number, header: BatchHeader): { errorCode: number; message: string } | undefined {
    if (!this.config.boolean('transaction.partition.verification.enable')) return undefined;
    const transactionalId = this.byProducerId.get(header.producerId);
    const txn = transactionalId === undefined ? undefined : this.txns.get(transactionalId);
    if (txn === undefined || txn.producerId !== header.producerId) return { errorCode: ErrorCode.INVALID_TXN_STATE, message: `producer ${header.producerId} has no transaction` };
    if (header.producerEpoch < txn.producerEpoch) return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, message: `epoch ${header.producerEpoch} is older than ${txn.producerEpoch}` };
    if (txn.state !== 'Ongoing' || txn.partitions.get(topic)?.has(partition) !== true) {
      return { errorCode: ErrorCode.INVALID_TXN_STATE, message: `${topic}-${partition} is not in the open transaction of ${txn.transactionalId}` };
    }
    return undefined;
  }
}

function addPartition(txn: TxnMetadata, topic: string, partition: number): void {
  let set = txn.partitions.get(topic);
  if (set === undefined) txn.partitions.set(topic, (set = new Set()));
  set.add(partition);
}

function pendingToStored(pending: Map<string, PendingOffset[]>): StoredPendingOffset[] {
  return [...pending].flatMap(([groupId, offsets]) => offsets.map((o) => ({
    groupId, topic: o.topic, partition: o.partition, offset: o.value.offset.toString(),
    leaderEpoch: o.value.leaderEpoch, metadata: o.value.metadata, commitTimestampMs: o.value.commitTimestampMs,
  })));
}

function pendingFromStored(stored: StoredPendingOffset[]): Map<string, PendingOffset[]> {
  const pending = new Map<string, PendingOffset[]>();
  for (const s of stored) {
    const value: CommittedOffset = { offset: BigInt(s.offset), leaderEpoch: s.leaderEpoch, metadata: s.metadata, commitTimestampMs: s.commitTimestampMs, expireTimestampMs: -1 };
    const list = pending.get(s.groupId) ?? [];
    list.push({ topic: s.topic, partition: s.partition, value });
    pending.set(s.groupId, list);
  }
  return pending;
}
