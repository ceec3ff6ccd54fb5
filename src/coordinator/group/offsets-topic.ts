// The internal compacted topic __consumer_offsets: created on first use (offsets.topic.*
// configs, cleanup.policy=compact), appended to by the coordinator (one batch per commit or
// group change, awaited before the client is answered), replayed partition by partition at start.
import type { BrokerConfig } from '../../config/broker-config.js';
import { parseTopicOverrides } from '../../config/topic-config.js';
import type { PartitionLogs } from '../../handlers/partition-logs.js';
import type { TopicMetadata, TopicStore } from '../../handlers/topic-store.js';
import type { RecordInput } from '../../accel/types.js';
import { buildBatch, iterateBatches, readBatchRecords } from '../../protocol/records/index.js';
import { offsetsPartitionFor } from './hash.js';

export const OFFSETS_TOPIC = '__consumer_offsets';

export interface OffsetsTopicDeps {
  config: BrokerConfig;
  topics: TopicStore;
  logs: PartitionLogs;
}

/** One record read back at start: key and value (null = tombstone). */
export type ReplayFn = (key: Buffer, value: Buffer | null) => void;

export class OffsetsTopic {
  private creating: Promise<TopicMetadata> | undefined;

  constructor(private readonly deps: OffsetsTopicDeps) {}

  get partitionCount(): number {
    return this.deps.topics.get(OFFSETS_TOPIC)?.partitionCount ?? this.deps.config.number('offsets.topic.num.partitions');
  }

  partitionFor(groupId: string): number {
    return offsetsPartitionFor(groupId, this.partitionCount);
  }

  /** The topic, created with Kafka's offsets-topic configs when missing. */
  async ensure(): Promise<TopicMetadata> {
    const existing = this.deps.topics.get(OFFSETS_TOPIC);
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
      ['segment.bytes', String(config.number('offsets.topic.segment.bytes'))],
      ['compression.type', 'producer'],
    ]);
    return this.deps.topics.create(OFFSETS_TOPIC, config.number('offsets.topic.num.partitions'), 1, overrides);
  }

  /** Appends records for one group as one batch; resolves once the log has them. */
  async append(groupId: string, records: readonly RecordInput[]): Promise<void> {
    if (records.length === 0) return;
    await this.ensure();
    const partition = this.partitionFor(groupId);
    const partitionLog = this.deps.logs.get(OFFSETS_TOPIC, partition);
    if (partitionLog === undefined) throw new Error(`rill: ${OFFSETS_TOPIC}-${partition} has no log`);
    await partitionLog.append(buildBatch({ records }));
    this.deps.logs.notifyAppend(OFFSETS_TOPIC, partition);
  }

  /** Reads every record of every partition, in offset order per partition. */
  async replay(apply: ReplayFn): Promise<number> {
    const topic = this.deps.topics.get(OFFSETS_TOPIC);
    if (topic === undefined) return 0;
    let recordCount = 0;
    for (let partition = 0; partition < topic.partitionCount; partition++) recordCount += await this.replayPartition(partition, apply);
    return recordCount;
  }

  private async replayPartition(partition: number, apply: ReplayFn): Promise<number> {
    const partitionLog = this.deps.logs.get(OFFSETS_TOPIC, partition);
    if (partitionLog === undefined) return 0;
    const readBytes = this.deps.config.number('offsets.load.buffer.size');
    let offset = partitionLog.logStartOffset;
    let recordCount = 0;
    while (offset < partitionLog.logEndOffset) {
      const result = await partitionLog.read(offset, readBytes);
      if (result.records.length === 0) return recordCount;
      const next = applyBatches(result.records, apply);
      recordCount += next.recordCount;
      if (next.nextOffset <= offset) return recordCount;
      offset = next.nextOffset;
    }
    return recordCount;
  }
}

function applyBatches(records: Buffer, apply: ReplayFn): { nextOffset: number; recordCount: number } {
  let nextOffset = -1;
  let recordCount = 0;
  for (const view of iterateBatches(records)) {
    nextOffset = view.nextOffset;
    if (view.isControl) continue;
    for (const record of readBatchRecords(view)) {
      if (record.key === null) continue;
      apply(record.key, record.value);
      recordCount++;
    }
  }
  return { nextOffset, recordCount };
}
