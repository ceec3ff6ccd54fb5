// The broker's partition logs: one PartitionLog per topic partition, owned by the storage
// engine's LogManager across log.dirs (`<dir>/<topic>-<partition>/`; a partition found on disk
// stays where it is, a new one goes to the dir holding the fewest partitions, as Kafka places
// them). The LogManager recovers logs at start (from the recovery-point checkpoint after an
// unclean stop), keeps the checkpoints, runs retention, flush.ms and the compaction cleaner, and
// writes the clean-shutdown marker at stop. This class maps the TopicStore's hooks (which topics
// exist is the metadata store's, src/cluster) onto it: logs are opened when a topic is created or
// found at start, reconfigured when topic or broker configs change, deleted with their topic.
// Handlers and coordinators reach logs only through get(); only topics the TopicStore knows are
// visible (a stray partition dir on disk is opened by the LogManager but never served).
import { resolve } from 'node:path';
import type { BrokerConfig } from '../config/broker-config.js';
import { limits } from '../config/limits.js';
import type { TopicConfig } from '../config/topic-config.js';
import { resolveLogConfig, type CleanupPolicy, type LogConfig } from '../log/config.js';
import type { StorageContext } from '../log/context.js';
import { LogManager, type LogManagerOptions } from '../log/log-manager.js';
import type { PartitionLog } from '../log/partition-log.js';
import { ReadBufferPool } from '../log/read-buffers.js';
import type { LogFn } from '../server/types.js';
import type { TopicHooks, TopicMetadata } from './topic-store.js';

type AppendListener = (topic: string, partition: number) => void;

/**
 * A log found on disk before its topic is known (at start, until the TopicStore has loaded; or a
 * stray dir of a topic that no longer exists): never deleted by retention nor compacted.
 */
const UNKNOWN_TOPIC_LOG_CONFIG: Partial<LogConfig> = { retentionMs: -1, retentionBytes: -1, cleanupPolicy: 'delete' };

/** Node's setInterval treats a delay above int32 as 1 ms. */
const TIMER_DELAY_MS_MAX = 2 ** 31 - 1;

/** The LogManager's background schedule, from the broker's configs. */
export type LogSchedule = Pick<LogManagerOptions, 'retentionCheckIntervalMs' | 'flushCheckIntervalMs' | 'checkpointIntervalMs' | 'cleanerBackoffMs' | 'cleanerEnable'>;

/**
 * log.retention.check.interval.ms, log.flush.scheduler.interval.ms, log.flush.offset.checkpoint.interval.ms,
 * log.cleaner.backoff.ms, log.cleaner.enable. Kafka's default flush scheduler interval (Long.MAX,
 * never) leaves the engine's own (1 s), so a topic's flush.ms is honoured as before.
 */
export function logScheduleOf(config: BrokerConfig): LogSchedule {
  const timer = (name: string): number => Math.max(1, Math.min(config.number(name), TIMER_DELAY_MS_MAX));
  const flushSchedulerMs = config.number('log.flush.scheduler.interval.ms');
  return {
    retentionCheckIntervalMs: timer('log.retention.check.interval.ms'),
    flushCheckIntervalMs: flushSchedulerMs >= TIMER_DELAY_MS_MAX ? undefined : timer('log.flush.scheduler.interval.ms'),
    checkpointIntervalMs: timer('log.flush.offset.checkpoint.interval.ms'),
    cleanerBackoffMs: timer('log.cleaner.backoff.ms'),
    cleanerEnable: config.boolean('log.cleaner.enable'),
  };
}

function cleanupPolicyOf(policies: string[]): CleanupPolicy {
  const compact = policies.includes('compact');
  const del = policies.includes('delete');
  if (compact && del) return 'compact,delete';
  return compact ? 'compact' : 'delete';
}

/** Kafka topic configs -> the storage engine's LogConfig. */
export function logConfigOf(config: TopicConfig): LogConfig {
  return resolveLogConfig({
    segmentBytes: config.number('segment.bytes'),
    segmentMs: config.number('segment.ms'),
    segmentIndexBytes: Math.max(48, config.number('segment.index.bytes')),
    indexIntervalBytes: config.number('index.interval.bytes'),
    retentionMs: config.number('retention.ms'),
    retentionBytes: config.number('retention.bytes'),
    flushMessages: config.number('flush.messages'),
    flushMs: config.number('flush.ms'),
    fileDeleteDelayMs: config.number('file.delete.delay.ms'),
    cleanupPolicy: cleanupPolicyOf(config.list('cleanup.policy')),
    deleteRetentionMs: config.number('delete.retention.ms'),
    minCleanableDirtyRatio: config.number('min.cleanable.dirty.ratio'),
    minCompactionLagMs: config.number('min.compaction.lag.ms'),
    maxCompactionLagMs: config.number('max.compaction.lag.ms'),
  });
}

