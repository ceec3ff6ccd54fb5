// The broker's partition logs: one PartitionLog per topic partition in one of the data dirs
// (`<dir>/<topic>-<partition>/`; a partition found on disk stays where it is, a new one goes to
// the dir holding the fewest partitions, as Kafka places them), opened when a topic is created or found at start, reconfigured when
// topic or broker configs change, closed (with the clean-shutdown marker) at stop. Which topics
// exist is the metadata store's (src/cluster), reached through the TopicStore's hooks.
// Interim: the storage engine's LogManager will take over log lifecycles when it lands.
import { existsSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { TopicConfig } from '../config/topic-config.js';
import { resolveLogConfig, type CleanupPolicy, type LogConfig } from '../log/config.js';
import type { StorageContext } from '../log/context.js';
import { PartitionLog } from '../log/partition-log.js';
import type { LogFn } from '../server/types.js';
import type { TopicHooks, TopicMetadata } from './topic-store.js';

const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';
/** PartitionLog's smallest segment (Kafka accepts segment.bytes down to 14). */
const SEGMENT_BYTES_MIN = 64;

type AppendListener = (topic: string, partition: number) => void;

function cleanupPolicyOf(policies: string[]): CleanupPolicy {
  const compact = policies.includes('compact');
  const del = policies.includes('delete');
  if (compact && del) return 'compact,delete';
  return compact ? 'compact' : 'delete';
}

/** Kafka topic configs -> the storage engine's LogConfig. */
export function logConfigOf(config: TopicConfig): LogConfig {
  return resolveLogConfig({
    segmentBytes: Math.max(SEGMENT_BYTES_MIN, config.number('segment.bytes')),
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
  private readonly logs = new Map<string, PartitionLog[]>();
  private readonly appendListeners = new Set<AppendListener>();
  /** Data dirs whose clean-shutdown marker was present at start. */
  private readonly cleanDirs = new Set<string>();
  /** The data dir of every open partition log. */
  private readonly partitionDirCount = new Map<string, number>();
  /** Every data dir (log.dirs); the first also holds the broker's metadata. */
  readonly dataDirs: string[];
  private retentionTimer: NodeJS.Timeout | undefined;
  /** Set at shutdown: waiting fetches answer now instead of waiting for appends. */
  stopping = false;

  constructor(dataDirs: string | string[], private readonly context: StorageContext, private readonly log: LogFn) {
    this.dataDirs = (typeof dataDirs === 'string' ? [dataDirs] : dataDirs).map((dir) => resolve(dir));
    if (this.dataDirs.length === 0) throw new Error('rill: PartitionLogs needs at least one data dir');
    for (const dir of this.dataDirs) {
      const marker = join(dir, CLEAN_SHUTDOWN_FILE);
      if (!existsSync(marker)) continue;
      this.cleanDirs.add(dir);
      unlinkSync(marker);
    }
  }

  /** The first data dir (broker metadata lives there). */
  get dataDir(): string {
    return this.dataDirs[0]!;
  }

  /** Where a partition lives: the dir already holding it, else the one with the fewest partitions. */
  private dirFor(name: string): string {
    const existing = this.dataDirs.find((dir) => existsSync(join(dir, name)));
    if (existing !== undefined) return existing;
    let best = this.dataDirs[0]!;
    for (const dir of this.dataDirs) if ((this.partitionDirCount.get(dir) ?? 0) < (this.partitionDirCount.get(best) ?? 0)) best = dir;
    return best;
  }

  private countIn(dir: string, delta: number): void {
    this.partitionDirCount.set(dir, (this.partitionDirCount.get(dir) ?? 0) + delta);
  }


  /** Starts the periodic retention and flush check (log.retention.check.interval.ms). */
  startRetention(intervalMs: number): void {
    this.retentionTimer = setInterval(() => this.enforceRetention(), Math.min(intervalMs, 2 ** 31 - 1));
    this.retentionTimer.unref();
  }

  private enforceRetention(): void {
    const nowMs = Date.now();
    for (const partitions of this.logs.values()) {
      for (const partitionLog of partitions) {
        partitionLog.enforceRetention(nowMs);
        partitionLog.flushIfDue(nowMs);
      }
    }
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

  private open(topic: TopicMetadata, partition: number): PartitionLog {
    const dataDir = this.dirFor(`${topic.name}-${partition}`);
    const partitionLog = PartitionLog.open({
      dir: join(dataDir, `${topic.name}-${partition}`),
      context: this.context,
      config: logConfigOf(topic.config),
      cleanShutdown: this.cleanDirs.has(dataDir),
    });
    this.countIn(dataDir, 1);
    return partitionLog;
  }

  // ---- TopicHooks ----------------------------------------------------------------------------

  topicCreated(topic: TopicMetadata): void {
    this.logs.set(topic.name, Array.from({ length: topic.partitionCount }, (_, partition) => this.open(topic, partition)));
  }

  partitionsAdded(topic: TopicMetadata): void {
    const partitions = this.logs.get(topic.name) ?? [];
    for (let partition = partitions.length; partition < topic.partitionCount; partition++) partitions.push(this.open(topic, partition));
    this.logs.set(topic.name, partitions);
  }

  topicDeleted(topic: TopicMetadata): void {
    for (const partitionLog of this.logs.get(topic.name) ?? []) {
      partitionLog.closeWithoutFlush();
      rmSync(partitionLog.dir, { recursive: true, force: true });
      this.countIn(dirname(partitionLog.dir), -1);
    }
    this.logs.delete(topic.name);
  }

  configChanged(topic: TopicMetadata): void {
    const config = logConfigOf(topic.config);
    for (const partitionLog of this.logs.get(topic.name) ?? []) partitionLog.config = config;
  }

  /** Flushes and closes every log, then writes the clean-shutdown marker. */
  async closeAll(): Promise<void> {
    clearInterval(this.retentionTimer);
    const all = [...this.logs.values()].flat();
    this.logs.clear();
    const results = await Promise.allSettled(all.map((partitionLog) => partitionLog.close()));
    const failed = results.filter((r) => r.status === 'rejected');
    for (const failure of failed) this.log(`rill: closing a log failed: ${String((failure as PromiseRejectedResult).reason)}`);
    if (failed.length === 0) for (const dir of this.dataDirs) writeFileSync(join(dir, CLEAN_SHUTDOWN_FILE), '');
  }
}
