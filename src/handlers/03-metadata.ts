// Metadata (api key 3), versions 0-13.
// Topics: all (null list, or an empty list in v0), by name, or by topic id (v10+). Unknown names
// are auto-created when auto.create.topics.enable is on and (v4+) allow_auto_topic_creation is
// set; invalid names get INVALID_TOPIC_EXCEPTION, unknown ids UNKNOWN_TOPIC_ID.
// A topic asked for twice is answered once, as Kafka does. The broker list has this node on the
// listener the request arrived on.
// __consumer_offsets and __transaction_state are auto-created by their coordinators (Kafka's
// offsets.topic.* and transaction.state.log.* partition counts and configs).
// Departure from Kafka: an auto-created topic is returned ready (error NONE) at once, not with
// LEADER_NOT_AVAILABLE, because creation here is synchronous.
import { ErrorCode } from '../protocol/error-codes.js';
import {
  defaultMetadataResponse,
  type MetadataRequest,
  type MetadataResponse,
  type MetadataResponseMetadataResponseBroker,
  type MetadataResponseMetadataResponsePartition,
  type MetadataResponseMetadataResponseTopic,
} from '../protocol/index.js';
import { autoCreateTopic } from './topic-admin.js';
import { isInternalTopic, topicNameProblem } from './topic-names.js';
import type { TopicMetadata } from './topic-store.js';
import type { ApiHandler, BrokerState, HandlerContext } from './types.js';
import { CloseConnection } from '../server/types.js';

export const METADATA_KEY = 3;
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
/** Versions 10-11 carry topic ids but Kafka rejects lookups by id (or null names) before v12. */
const TOPIC_ID_LOOKUP_MIN_VERSION = 12;
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
/** READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS (no authorizer yet). */
const TOPIC_OPERATIONS_ALL = [3, 4, 5, 6, 7, 8, 10, 11].reduce((bits, op) => bits | (1 << op), 0);
/** CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE, CREATE_TOKENS, DESCRIBE_TOKENS. */
const CLUSTER_OPERATIONS_ALL = [5, 7, 8, 9, 10, 11, 12, 13, 14].reduce((bits, op) => bits | (1 << op), 0);

function partitionsOf(broker: BrokerState, topic: TopicMetadata): MetadataResponseMetadataResponsePartition[] {
  return Array.from({ length: topic.partitionCount }, (_, partitionIndex) => ({
    errorCode: ErrorCode.NONE,
    partitionIndex,
    leaderId: broker.nodeId,
    leaderEpoch: broker.logs.get(topic.name, partitionIndex)?.leaderEpoch ?? 0,
    replicaNodes: [broker.nodeId],
    isrNodes: [broker.nodeId],
    offlineReplicas: [],
  }));
}

function describedTopic(broker: BrokerState, topic: TopicMetadata, withOperations: boolean): MetadataResponseMetadataResponseTopic {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.topicId,
    isInternal: isInternalTopic(topic.name),
    partitions: partitionsOf(broker, topic),
    topicAuthorizedOperations: withOperations ? TOPIC_OPERATIONS_ALL : AUTHORIZED_OPERATIONS_OMITTED,
  };
}

function failedTopic(name: string | null, topicId: string, errorCode: number): MetadataResponseMetadataResponseTopic {
  return { errorCode, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED };
}

/** Internal topics are created by their owners, with their own partition counts and configs. */
async function createInternalTopic(broker: BrokerState, name: string): Promise<TopicMetadata | undefined> {
  if (name === '__consumer_offsets') return broker.groups.offsetsTopic.ensure();
  if (name === '__transaction_state') return broker.txn.txnLog.ensure();
  return undefined;
}

function mayAutoCreate(broker: BrokerState, request: MetadataRequest, version: number): boolean {
  return broker.config.boolean('auto.create.topics.enable') && (version < 4 || request.allowAutoTopicCreation);
}

async function topicByName(ctx: HandlerContext, request: MetadataRequest, version: number, name: string): Promise<MetadataResponseMetadataResponseTopic> {
  const { broker } = ctx;
  const withOperations = request.includeTopicAuthorizedOperations;
  const existing = broker.topics.get(name);
  if (existing !== undefined) return describedTopic(broker, existing, withOperations);
  if (topicNameProblem(name) !== undefined) return failedTopic(name, ZERO_UUID, ErrorCode.INVALID_TOPIC_EXCEPTION);
  if (!mayAutoCreate(broker, request, version)) return failedTopic(name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const internal = await createInternalTopic(broker, name);
  if (internal !== undefined) return describedTopic(broker, internal, withOperations);
  const created = await autoCreateTopic(broker, name);
  if (created.topic === null) return failedTopic(name, ZERO_UUID, created.errorCode);
  return describedTopic(broker, created.topic, withOperations);
}

function topicById(broker: BrokerState, request: MetadataRequest, topicId: string): MetadataResponseMetadataResponseTopic {
  const topic = broker.topics.getById(topicId);
  if (topic === undefined) return failedTopic(null, topicId, ErrorCode.UNKNOWN_TOPIC_ID);
  return describedTopic(broker, topic, request.includeTopicAuthorizedOperations);
}

async function requestedTopics(ctx: HandlerContext, request: MetadataRequest, version: number): Promise<MetadataResponseMetadataResponseTopic[]> {
  const { broker } = ctx;
  const all = request.topics === null || (version === 0 && request.topics.length === 0);
  if (all) return broker.topics.list().map((t) => describedTopic(broker, t, request.includeTopicAuthorizedOperations));
  const topics: MetadataResponseMetadataResponseTopic[] = [];
  const seen = new Set<string>();
  for (const entry of request.topics!) {
    const byId = entry.name === null || (entry.name === '' && entry.topicId !== ZERO_UUID);
    if (byId && version < TOPIC_ID_LOOKUP_MIN_VERSION) throw new CloseConnection(`Metadata v${version}: topic ids are not supported before v12 (Kafka: InvalidRequestException)`);
    const key = byId ? `id:${entry.topicId}` : `name:${entry.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    topics.push(byId ? topicById(broker, request, entry.topicId) : await topicByName(ctx, request, version, entry.name!));
  }
  return topics;
}

function brokersFor(ctx: HandlerContext): MetadataResponseMetadataResponseBroker[] {
  const advertised = ctx.broker.advertisedListeners();
  const endpoint = advertised.find((l) => l.name === ctx.request.listenerName) ?? advertised[0]!;
  const rack = ctx.broker.config.optionalString('broker.rack');
  return [{ nodeId: ctx.broker.nodeId, host: endpoint.host, port: endpoint.port, rack }];
}

export const metadataHandler: ApiHandler<MetadataRequest, MetadataResponse> = {
  apiKey: METADATA_KEY,
  minVersion: 0,
  maxVersion: 13,
  async handle(ctx, request, version) {
    return {
      ...defaultMetadataResponse(),
      brokers: brokersFor(ctx),
      clusterId: ctx.broker.clusterId,
      controllerId: ctx.broker.nodeId,
      topics: await requestedTopics(ctx, request, version),
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? CLUSTER_OPERATIONS_ALL : AUTHORIZED_OPERATIONS_OMITTED,
    };
  },
};
