// The partition logs of one broker across its log.dirs: opening (with recovery after an unclean
// stop), creating, deleting, the Kafka checkpoint files, the clean-shutdown marker, and the
// background retention / flush / checkpoint schedule.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  fsyncDirectory,
  partitionDirName,
  readOffsetCheckpoint,
  writeOffsetCheckpoint,
  writeOffsetCheckpointAsync,
  type OffsetCheckpoint,
  type OffsetCheckpointEntry,
} from './checkpoint.js';
import type { LogConfig } from './config.js';
import type { StorageContext } from './context.js';
import { assertStorage, StorageError } from './errors.js';
import { defaultStorageContext } from './io.js';
import { compacts } from './config.js';
import { LogCleaner } from './log-cleaner.js';
import { PartitionLog, parsePartitionDir } from './partition-log.js';
import { unlinkIfExists } from './segment.js';

export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';
export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
export const CLEANER_OFFSET_CHECKPOINT = 'cleaner-offset-checkpoint';
const DELETE_DIR_SUFFIX = '-delete';

export interface LogManagerOptions {
  /** log.dirs */
  logDirs: readonly string[];
  context?: StorageContext;
  /** Topic config overrides (the broker's defaults merged with the topic's own). */
  configFor?: (topic: string) => Partial<LogConfig>;
  /** log.retention.check.interval.ms (default 300000). */
  retentionCheckIntervalMs?: number;
  /** log.flush.scheduler.interval.ms: how often flush.ms is checked (default 1000 here; Kafka: Long.MAX). */
  flushCheckIntervalMs?: number;
  /** log.flush.offset.checkpoint.interval.ms and log.flush.start.offset.checkpoint.interval.ms (default 60000). */
  checkpointIntervalMs?: number;
  /** log.cleaner.backoff.ms: how often compacted topics are checked for a cleaning pass (default 15000). */
  cleanerBackoffMs?: number;
  /** log.cleaner.enable: run the compaction cleaner on the schedule (default true). */
  cleanerEnable?: boolean;
  /** Run compaction in a worker thread (default: when the compiled worker exists). */
  cleanerUseWorker?: boolean;
  /** Start the background timers (default true). */
  scheduleTasks?: boolean;
}

interface LogDirState {
  path: string;
  cleanShutdown: boolean;
  recoveryPoints: OffsetCheckpoint;
  logStartOffsets: OffsetCheckpoint;
  cleanerOffsets: OffsetCheckpoint;
}

export class LogManager {
  private readonly ctx: StorageContext;
  private readonly options: LogManagerOptions;
  private readonly logs = new Map<string, { log: PartitionLog; logDir: string }>();
  private readonly dirs: LogDirState[] = [];
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  /** The background checkpoint being written, if any. */
  private checkpointRun: Promise<void> | undefined;
  private closed = false;
  private readonly cleaner: LogCleaner;
  private cleaning = false;

  private constructor(options: LogManagerOptions) {
    assertStorage(options.logDirs.length > 0, 'log.dirs is empty');
    this.options = options;
    this.ctx = options.context ?? defaultStorageContext();
    this.cleaner = new LogCleaner({ context: this.ctx, useWorker: options.cleanerUseWorker });
  }

  /** Opens every partition log under log.dirs (recovering after an unclean stop). */
  static open(options: LogManagerOptions): LogManager {
    const manager = new LogManager(options);
    for (const path of options.logDirs) manager.loadDir(path);
    if (options.scheduleTasks !== false) manager.startTasks();
    return manager;
  }

