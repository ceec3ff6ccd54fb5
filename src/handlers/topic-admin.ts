// Topic creation shared by CreateTopics, Metadata (auto-create) and Produce (auto-create):
// Kafka's checks and error codes, in Kafka's order.
import { ConfigError } from '../config/errors.js';
import { parseTopicOverride, TopicConfig, type TopicOverride } from '../config/topic-config.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { topicNameProblem } from './topic-names.js';
import { PARTITIONS_PER_TOPIC_MAX, type TopicMetadata } from './topic-store.js';
import type { BrokerState } from './types.js';

export interface CreateTopicRequest {
  name: string;
  /** -1 = num.partitions. */
  numPartitions: number;
  /** -1 = default.replication.factor. */
  replicationFactor: number;
  /** Manual assignment: partition index -> broker ids. */
  assignments: { partitionIndex: number; brokerIds: number[] }[];
  configs: [string, string | null][];
  validateOnly: boolean;
}

export interface CreateTopicResult {
  errorCode: number;
  errorMessage: string | null;
  topic: TopicMetadata | null;
  /** The topic's resolved config (also for validate_only); null on error. */
  config: TopicConfig | null;
  /** What the topic has or would have (also for validate_only). */
  numPartitions: number;
  replicationFactor: number;
}

class CreateTopicFailure extends Error {
  constructor(readonly errorCode: number, message: string) {
    super(message);
  }
}

/** Kafka forbids names that differ only by '.' vs '_' (they collide in metric names). */
function collidingTopic(broker: BrokerState, name: string): string | undefined {
  const normalized = name.replace(/\./g, '_');
  return broker.topics.list().find((t) => t.name !== name && t.name.replace(/\./g, '_') === normalized)?.name;
}

function checkName(broker: BrokerState, name: string): void {
  const problem = topicNameProblem(name);
  if (problem !== undefined) throw new CreateTopicFailure(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
  if (broker.topics.get(name) !== undefined) throw new CreateTopicFailure(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
  const collision = collidingTopic(broker, name);
  if (collision !== undefined) {
    throw new CreateTopicFailure(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${name}' collides with existing topic: ${collision}`);
  }
}

function resolvePartitions(broker: BrokerState, request: CreateTopicRequest): number {
  if (request.assignments.length > 0) return request.assignments.length;
  const count = request.numPartitions === -1 ? broker.config.number('num.partitions') : request.numPartitions;
  if (count <= 0) throw new CreateTopicFailure(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
  if (count > PARTITIONS_PER_TOPIC_MAX) {
    throw new CreateTopicFailure(ErrorCode.INVALID_PARTITIONS, `Number of partitions must be at most ${PARTITIONS_PER_TOPIC_MAX}.`);
  }
  return count;
}

function resolveReplicationFactor(broker: BrokerState, request: CreateTopicRequest): number {
  if (request.assignments.length > 0) return checkAssignments(broker, request);
  const factor = request.replicationFactor === -1 ? broker.config.number('default.replication.factor') : request.replicationFactor;
  if (factor <= 0) throw new CreateTopicFailure(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.');
  if (factor > 1) {
    throw new CreateTopicFailure(ErrorCode.INVALID_REPLICATION_FACTOR,
      `Unable to replicate the partition ${factor} time(s): The target replication factor of ${factor} cannot be reached because only 1 broker(s) are registered.`);
  }
  return factor;
}

function checkAssignments(broker: BrokerState, request: CreateTopicRequest): number {
  if (request.numPartitions !== -1 || request.replicationFactor !== -1) {
    throw new CreateTopicFailure(ErrorCode.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.');
  }
  const indexes = request.assignments.map((a) => a.partitionIndex).sort((a, b) => a - b);
  if (indexes.some((index, i) => index !== i)) {
    throw new CreateTopicFailure(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Partitions should be a consecutive 0-based integer sequence');
  }
  for (const { brokerIds } of request.assignments) {
    if (brokerIds.length !== 1 || brokerIds[0] !== broker.nodeId) {
      throw new CreateTopicFailure(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Replica assignment ${JSON.stringify(brokerIds)} names brokers that are not registered (only ${broker.nodeId} is).`);
    }
  }
  return 1;
}

function parseConfigs(configs: [string, string | null][]): Map<string, TopicOverride> {
  const overrides = new Map<string, TopicOverride>();
  for (const [name, text] of configs) {
    try {
      overrides.set(name, parseTopicOverride(name, text));
    } catch (err) {
      if (err instanceof ConfigError) throw new CreateTopicFailure(ErrorCode.INVALID_CONFIG, err.message);
      throw err;
    }
  }
  return overrides;
}

/** Validates and (unless validate_only) creates the topic; never throws for bad input. */
export async function createTopic(broker: BrokerState, request: CreateTopicRequest): Promise<CreateTopicResult> {
  try {
    checkName(broker, request.name);
    const numPartitions = resolvePartitions(broker, request);
    const replicationFactor = resolveReplicationFactor(broker, request);
    const overrides = parseConfigs(request.configs);
    const topic = request.validateOnly ? null : await broker.topics.create(request.name, numPartitions, replicationFactor, overrides);
    if (topic !== null) broker.log(`rill: created topic ${request.name} with ${numPartitions} partition(s)`);
    const config = topic?.config ?? new TopicConfig(broker.config, overrides);
    return { errorCode: ErrorCode.NONE, errorMessage: null, topic, config, numPartitions, replicationFactor };
  } catch (err) {
    if (!(err instanceof CreateTopicFailure)) throw err;
    return { errorCode: err.errorCode, errorMessage: err.message, topic: null, config: null, numPartitions: -1, replicationFactor: -1 };
  }
}

/** Auto-creation for Metadata and Produce: num.partitions and default.replication.factor. */
export function autoCreateTopic(broker: BrokerState, name: string): Promise<CreateTopicResult> {
  return createTopic(broker, { name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [], validateOnly: false });
}
