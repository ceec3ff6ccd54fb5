// The internal compacted topic __transaction_state: created on first use
// (transaction.state.log.* configs), one record per state change of a transactional id (in the
// partition Kafka picks: Java hashCode of the id, made non-negative, modulo the partition
// count), written before the client is answered (fsynced per the topic's flush policy, as any
// Kafka log), replayed at start.
import type { BrokerConfig } from '../../config/broker-config.js';
import { parseTopicOverrides } from '../../config/topic-config.js';
import type { PartitionLogs } from '../../handlers/partition-logs.js';
import type { TopicMetadata, TopicStore } from '../../handlers/topic-store.js';
import { buildBatch, iterateBatches, readBatchRecords } from '../../protocol/records/index.js';
import { offsetsPartitionFor } from '../group/hash.js';
import {
  decodePendingOffsetsKey,
  decodePendingOffsetsValue,
  decodeTxnKey,
  decodeTxnValue,
  encodePendingOffsetsKey,
  encodePendingOffsetsValue,
  encodeTxnKey,
  encodeTxnValue,
  type StoredPendingOffset,
  type StoredTxn,
} from './txn-log-records.js';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';
const REPLAY_READ_BYTES = 1024 * 1024;

export interface TxnLogDeps {
  config: BrokerConfig;
  topics: TopicStore;
  logs: PartitionLogs;
}

export class TxnLog {
  private creating: Promise<TopicMetadata> | undefined;

  constructor(private readonly deps: TxnLogDeps) {}

  get partitionCount(): number {
    return this.deps.topics.get(TRANSACTION_STATE_TOPIC)?.partitionCount ?? this.deps.config.number('transaction.state.log.num.partitions');
  }

  partitionFor(transactionalId: string): number {
    return offsetsPartitionFor(transactionalId, this.partitionCount);
  }

  async ensure(): Promise<TopicMetadata> {
    const existing = this.deps.topics.get(TRANSACTION_STATE_TOPIC);
    if (existing !== undefined) return existing;
    this.creating ??= this.create().finally(() => {
      this.creating = undefined;
    });
    return this.creating;
  }

  private create(): Promise<TopicMetadata> {
    const config = this.deps.config;
    const overrides = parseTopicOverrides([
      ['cleanup.policy', 'compact'],
      ['segment.bytes', String(config.number('transaction.state.log.segment.bytes'))],
      ['compression.type', 'producer'],
    ]);
    return this.deps.topics.create(TRANSACTION_STATE_TOPIC, config.number('transaction.state.log.num.partitions'), 1, overrides);
  }

  /**
   * Writes one state record (null: tombstone), with the pending offsets record when given
   * (null: its tombstone), as one batch. Durability follows the topic's flush policy
   * (flush.messages / flush.ms), as in Kafka: the page cache survives a process crash.
   */
  async write(transactionalId: string, txn: StoredTxn | null, pending?: StoredPendingOffset[] | null): Promise<void> {
    await this.ensure();
    const partition = this.partitionFor(transactionalId);
    const partitionLog = this.deps.logs.get(TRANSACTION_STATE_TOPIC, partition);
    if (partitionLog === undefined) throw new Error(`rill: ${TRANSACTION_STATE_TOPIC}-${partition} has no log`);
    const value = txn === null ? null : encodeTxnValue(txn);
    const records = [{ key: encodeTxnKey(transactionalId), value }];
    if (pending !== undefined) records.push({ key: encodePendingOffsetsKey(transactionalId), value: pending === null ? null : encodePendingOffsetsValue(pending) });
    await partitionLog.append(buildBatch({ records }));
    this.deps.logs.notifyAppend(TRANSACTION_STATE_TOPIC, partition);
  }

  /** Every record of every partition in offset order; the last one per id wins. */
  async replay(): Promise<Replayed> {
    const latest: Replayed = { txns: new Map(), pending: new Map() };
    const topic = this.deps.topics.get(TRANSACTION_STATE_TOPIC);
    if (topic === undefined) return latest;
    for (let partition = 0; partition < topic.partitionCount; partition++) await this.replayPartition(partition, latest);
    return latest;
  }

  private async replayPartition(partition: number, latest: Replayed): Promise<void> {
    const partitionLog = this.deps.logs.get(TRANSACTION_STATE_TOPIC, partition);
    if (partitionLog === undefined) return;
    let offset = partitionLog.logStartOffset;
    while (offset < partitionLog.logEndOffset) {
      const read = await partitionLog.read(offset, REPLAY_READ_BYTES);
      if (read.records.length === 0) return;
      let next = offset;
      for (const view of iterateBatches(read.records)) {
        next = view.nextOffset;
        if (!view.isControl) applyRecords(readBatchRecords(view), latest);
      }
      if (next <= offset) return;
      offset = next;
    }
  }
}

export interface Replayed {
  txns: Map<string, StoredTxn>;
  pending: Map<string, StoredPendingOffset[]>;
}

function applyRecords(records: { key: Buffer | null; value: Buffer | null }[], latest: Replayed): void {
  for (const record of records) {
    if (record.key === null) continue;
    const id = decodeTxnKey(record.key);
    if (id !== undefined) setOrDelete(latest.txns, id, record.value === null ? undefined : decodeTxnValue(record.value));
    const pendingId = decodePendingOffsetsKey(record.key);
    if (pendingId !== undefined) setOrDelete(latest.pending, pendingId, record.value === null ? undefined : decodePendingOffsetsValue(record.value));
  }
}

function setOrDelete<T>(map: Map<string, T>, key: string, value: T | undefined): void {
  if (value === undefined) map.delete(key);
  else map.set(key, value);
}
