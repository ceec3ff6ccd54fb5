// The storage engine's public surface (see docs/STORAGE.md).
export { PartitionLog, EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP, parsePartitionDir } from './partition-log.js';
export type { AppendResult, PartitionLogOptions, ReadOptions, ReadResult, TimestampLookup } from './partition-log.js';
export { LogManager, CLEAN_SHUTDOWN_FILE, CLEANER_OFFSET_CHECKPOINT, RECOVERY_POINT_CHECKPOINT, LOG_START_OFFSET_CHECKPOINT } from './log-manager.js';
export type { LogManagerOptions } from './log-manager.js';
export { LogCleaner } from './log-cleaner.js';
export { defaultLogConfig, logConfigFromTopicConfigs, resolveLogConfig, NEVER, type CleanupPolicy, type LogConfig, type TopicConfigValue } from './config.js';
export { createStorageContext, defaultStorageContext } from './io.js';
export type { StorageContext } from './context.js';
export { StorageError, OffsetOutOfRangeError, InvalidBatchError, LogClosedError, StorageErrorCode } from './errors.js';
