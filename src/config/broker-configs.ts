// Kafka's broker configs that Rill knows: names, types, defaults (Kafka 4.0 unless noted),
// validators and docs. Departures from Kafka's defaults are marked "Rill:".
import {
  atLeast, between, INT_MAX_TEXT, listOf, LONG_MAX_TEXT, nonEmptyString, oneOf, orExactly,
  type ConfigDef, type ConfigType, type ConfigValidator, type DynamicUpdateMode,
} from './definitions.js';

export const compressionTypes = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] as const;
export const timestampTypes = ['CreateTime', 'LogAppendTime'] as const;
export const cleanupPolicies = ['compact', 'delete'] as const;

interface DefOptions {
  validate?: ConfigValidator;
  dynamic?: DynamicUpdateMode;
  sensitive?: boolean;
  validValues?: string;
}

function def(name: string, type: ConfigType, defaultText: string | null, doc: string, options: DefOptions = {}): ConfigDef {
  return { name, type, defaultText, doc, dynamic: options.dynamic ?? 'read-only', ...options };
}

const CLUSTER: DefOptions = { dynamic: 'cluster-wide' };
const nonNegative = atLeast(0);
const positive = atLeast(1);
const gzipLevel = orExactly(-1, between(1, 9));

const network: ConfigDef[] = [
  def('listeners', 'string', 'PLAINTEXT://127.0.0.1:9092',
    'Comma-separated listener URIs NAME://host:port. Rill: defaults to 127.0.0.1:9092 (Kafka: PLAINTEXT://:9092).',
    { validate: nonEmptyString(), dynamic: 'per-broker' }),
  def('advertised.listeners', 'string', null,
    'Listeners published to clients in Metadata; defaults to `listeners`.', { dynamic: 'per-broker' }),
  def('listener.security.protocol.map', 'string',
    'SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT',
    'Map from listener name to security protocol.', { dynamic: 'per-broker' }),
  def('inter.broker.listener.name', 'string', null, 'Listener used between brokers.'),
  def('controller.listener.names', 'string', null, 'Listeners used by the controller (cluster mode, later).'),
  def('process.roles', 'list', 'broker,controller', 'Roles of this node. Rill: single node plays both.',
    { validate: listOf(['broker', 'controller'], true) }),
  def('socket.request.max.bytes', 'int', '104857600', 'Largest request frame the broker accepts.', { validate: positive }),
  def('socket.send.buffer.bytes', 'int', '102400', 'SO_SNDBUF; -1 uses the OS default.'),
  def('socket.receive.buffer.bytes', 'int', '102400', 'SO_RCVBUF; -1 uses the OS default.'),
  def('queued.max.requests', 'int', '500', 'Requests in flight across all connections before reading stops (each connection may always have one).', { validate: positive }),
  def('queued.max.request.bytes', 'long', '-1', 'Bytes of queued requests before reading stops; -1 = no limit.'),
  def('max.connections', 'int', INT_MAX_TEXT, 'Connections the broker accepts at once.', { validate: nonNegative, ...CLUSTER }),
  def('max.connections.per.ip', 'int', INT_MAX_TEXT, 'Connections accepted from one IP address.', { validate: nonNegative, ...CLUSTER }),
  def('max.connections.per.ip.overrides', 'string', '', 'Per-IP overrides: ip:count,ip:count.', CLUSTER),
  def('max.connection.creation.rate', 'int', INT_MAX_TEXT, 'New connections per second accepted.', { validate: nonNegative, ...CLUSTER }),
  def('connections.max.idle.ms', 'long', '600000', 'Idle connections are closed after this many ms.'),
  def('num.network.threads', 'int', '3', 'Kafka network threads (accepted for compatibility; Rill uses the event loop).', { validate: positive, ...CLUSTER }),
  def('num.io.threads', 'int', '8', 'Kafka request threads (accepted for compatibility).', { validate: positive, ...CLUSTER }),
];

const identity: ConfigDef[] = [
  def('node.id', 'int', '1', 'This node\'s id. Rill: defaults to 1 (Kafka requires it in KRaft mode).'),
  def('broker.id', 'int', '-1', 'Legacy name of node.id; used when node.id is not set.'),
  def('broker.rack', 'string', null, 'Rack of this broker.'),
  def('cluster.id', 'string', null, 'Rill: the cluster id reported in Metadata; generated and stored in the data dir when unset.'),
];

