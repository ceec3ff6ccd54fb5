// Rill's client: producer, consumer, admin, and the pieces they share.
export { Producer, ProducerConfigError, type ProducerOptions, type Acks, type ProducerRecord, type RecordMetadata, type BatchMetadata } from './producer.js';
export { Consumer, ConsumedBatch, type ConsumerOptions, type ConsumerRecord, type Assignment, type RunOptions, type OffsetSpec } from './consumer.js';
export { Admin, type NewTopic, type ConfigEntry, type ConfigResourceType, type ConfigOperation } from './admin.js';
export { Cluster, parseHostPort, type ClientOptions, type TopicInfo, type PartitionInfo } from './cluster.js';
export { Connection, ApiKey, negotiateVersions, type ConnectionOptions } from './connection.js';
export { KafkaError, ConnectionError, isRetriable } from './errors.js';
export { murmur2, toPositive, partitionForKey, StickyPartitions } from './partitioner.js';
export { type TopicPartitionOffset } from './group-offsets.js';
export { type ListedOffset, type TopicPartitionSpec } from './offsets.js';
