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

/** Long-valued configs beyond 2^53 (Kafka's Long.MAX_VALUE) mean "never". */
const LONG_KEYS = ['segmentMs', 'retentionMs', 'retentionBytes', 'flushMessages', 'flushMs', 'fileDeleteDelayMs', 'deleteRetentionMs', 'minCompactionLagMs', 'maxCompactionLagMs'] as const;

export function resolveLogConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  const config: LogConfig = { ...defaultLogConfig, ...overrides };
  for (const key of LONG_KEYS) if (config[key] > NEVER) config[key] = NEVER;
  checkPositive('segmentBytes', config.segmentBytes, 14);
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

/** A topic config value as src/config produces it. */
export type TopicConfigValue = boolean | number | string | readonly string[] | null;

const NUMERIC_TOPIC_CONFIGS: ReadonlyArray<[string, keyof LogConfig]> = [
  ['segment.bytes', 'segmentBytes'],
  ['segment.ms', 'segmentMs'],
  ['segment.index.bytes', 'segmentIndexBytes'],
  ['index.interval.bytes', 'indexIntervalBytes'],
  ['retention.ms', 'retentionMs'],
  ['retention.bytes', 'retentionBytes'],
  ['flush.messages', 'flushMessages'],
  ['flush.ms', 'flushMs'],
  ['file.delete.delay.ms', 'fileDeleteDelayMs'],
  ['delete.retention.ms', 'deleteRetentionMs'],
  ['min.cleanable.dirty.ratio', 'minCleanableDirtyRatio'],
  ['min.compaction.lag.ms', 'minCompactionLagMs'],
  ['max.compaction.lag.ms', 'maxCompactionLagMs'],
];

/**
 * Builds a LogConfig from effective topic configs by Kafka name (TopicConfig.values()):
 * numbers for the numeric ones, a list or comma text for cleanup.policy. Missing names keep
 * their defaults; long values beyond 2^53 mean never.
 */
export function logConfigFromTopicConfigs(values: ReadonlyMap<string, TopicConfigValue>): LogConfig {
  const overrides: Partial<Record<keyof LogConfig, unknown>> = {};
  for (const [name, key] of NUMERIC_TOPIC_CONFIGS) {
    const value = values.get(name);
    if (typeof value === 'number') overrides[key] = value;
  }
  const policy = values.get('cleanup.policy');
  if (policy !== undefined && policy !== null) overrides.cleanupPolicy = cleanupPolicyOf(policy);
  return resolveLogConfig(overrides as Partial<LogConfig>);
}

function cleanupPolicyOf(value: TopicConfigValue): CleanupPolicy {
  const parts = new Set((Array.isArray(value) ? value : String(value).split(',')).map((p) => String(p).trim()));
  if (parts.has('compact') && parts.has('delete')) return 'compact,delete';
  if (parts.has('compact')) return 'compact';
  return 'delete';
}