const log: ConfigDef[] = [
  def('log.dirs', 'list', null, 'Data directories; when unset, log.dir is used.'),
  def('log.dir', 'string', './data', 'Data directory used when log.dirs is unset. Rill: ./data (Kafka: /tmp/kafka-logs).'),
  def('num.partitions', 'int', '1', 'Partitions of auto-created topics.', { validate: positive }),
  def('default.replication.factor', 'int', '1', 'Replication factor of auto-created topics.', { validate: positive }),
  def('auto.create.topics.enable', 'boolean', 'true', 'Create topics on Metadata/Produce for unknown names.'),
  def('delete.topic.enable', 'boolean', 'true', 'Allow DeleteTopics.'),
  def('log.retention.hours', 'int', '168', 'Retention in hours (lowest priority of the three).'),
  def('log.retention.minutes', 'int', null, 'Retention in minutes; overrides log.retention.hours.'),
  def('log.retention.ms', 'long', null, 'Retention in ms; overrides minutes and hours. -1 = no limit.', CLUSTER),
  def('log.retention.bytes', 'long', '-1', 'Largest partition size before deletion; -1 = no limit.', CLUSTER),
  def('log.retention.check.interval.ms', 'long', '300000', 'How often retention runs.', { validate: positive }),
  def('log.segment.bytes', 'int', '1073741824', 'Largest segment file size.', { validate: atLeast(14), ...CLUSTER }),
  def('log.roll.hours', 'int', '168', 'Largest segment age in hours.', { validate: positive }),
  def('log.roll.ms', 'long', null, 'Largest segment age in ms; overrides log.roll.hours.', CLUSTER),
  def('log.roll.jitter.hours', 'int', '0', 'Roll jitter in hours.', { validate: nonNegative }),
  def('log.roll.jitter.ms', 'long', null, 'Roll jitter in ms; overrides log.roll.jitter.hours.', CLUSTER),
  def('log.index.size.max.bytes', 'int', '10485760', 'Largest offset index size.', { validate: atLeast(4), ...CLUSTER }),
  def('log.index.interval.bytes', 'int', '4096', 'Bytes between offset index entries.', { validate: nonNegative, ...CLUSTER }),
  def('log.flush.interval.messages', 'long', LONG_MAX_TEXT, 'Messages appended before an fsync.', { validate: positive, ...CLUSTER }),
  def('log.flush.interval.ms', 'long', null, 'Largest time between fsyncs; defaults to log.flush.scheduler.interval.ms.', CLUSTER),
  def('log.flush.scheduler.interval.ms', 'long', LONG_MAX_TEXT, 'How often the flusher checks logs.'),
  def('log.flush.offset.checkpoint.interval.ms', 'int', '60000', 'How often recovery points are saved.', { validate: nonNegative }),
  def('log.segment.delete.delay.ms', 'long', '60000', 'Delay before a deleted segment\'s files are removed.', { validate: nonNegative, ...CLUSTER }),
  def('log.preallocate', 'boolean', 'false', 'Preallocate segment files.', CLUSTER),
  def('log.cleanup.policy', 'list', 'delete', 'Default cleanup policy: delete, compact or both.',
    { validate: listOf(cleanupPolicies, true), ...CLUSTER }),
  def('log.cleaner.enable', 'boolean', 'true', 'Run the log cleaner (compaction).'),
  def('log.cleaner.threads', 'int', '1', 'Cleaner threads.', { validate: nonNegative, ...CLUSTER }),
  def('log.cleaner.backoff.ms', 'long', '15000', 'Sleep when there is nothing to clean.', { validate: nonNegative, ...CLUSTER }),
  def('log.cleaner.dedupe.buffer.size', 'long', '134217728', 'Memory for cleaner deduplication.', CLUSTER),
  def('log.cleaner.io.buffer.size', 'int', '524288', 'Cleaner I/O buffer.', { validate: nonNegative, ...CLUSTER }),
  def('log.cleaner.delete.retention.ms', 'long', '86400000', 'How long tombstones are kept.', { validate: nonNegative, ...CLUSTER }),
  def('log.cleaner.min.cleanable.ratio', 'double', '0.5', 'Dirty ratio that makes a log eligible for cleaning.', { validate: between(0, 1), ...CLUSTER }),
  def('log.cleaner.min.compaction.lag.ms', 'long', '0', 'Least age of a message before compaction.', { validate: nonNegative, ...CLUSTER }),
  def('log.cleaner.max.compaction.lag.ms', 'long', LONG_MAX_TEXT, 'Largest age of an uncompacted message.', { validate: positive, ...CLUSTER }),
  def('log.message.timestamp.type', 'string', 'CreateTime', 'CreateTime or LogAppendTime.', { validate: oneOf(timestampTypes), ...CLUSTER }),
  def('log.message.timestamp.before.max.ms', 'long', LONG_MAX_TEXT, 'Largest allowed age of a CreateTime timestamp.', { validate: nonNegative, ...CLUSTER }),
  def('log.message.timestamp.after.max.ms', 'long', '3600000', 'Largest allowed lead of a CreateTime timestamp.', { validate: nonNegative, ...CLUSTER }),
  def('log.local.retention.ms', 'long', '-2', 'Tiered storage local retention; -2 = log.retention.ms.', { validate: atLeast(-2), ...CLUSTER }),
  def('log.local.retention.bytes', 'long', '-2', 'Tiered storage local retention; -2 = log.retention.bytes.', { validate: atLeast(-2), ...CLUSTER }),
  def('num.recovery.threads.per.data.dir', 'int', '2', 'Threads per data dir for recovery.', { validate: positive, ...CLUSTER }),
  def('message.max.bytes', 'int', '1048588', 'Largest record batch size (after compression).', { validate: nonNegative, ...CLUSTER }),
  def('compression.type', 'string', 'producer', 'Final compression of topics: uncompressed, zstd, lz4, snappy, gzip or producer.',
    { validate: oneOf(compressionTypes), ...CLUSTER }),
  def('compression.gzip.level', 'int', '-1', 'gzip level, 1..9 or -1.', { validate: gzipLevel, ...CLUSTER }),
  def('compression.lz4.level', 'int', '9', 'lz4 level, 1..17.', { validate: between(1, 17), ...CLUSTER }),
  def('compression.zstd.level', 'int', '3', 'zstd level, -131072..22.', { validate: between(-131072, 22), ...CLUSTER }),
  def('min.insync.replicas', 'int', '1', 'Replicas that must acknowledge acks=-1 writes.', { validate: positive, ...CLUSTER }),
  def('unclean.leader.election.enable', 'boolean', 'false', 'Allow out-of-sync replicas to lead.', CLUSTER),
  def('replica.fetch.max.bytes', 'int', '1048576', 'Bytes per partition a follower fetches.', { validate: nonNegative }),
  def('replica.lag.time.max.ms', 'long', '30000', 'Follower lag before leaving the ISR.'),
  def('fetch.max.bytes', 'int', '57671680', 'Largest Fetch response.', { validate: atLeast(1024) }),
  def('max.incremental.fetch.session.cache.slots', 'int', '1000', 'Incremental fetch sessions kept.', { validate: nonNegative }),
  def('follower.replication.throttled.replicas', 'list', '', 'Throttled follower replicas.', CLUSTER),
  def('leader.replication.throttled.replicas', 'list', '', 'Throttled leader replicas.', CLUSTER),
];

