// CreateTopics (api key 19), versions 0-7.
// Partitions and replication factor (-1 = broker defaults; a single node serves factor 1),
// manual assignments naming this node, topic configs validated (INVALID_CONFIG), validate_only.
// A name asked for twice gets INVALID_REQUEST for each entry, as Kafka answers.
// v5+ answers carry the partition count, replication factor and every config of the topic.
import { ErrorCode } from '../protocol/error-codes.js';
import {
  defaultCreateTopicsResponse,
  type CreateTopicsRequest,
  type CreateTopicsRequestCreatableTopic,
  type CreateTopicsResponse,
  type CreateTopicsResponseCreatableTopicResult,
} from '../protocol/index.js';
import { createTopic, type CreateTopicResult } from './topic-admin.js';
import type { ApiHandler, BrokerState } from './types.js';

export const CREATE_TOPICS_KEY = 19;
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

function resultEntry(name: string, result: CreateTopicResult): CreateTopicsResponseCreatableTopicResult {
  const configs = result.config?.describe(false).map((c) => ({
    name: c.name, value: c.value, readOnly: c.readOnly, configSource: c.source, isSensitive: c.isSensitive,
  }));
  return {
    name,
    topicId: result.topic?.topicId ?? ZERO_UUID,
    errorCode: result.errorCode,
    errorMessage: result.errorMessage,
    topicConfigErrorCode: ErrorCode.NONE,
    numPartitions: result.numPartitions,
    replicationFactor: result.replicationFactor,
    configs: configs ?? null,
  };
}

function duplicateEntry(name: string): CreateTopicsResponseCreatableTopicResult {
  return resultEntry(name, {
    errorCode: ErrorCode.INVALID_REQUEST,
    errorMessage: `Create topics request contains multiple entries for the topic ${name}`,
    topic: null, config: null, numPartitions: -1, replicationFactor: -1,
  });
}

function createOne(broker: BrokerState, topic: CreateTopicsRequestCreatableTopic, validateOnly: boolean): Promise<CreateTopicResult> {
  return createTopic(broker, {
    name: topic.name,
    numPartitions: topic.numPartitions,
    replicationFactor: topic.replicationFactor,
    assignments: topic.assignments,
    configs: topic.configs.map((c) => [c.name, c.value]),
    validateOnly,
  });
}

function nameCounts(topics: CreateTopicsRequestCreatableTopic[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const topic of topics) counts.set(topic.name, (counts.get(topic.name) ?? 0) + 1);
  return counts;
}

export const createTopicsHandler: ApiHandler<CreateTopicsRequest, CreateTopicsResponse> = {
  apiKey: CREATE_TOPICS_KEY,
  minVersion: 0,
  maxVersion: 7,
  async handle(ctx, request) {
    const counts = nameCounts(request.topics);
    const topics: CreateTopicsResponseCreatableTopicResult[] = [];
    for (const topic of request.topics) {
      const duplicate = counts.get(topic.name)! > 1;
      topics.push(duplicate ? duplicateEntry(topic.name) : resultEntry(topic.name, await createOne(ctx.broker, topic, request.validateOnly)));
    }
    return { ...defaultCreateTopicsResponse(), topics };
  },
};
