// Kafka's topic-level configs: each has a type, validator, doc and the broker config that
// supplies its default (Kafka's "server default property"), so DescribeConfigs can report
// value, default, source and synonyms for every one.
import { brokerConfigDefs, cleanupPolicies, compressionTypes, timestampTypes } from './broker-configs.js';
import {
  atLeast, between, listOf, LONG_MAX_TEXT, oneOf, orExactly,
  type ConfigDef, type ConfigType, type ConfigValidator,
} from './definitions.js';

export interface TopicConfigDef extends ConfigDef {
  /** The broker config that supplies the default; null when there is none. */
  brokerKey: string | null;
}

function topic(
  name: string, type: ConfigType, brokerKey: string | null, doc: string, validate?: ConfigValidator, defaultText?: string | null,
): TopicConfigDef {
  const brokerDefault = brokerKey === null ? undefined : brokerConfigDefs.get(brokerKey)?.defaultText;
  const resolvedDefault = defaultText !== undefined ? defaultText : (brokerDefault ?? null);
  return { name, type, brokerKey, doc, validate, defaultText: resolvedDefault, dynamic: 'cluster-wide' };
}

const nonNegative = atLeast(0);

const defs: TopicConfigDef[] = [
  topic('cleanup.policy', 'list', 'log.cleanup.policy', 'delete, compact, or both.', listOf(cleanupPolicies, true)),
  topic('compression.type', 'string', 'compression.type', 'Final compression codec of the topic, or producer.', oneOf(compressionTypes)),
  topic('compression.gzip.level', 'int', 'compression.gzip.level', 'gzip level, 1..9 or -1.', orExactly(-1, between(1, 9))),
  topic('compression.lz4.level', 'int', 'compression.lz4.level', 'lz4 level, 1..17.', between(1, 17)),
  topic('compression.zstd.level', 'int', 'compression.zstd.level', 'zstd level, -131072..22.', between(-131072, 22)),
  topic('delete.retention.ms', 'long', 'log.cleaner.delete.retention.ms', 'How long tombstones are kept on compacted topics.', nonNegative),
  topic('file.delete.delay.ms', 'long', 'log.segment.delete.delay.ms', 'Delay before a deleted segment\'s files are removed.', nonNegative),
  topic('flush.messages', 'long', 'log.flush.interval.messages', 'Messages appended before an fsync.', atLeast(1)),
  topic('flush.ms', 'long', 'log.flush.interval.ms', 'Largest time between fsyncs.', nonNegative, LONG_MAX_TEXT),
  topic('follower.replication.throttled.replicas', 'list', 'follower.replication.throttled.replicas', 'Throttled follower replicas.'),
  topic('index.interval.bytes', 'int', 'log.index.interval.bytes', 'Bytes between offset index entries.', nonNegative),
  topic('leader.replication.throttled.replicas', 'list', 'leader.replication.throttled.replicas', 'Throttled leader replicas.'),
  topic('local.retention.bytes', 'long', 'log.local.retention.bytes', 'Tiered storage local retention bytes.', atLeast(-2)),
  topic('local.retention.ms', 'long', 'log.local.retention.ms', 'Tiered storage local retention ms.', atLeast(-2)),
  topic('max.compaction.lag.ms', 'long', 'log.cleaner.max.compaction.lag.ms', 'Largest age of an uncompacted message.', atLeast(1)),
  topic('max.message.bytes', 'int', 'message.max.bytes', 'Largest record batch size (after compression).', nonNegative),
  topic('message.timestamp.after.max.ms', 'long', 'log.message.timestamp.after.max.ms', 'Largest allowed lead of a CreateTime timestamp.', nonNegative),
  topic('message.timestamp.before.max.ms', 'long', 'log.message.timestamp.before.max.ms', 'Largest allowed age of a CreateTime timestamp.', nonNegative),
  topic('message.timestamp.type', 'string', 'log.message.timestamp.type', 'CreateTime or LogAppendTime.', oneOf(timestampTypes)),
  topic('min.cleanable.dirty.ratio', 'double', 'log.cleaner.min.cleanable.ratio', 'Dirty ratio that makes the log eligible for cleaning.', between(0, 1)),
  topic('min.compaction.lag.ms', 'long', 'log.cleaner.min.compaction.lag.ms', 'Least age of a message before compaction.', nonNegative),
  topic('min.insync.replicas', 'int', 'min.insync.replicas', 'Replicas that must acknowledge acks=-1 writes.', atLeast(1)),
  topic('preallocate', 'boolean', 'log.preallocate', 'Preallocate segment files.'),
  topic('remote.storage.enable', 'boolean', null, 'Tiered storage (not supported by Rill; must stay false).',
    (value) => (value === true ? 'tiered storage is not supported' : undefined), 'false'),
  topic('retention.bytes', 'long', 'log.retention.bytes', 'Largest partition size before old segments are deleted; -1 = no limit.'),
  topic('retention.ms', 'long', 'log.retention.ms', 'Age after which segments are deleted; -1 = no limit.', atLeast(-1), '604800000'),
  topic('segment.bytes', 'int', 'log.segment.bytes', 'Largest segment file size.', atLeast(14)),
  topic('segment.index.bytes', 'int', 'log.index.size.max.bytes', 'Largest offset index size.', atLeast(4)),
  topic('segment.jitter.ms', 'long', 'log.roll.jitter.ms', 'Roll jitter.', nonNegative, '0'),
  topic('segment.ms', 'long', 'log.roll.ms', 'Largest segment age.', atLeast(1), '604800000'),
  topic('unclean.leader.election.enable', 'boolean', 'unclean.leader.election.enable', 'Allow out-of-sync replicas to lead.'),
];

/** Every topic config Rill knows, by name (alphabetical, as Kafka lists them). */
export const topicConfigDefs: ReadonlyMap<string, TopicConfigDef> = new Map(defs.map((d) => [d.name, d]));
