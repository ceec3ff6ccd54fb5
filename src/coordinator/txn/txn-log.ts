// The internal compacted topic __transaction_state: created on first use
// (transaction.state.log.* configs), one record per state change of a transactional id (in the
// partition Kafka picks: Java hashCode of the id, made non-negative, modulo the partition
// count), written before the client is answered (fsynced per the topic's flush policy, as any
// Kafka log), replayed at start.
import type { TopicMetadata } from '../../handlers/topic-store.js';
import { InternalTopic, type InternalTopicDeps } from '../internal-topic.js';
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

export type TxnLogDeps = InternalTopicDeps;

export class TxnLog {
  private readonly topic: InternalTopic;

  constructor(deps: TxnLogDeps) {
    this.topic = new InternalTopic(deps, {
      name: TRANSACTION_STATE_TOPIC,
      partitionCountKey: 'transaction.state.log.num.partitions',
      segmentBytesKey: 'transaction.state.log.segment.bytes',
      replayReadBytes: () => REPLAY_READ_BYTES,
    });
  }

  get partitionCount(): number {
    return this.topic.partitionCount;
  }

  partitionFor(transactionalId: string): number {
    return this.topic.partitionFor(transactionalId);
  }

  ensure(): Promise<TopicMetadata> {
    return this.topic.ensure();
  }

  /**
   * Writes one state record (null: tombstone), with the pending offsets record when given
   * (null: its tombstone), as one batch. Durability follows the topic's flush policy
   * (flush.messages / flush.ms), as in Kafka: the page cache survives a process crash.
   */
  async write(transactionalId: string, txn: StoredTxn | null, pending?: StoredPendingOffset[] | null): Promise<void> {
    const value = txn === null ? null : encodeTxnValue(txn);
    const records = [{ key: encodeTxnKey(transactionalId), value }];
    if (pending !== undefined) records.push({ key: encodePendingOffsetsKey(transactionalId), value: pending === null ? null : encodePendingOffsetsValue(pending) });
    await this.topic.append(transactionalId, records);
  }

  /** Every record of every partition in offset order; the last one per id wins. */
  async replay(): Promise<Replayed> {
    const latest: Replayed = { txns: new Map(), pending: new Map() };
    await this.topic.replay((key, value) => applyRecord(key, value, latest));
    return latest;
  }
}

export interface Replayed {
  txns: Map<string, StoredTxn>;
  pending: Map<string, StoredPendingOffset[]>;
}

function applyRecord(key: Buffer, value: Buffer | null, latest: Replayed): void {
  const id = decodeTxnKey(key);
  if (id !== undefined) setOrDelete(latest.txns, id, value === null ? undefined : decodeTxnValue(value));
  const pendingId = decodePendingOffsetsKey(key);
  if (pendingId !== undefined) setOrDelete(latest.pending, pendingId, value === null ? undefined : decodePendingOffsetsValue(value));
}

function setOrDelete<T>(map: Map<string, T>, key: string, value: T | undefined): void {
  if (value === undefined) map.delete(key);
  else map.set(key, value);
}