const groups: ConfigDef[] = [
  def('offsets.topic.num.partitions', 'int', '50', 'Partitions of __consumer_offsets.', { validate: positive }),
  def('offsets.topic.replication.factor', 'short', '3', 'Replication factor of __consumer_offsets (capped at the live broker count).', { validate: positive }),
  def('offsets.topic.segment.bytes', 'int', '104857600', 'Segment size of __consumer_offsets.', { validate: positive }),
  def('offsets.retention.minutes', 'int', '10080', 'Committed offsets of empty groups are kept this long.', { validate: positive }),
  def('offsets.retention.check.interval.ms', 'long', '600000', 'How often stale offsets are removed.', { validate: positive }),
  def('offsets.commit.timeout.ms', 'int', '5000', 'Offset commit timeout.', { validate: positive }),
  def('offsets.load.buffer.size', 'int', '5242880', 'Read size when loading offsets.', { validate: positive }),
  def('offset.metadata.max.bytes', 'int', '4096', 'Largest metadata string an offset commit may carry.', { validate: nonNegative }),
  def('group.min.session.timeout.ms', 'int', '6000', 'Smallest session timeout a classic member may ask for.'),
  def('group.max.session.timeout.ms', 'int', '1800000', 'Largest session timeout a classic member may ask for.'),
  def('group.initial.rebalance.delay.ms', 'int', '3000', 'Wait for more members before the first rebalance of a group.'),
  def('group.max.size', 'int', INT_MAX_TEXT, 'Largest classic group size.', { validate: positive }),
  def('group.coordinator.rebalance.protocols', 'list', 'classic,consumer', 'Enabled group protocols.',
    { validate: listOf(['classic', 'consumer', 'share', 'streams'], false) }),
  def('group.consumer.session.timeout.ms', 'int', '45000', 'KIP-848 session timeout.', { validate: positive }),
  def('group.consumer.min.session.timeout.ms', 'int', '45000', 'KIP-848 smallest session timeout.', { validate: positive }),
  def('group.consumer.max.session.timeout.ms', 'int', '60000', 'KIP-848 largest session timeout.', { validate: positive }),
  def('group.consumer.heartbeat.interval.ms', 'int', '5000', 'KIP-848 heartbeat interval.', { validate: positive }),
  def('group.consumer.min.heartbeat.interval.ms', 'int', '5000', 'KIP-848 smallest heartbeat interval.', { validate: positive }),
  def('group.consumer.max.heartbeat.interval.ms', 'int', '15000', 'KIP-848 largest heartbeat interval.', { validate: positive }),
  def('group.consumer.max.size', 'int', INT_MAX_TEXT, 'KIP-848 largest group size.', { validate: positive }),
  def('group.consumer.assignors', 'list', 'uniform,range', 'KIP-848 server-side assignors.'),
];

