// A coordinator's internal compacted topic (__consumer_offsets, __transaction_state): created
// on first use with its Kafka configs, keyed to a partition by Kafka's hash of the coordinator
// key, appended one batch per state change (awaited before the client is answered), and read
// back record by record at start.
import type { RecordInput } from '../accel/types.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { parseTopicOverrides } from '../config/topic-config.js';
import type { PartitionLogs } from '../handlers/partition-logs.js';
import type { TopicMetadata, TopicStore } from '../handlers/topic-store.js';
import { buildBatch, iterateBatches, readBatchRecords } from '../protocol/records/index.js';
import { offsetsPartitionFor } from './group/hash.js';

export interface InternalTopicDeps {
  config: BrokerConfig;
  topics: TopicStore;
  logs: PartitionLogs;
}

export interface InternalTopicSpec {
  name: string;
  /** Broker config key of the partition count (offsets.topic.num.partitions, ...). */
  partitionCountKey: string;
  /** Broker config key of the topic's segment.bytes. */
  segmentBytesKey: string;
  /** Bytes read per step while replaying. */
  replayReadBytes(config: BrokerConfig): number;
}

/** One record read back at start: key and value (null = tombstone). */
export type ReplayFn = (key: Buffer, value: Buffer | null) => void;

export class InternalTopic {
  private creating: Promise<TopicMetadata> | undefined;

  constructor(
    private readonly deps: InternalTopicDeps,
    readonly spec: InternalTopicSpec,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  get partitionCount(): number {
    return this.deps.topics.get(this.spec.name)?.partitionCount ?? this.deps.config.number(this.spec.partitionCountKey);
  }

  /** Kafka's placement: Java hashCode of the key, made non-negative, modulo the partition count. */
  partitionFor(coordinatorKey: string): number {
    return offsetsPartitionFor(coordinatorKey, this.partitionCount);
  }

  /** The topic, created with its Kafka configs when missing. */
  async ensure(): Promise<TopicMetadata> {
    const existing = this.deps.topics.get(this.spec.name);
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
      ['segment.bytes', String(config.number(this.spec.segmentBytesKey))],
      ['compression.type', 'producer'],
    ]);
    return this.deps.topics.create(this.spec.name, config.number(this.spec.partitionCountKey), 1, overrides);
  }

  /** Appends records as one batch to the coordinator key's partition; resolves once the log has them. */
  async append(coordinatorKey: string, records: readonly RecordInput[]): Promise<void> {
    if (records.length === 0) return;
    await this.ensure();
    const partition = this.partitionFor(coordinatorKey);
    const partitionLog = this.deps.logs.get(this.spec.name, partition);
    if (partitionLog === undefined) throw new Error(`rill: ${this.spec.name}-${partition} has no log`);
    await partitionLog.append(buildBatch({ records }));
    this.deps.logs.notifyAppend(this.spec.name, partition);
  }

  /** Reads every keyed record of every partition, in offset order per partition; returns the count. */
  async replay(apply: ReplayFn): Promise<number> {
    const topic = this.deps.topics.get(this.spec.name);
    if (topic === undefined) return 0;
    let recordCount = 0;
    for (let partition = 0; partition < topic.partitionCount; partition++) recordCount += await this.replayPartition(partition, apply);
    return recordCount;
  }

  private async replayPartition(partition: number, apply: ReplayFn): Promise<number> {
    const partitionLog = this.deps.logs.get(this.spec.name, partition);
    if (partitionLog === undefined) return 0;
    const readBytes = this.spec.replayReadBytes(this.deps.config);
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
