// Per-partition storage options, in Kafka's topic-config terms (camelCased). The broker maps
// topic configs and their broker-level defaults (log.segment.bytes, log.flush.interval.messages,
// ...) onto this object; the storage engine never reads config files itself.

export interface LogConfig {
  /** segment.bytes: roll when the active segment would grow past this. */
  segmentBytes: number;
  /** segment.ms: roll when the active segment's first batch is older than this. */
  segmentMs: number;
  /** segment.index.bytes: the preallocated size of each index file; a full index rolls. */
  segmentIndexBytes: number;
  /** index.interval.bytes: bytes of log between two offset-index entries. */
  indexIntervalBytes: number;
  /** retention.ms: delete segments whose newest record is older than this; -1 keeps forever. */
  retentionMs: number;
  /** retention.bytes: delete oldest segments while the log is larger than this; -1 = no bound. */
  retentionBytes: number;
  /** flush.messages: fdatasync after this many messages; 1 = every append waits for its sync. */
  flushMessages: number;
  /** flush.ms: fdatasync when the oldest unflushed append is older than this. */
  flushMs: number;
  /** file.delete.delay.ms: how long a deleted segment stays as `.deleted` before unlink. */
  fileDeleteDelayMs: number;
  /** cleanup.policy. */
  cleanupPolicy: CleanupPolicy;
  /** delete.retention.ms: how long tombstones survive compaction. */
  deleteRetentionMs: number;
  /** min.cleanable.dirty.ratio. */
  minCleanableDirtyRatio: number;
  /** min.compaction.lag.ms. */
  minCompactionLagMs: number;
  /** max.compaction.lag.ms. */
  maxCompactionLagMs: number;
}

export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';

/** Kafka's "never" for long-valued configs (Long.MAX_VALUE) as a safe integer. */
export const NEVER = Number.MAX_SAFE_INTEGER;

export const defaultLogConfig: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600 * 1000,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  retentionMs: 7 * 24 * 3600 * 1000,
  retentionBytes: -1,
  flushMessages: NEVER,
  flushMs: NEVER,
  fileDeleteDelayMs: 60_000,
  cleanupPolicy: 'delete',
  deleteRetentionMs: 24 * 3600 * 1000,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: NEVER,
});

export function resolveLogConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  const config: LogConfig = { ...defaultLogConfig, ...overrides };
  checkPositive('segmentBytes', config.segmentBytes, 64);
  checkPositive('segmentIndexBytes', config.segmentIndexBytes, 12 * 4);
  checkPositive('indexIntervalBytes', config.indexIntervalBytes, 0);
  checkPositive('flushMessages', config.flushMessages, 1);
  if (config.segmentBytes > 0x7fff_ffff) throw new RangeError(`segmentBytes ${config.segmentBytes} exceeds 2^31-1`);
  return config;
}

function checkPositive(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`log config ${name}=${value} must be an integer >= ${min}`);
  }
}

export function compacts(policy: CleanupPolicy): boolean {
  return policy !== 'delete';
}

export function deletes(policy: CleanupPolicy): boolean {
  return policy !== 'compact';
}