const transactions: ConfigDef[] = [
  def('transaction.state.log.num.partitions', 'int', '50', 'Partitions of __transaction_state.', { validate: positive }),
  def('transaction.state.log.replication.factor', 'short', '3', 'Replication factor of __transaction_state.', { validate: positive }),
  def('transaction.state.log.min.isr', 'int', '2', 'min.insync.replicas of __transaction_state.', { validate: positive }),
  def('transaction.state.log.segment.bytes', 'int', '104857600', 'Segment size of __transaction_state.', { validate: positive }),
  def('transaction.max.timeout.ms', 'int', '900000', 'Largest transaction timeout a producer may ask for.', { validate: positive }),
  def('transactional.id.expiration.ms', 'int', '604800000', 'Idle transactional ids expire after this.', { validate: positive }),
  def('transaction.abort.timed.out.transaction.cleanup.interval.ms', 'int', '10000', 'How often timed-out transactions are aborted.', { validate: positive }),
  def('transaction.remove.expired.transaction.cleanup.interval.ms', 'int', '3600000', 'How often expired transactional ids are removed.', { validate: positive }),
  def('producer.id.expiration.ms', 'int', '86400000', 'Idle producer ids expire after this.', { validate: nonNegative, ...CLUSTER }),
  def('transaction.partition.verification.enable', 'boolean', 'true', 'Verify partitions were added to a transaction before writes.', CLUSTER),
];

const security: ConfigDef[] = [
  def('sasl.enabled.mechanisms', 'list', 'GSSAPI', 'SASL mechanisms enabled (SASL arrives later).', { dynamic: 'per-broker' }),
  def('ssl.keystore.location', 'string', null, 'Keystore file (TLS arrives later).', { dynamic: 'per-broker' }),
  def('ssl.keystore.password', 'password', null, 'Keystore password.', { dynamic: 'per-broker', sensitive: true }),
  def('ssl.key.password', 'password', null, 'Private key password.', { dynamic: 'per-broker', sensitive: true }),
  def('ssl.truststore.location', 'string', null, 'Truststore file.', { dynamic: 'per-broker' }),
  def('ssl.truststore.password', 'password', null, 'Truststore password.', { dynamic: 'per-broker', sensitive: true }),
  def('ssl.client.auth', 'string', 'none', 'Client authentication: required, requested or none.',
    { validate: oneOf(['required', 'requested', 'none']), dynamic: 'per-broker' }),
  def('authorizer.class.name', 'string', '', 'Authorizer class (ACLs arrive later).'),
  def('super.users', 'string', null, 'Principals that bypass ACLs.'),
  def('allow.everyone.if.no.acl.found', 'boolean', 'false', 'Allow access to resources without ACLs.'),
];

/** Every broker config Rill knows, by name. */
export const brokerConfigDefs: ReadonlyMap<string, ConfigDef> = new Map(
  [...network, ...identity, ...log, ...groups, ...transactions, ...security].map((d) => [d.name, d]),
);

/** Broker configs that stand for the same setting, highest priority first (Kafka's synonyms). */
export const brokerSynonyms: Readonly<Record<string, readonly string[]>> = {
  'log.retention.ms': ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
  'log.roll.ms': ['log.roll.ms', 'log.roll.hours'],
  'log.roll.jitter.ms': ['log.roll.jitter.ms', 'log.roll.jitter.hours'],
  'log.flush.interval.ms': ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'],
  'node.id': ['node.id', 'broker.id'],
  'log.dirs': ['log.dirs', 'log.dir'],
};