  private loadDir(path: string): void {
    mkdirSync(path, { recursive: true });
    const marker = join(path, CLEAN_SHUTDOWN_FILE);
    const state: LogDirState = {
      path,
      cleanShutdown: existsSync(marker),
      recoveryPoints: this.readCheckpoint(join(path, RECOVERY_POINT_CHECKPOINT)),
      logStartOffsets: this.readCheckpoint(join(path, LOG_START_OFFSET_CHECKPOINT)),
      cleanerOffsets: this.readCheckpoint(join(path, CLEANER_OFFSET_CHECKPOINT)),
    };
    this.dirs.push(state);
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      if (name.endsWith(DELETE_DIR_SUFFIX)) rmSync(full, { recursive: true, force: true });
      else if (isPartitionDir(full, name)) this.openLog(state, name);
    }
    unlinkIfExists(marker);
    if (!state.cleanShutdown) this.writeCheckpoints([state]);
  }

  private readCheckpoint(path: string): OffsetCheckpoint {
    try {
      return readOffsetCheckpoint(path);
    } catch (err) {
      this.ctx.warn(`${(err as Error).message}; ignoring it (every log in the directory is recovered from its start)`);
      return new Map();
    }
  }

  private openLog(state: LogDirState, name: string): PartitionLog {
    const { topic, partition } = parsePartitionDir(name);
    const log = PartitionLog.open({
      dir: join(state.path, name),
      context: this.ctx,
      config: this.options.configFor?.(topic) ?? {},
      cleanShutdown: state.cleanShutdown && state.recoveryPoints.has(name),
      recoveryPoint: state.recoveryPoints.get(name) ?? 0,
      logStartOffset: state.logStartOffsets.get(name),
      firstDirtyOffset: state.cleanerOffsets.get(name),
    });
    assertStorage(partition >= 0, `${name} is not a partition directory`);
    this.logs.set(name, { log, logDir: state.path });
    return log;
  }

  get size(): number {
    return this.logs.size;
  }

  getLog(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(partitionDirName(topic, partition))?.log;
  }

  allLogs(): PartitionLog[] {
    return [...this.logs.values()].map((entry) => entry.log);
  }

  /** Returns the log, creating it (in the log dir holding the fewest partitions) if needed. */
  getOrCreateLog(topic: string, partition: number, config?: Partial<LogConfig>): PartitionLog {
    this.checkOpen();
    const name = partitionDirName(topic, partition);
    const existing = this.logs.get(name);
    if (existing !== undefined) return existing.log;
    if (!/^[a-zA-Z0-9._-]{1,249}$/.test(topic) || !Number.isSafeInteger(partition) || partition < 0) {
      throw new StorageError('KAFKA_STORAGE_ERROR', `invalid partition ${name}`);
    }
    const state = this.leastLoadedDir();
    // The new directory's entry is synced by the log's first flush (or at close).
    const log = PartitionLog.open({ dir: join(state.path, name), context: this.ctx, config: config ?? this.options.configFor?.(topic) ?? {} });
    this.logs.set(name, { log, logDir: state.path });
    return log;
  }

  private leastLoadedDir(): LogDirState {
    const counts = new Map(this.dirs.map((d) => [d.path, 0]));
    for (const entry of this.logs.values()) counts.set(entry.logDir, (counts.get(entry.logDir) ?? 0) + 1);
    return this.dirs.reduce((best, d) => (counts.get(d.path)! < counts.get(best.path)! ? d : best));
  }

  /** Deletes a partition log: closed now, directory renamed to *-delete, then removed. */
  deleteLog(topic: string, partition: number): boolean {
    const name = partitionDirName(topic, partition);
    const entry = this.logs.get(name);
    if (entry === undefined) return false;
    this.logs.delete(name);
    entry.log.closeWithoutFlush();
    const doomed = join(entry.logDir, `${name}.${Date.now()}${DELETE_DIR_SUFFIX}`);
    renameSync(entry.log.dir, doomed);
    rmSync(doomed, { recursive: true, force: true });
    return true;
  }

  /** Applies a topic's changed config to its open logs. */
  updateConfig(topic: string, config: LogConfig): void {
    for (const log of this.allLogs()) if (log.topic === topic) log.config = config;
  }

  /** One retention pass over every log (log.retention.check.interval.ms runs this). */
  enforceRetention(nowMs = this.ctx.nowMs()): number {
    let deleted = 0;
    for (const log of this.allLogs()) deleted += this.guarded(log, () => log.enforceRetention(nowMs)) ?? 0;
    return deleted;
  }

  /** One compaction pass over every log whose cleanup.policy compacts (one log at a time). */
  async runCleaner(nowMs = this.ctx.nowMs()): Promise<number> {
    if (this.cleaning) return 0;
    this.cleaning = true;
    let cleaned = 0;
    try {
      for (const log of this.allLogs()) {
        if (this.closed || !compacts(log.config.cleanupPolicy)) continue;
        try {
          if ((await this.cleaner.clean(log, nowMs)) !== undefined) cleaned += 1;
        } catch (err) {
          this.ctx.warn(`${log.dir}: compaction failed: ${(err as Error).message}`);
        }
      }
    } finally {
      this.cleaning = false;
    }
    return cleaned;
  }

  /** Starts flushes that flush.ms says are due. */
  flushDueLogs(nowMs = this.ctx.nowMs()): void {
    for (const log of this.allLogs()) this.guarded(log, () => log.flushIfDue(nowMs));
  }

  private guarded<T>(log: PartitionLog, task: () => T): T | undefined {
    try {
      return task();
    } catch (err) {
      this.ctx.warn(`${log.dir}: background task failed: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** Writes recovery-point-offset-checkpoint, log-start-offset-checkpoint and cleaner-offset-checkpoint in every log dir. */
  checkpoint(): void {
    this.writeCheckpoints(this.dirs);
  }

  private writeCheckpoints(dirs: readonly LogDirState[]): void {
    for (const file of this.checkpointFiles(dirs)) writeOffsetCheckpoint(file.path, file.entries);
  }

  /**
   * The periodic checkpoint: the same files with the offsets of this moment, written on the
   * thread pool so their fsyncs do not stall requests. One run at a time.
   */
  checkpointInBackground(): Promise<void> {
    this.checkpointRun ??= this.writeCheckpointsAsync(this.checkpointFiles(this.dirs)).finally(() => (this.checkpointRun = undefined));
    return this.checkpointRun;
  }

  private async writeCheckpointsAsync(files: CheckpointFile[]): Promise<void> {
    for (const file of files) await writeOffsetCheckpointAsync(file.path, file.entries);
  }

  private checkpointFiles(dirs: readonly LogDirState[]): CheckpointFile[] {
    return dirs.flatMap((state) => {
      const logs = [...this.logs.values()].filter((e) => e.logDir === state.path).map((e) => e.log);
      const compacted = logs.filter((l) => compacts(l.config.cleanupPolicy));
      return [
        { path: join(state.path, RECOVERY_POINT_CHECKPOINT), entries: logs.map((l) => ({ topic: l.topic, partition: l.partition, offset: l.recoveryPoint })) },
        { path: join(state.path, LOG_START_OFFSET_CHECKPOINT), entries: logs.map((l) => ({ topic: l.topic, partition: l.partition, offset: l.logStartOffset })) },
        { path: join(state.path, CLEANER_OFFSET_CHECKPOINT), entries: compacted.map((l) => ({ topic: l.topic, partition: l.partition, offset: l.firstDirtyOffset })) },
      ];
    });
  }

  private startTasks(): void {
    const every = (ms: number, task: () => void): void => {
      const timer = setInterval(() => {
        if (!this.closed) task();
      }, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.options.retentionCheckIntervalMs ?? 300_000, () => this.enforceRetention());
    every(this.options.flushCheckIntervalMs ?? 1_000, () => this.flushDueLogs());
    every(this.options.checkpointIntervalMs ?? 60_000, () => void this.guardedCheckpoint());
    if (this.options.cleanerEnable !== false) every(this.options.cleanerBackoffMs ?? 15_000, () => void this.runCleaner());
  }

  private async guardedCheckpoint(): Promise<void> {
    try {
      await this.checkpointInBackground();
    } catch (err) {
      this.ctx.warn(`checkpoint failed: ${(err as Error).message}`);
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new StorageError('KAFKA_STORAGE_ERROR', 'the log manager is closed');
  }

  /** Flushes and closes every log, writes the checkpoints and the clean-shutdown marker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    await this.cleaner.close();
    await this.checkpointRun?.catch(() => undefined);
    let failed = false;
    for (const log of this.allLogs()) {
      try {
        await log.close();
      } catch (err) {
        failed = true;
        this.ctx.warn(`${log.dir}: close failed: ${(err as Error).message}`);
      }
    }
    this.checkpoint();
    if (failed) return;
    for (const state of this.dirs) {
      writeFileSync(join(state.path, CLEAN_SHUTDOWN_FILE), '');
      fsyncDirectory(state.path);
    }
  }
}

interface CheckpointFile {
  path: string;
  entries: OffsetCheckpointEntry[];
}

function isPartitionDir(full: string, name: string): boolean {
  if (parsePartitionDir(name).partition < 0) return false;
  try {
    return statSync(full).isDirectory();
  } catch {
    return false;
  }
}