export class PartitionLogs implements TopicHooks {
  /** The logs of the topics the TopicStore knows, by partition. */
  private readonly logs = new Map<string, PartitionLog[]>();
  private readonly appendListeners = new Set<AppendListener>();
  private readonly manager: LogManager;
  /** Every data dir (log.dirs); the first also holds the broker's metadata. */
  readonly dataDirs: string[];
  /** Set at shutdown: waiting fetches answer now instead of waiting for appends. */
  stopping = false;
  /** Buffers Fetch reads into and gives back once its answer is written. */
  readonly readBuffers = new ReadBufferPool(limits.logSyncReadBytesMax, limits.fetchReadBuffersMax);

  /**
   * Opens (recovering where needed) every partition log under the data dirs. Without a schedule
   * no background task runs (retention, flush.ms, checkpoints and the cleaner are left to the caller).
   */
  constructor(dataDirs: string | string[], context: StorageContext, private readonly log: LogFn, schedule?: LogSchedule) {
    this.dataDirs = (typeof dataDirs === 'string' ? [dataDirs] : dataDirs).map((dir) => resolve(dir));
    if (this.dataDirs.length === 0) throw new Error('rill: PartitionLogs needs at least one data dir');
    this.manager = LogManager.open({
      logDirs: this.dataDirs,
      context: { ...context, warn: (line) => log(`rill storage: ${line}`) },
      configFor: () => UNKNOWN_TOPIC_LOG_CONFIG,
      ...schedule,
      scheduleTasks: schedule !== undefined,
    });
  }

  /** The first data dir (broker metadata lives there). */
  get dataDir(): string {
    return this.dataDirs[0]!;
  }

  /** The storage engine underneath (checkpoints, cleaner passes, retention passes). */
  get logManager(): LogManager {
    return this.manager;
  }

  get(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(topic)?.[partition];
  }

  onAppend(listener: AppendListener): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  /** Shutdown: wakes every waiting fetch and keeps new ones from waiting. */
  wakeAllForShutdown(): void {
    this.stopping = true;
    for (const listener of this.appendListeners) listener('', -1);
  }

  /** Tells waiting fetches that a partition grew. */
  notifyAppend(topic: string, partition: number): void {
    for (const listener of this.appendListeners) listener(topic, partition);
  }

  /** The partition's log: the one found on disk at start (now given the topic's config), or a new one. */
  private open(topic: TopicMetadata, partition: number, config: LogConfig): PartitionLog {
    const partitionLog = this.manager.getOrCreateLog(topic.name, partition, config);
    partitionLog.config = config;
    return partitionLog;
  }

  // ---- TopicHooks ----------------------------------------------------------------------------

  topicCreated(topic: TopicMetadata): void {
    const config = logConfigOf(topic.config);
    this.logs.set(topic.name, Array.from({ length: topic.partitionCount }, (_, partition) => this.open(topic, partition, config)));
  }

  partitionsAdded(topic: TopicMetadata): void {
    const config = logConfigOf(topic.config);
    const partitions = this.logs.get(topic.name) ?? [];
    for (let partition = partitions.length; partition < topic.partitionCount; partition++) partitions.push(this.open(topic, partition, config));
    this.logs.set(topic.name, partitions);
  }

  topicDeleted(topic: TopicMetadata): void {
    const partitions = this.logs.get(topic.name) ?? [];
    this.logs.delete(topic.name);
    for (let partition = 0; partition < partitions.length; partition++) this.manager.deleteLog(topic.name, partition);
  }

  configChanged(topic: TopicMetadata): void {
    if (this.logs.has(topic.name)) this.manager.updateConfig(topic.name, logConfigOf(topic.config));
  }

  /** Stops the background tasks, flushes and closes every log, writes the checkpoints and the clean-shutdown marker. */
  async closeAll(): Promise<void> {
    this.logs.clear();
    try {
      await this.manager.close();
    } catch (err) {
      this.log(`rill: closing the logs failed: ${(err as Error).message}`);
    }
  }
}
