// DeleteTopics (api key 20), versions 0-6: by name (v0-5 topic_names, v6 topics[].name) and by
// topic id (v6). delete.topic.enable=false answers TOPIC_DELETION_DISABLED.
import { ErrorCode } from '../protocol/error-codes.js';
import {
  defaultDeleteTopicsResponse,
  type DeleteTopicsRequest,
  type DeleteTopicsResponse,
  type DeleteTopicsResponseDeletableTopicResult,
} from '../protocol/index.js';
import type { ApiHandler, BrokerState } from './types.js';

export const DELETE_TOPICS_KEY = 20;
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

type Result = DeleteTopicsResponseDeletableTopicResult;

function failure(name: string | null, topicId: string, errorCode: number, errorMessage: string): Result {
  return { name, topicId, errorCode, errorMessage };
}

async function deleteOne(broker: BrokerState, name: string | null, topicId: string): Promise<Result> {
  const byId = name === null || (name === '' && topicId !== ZERO_UUID);
  if (!byId && topicId !== ZERO_UUID) return failure(name, topicId, ErrorCode.INVALID_REQUEST, 'Give a topic name or a topic id, not both.');
  const topic = byId ? broker.topics.getById(topicId) : broker.topics.get(name!);
  if (topic === undefined) {
    return byId
      ? failure(null, topicId, ErrorCode.UNKNOWN_TOPIC_ID, 'This server does not host this topic ID.')
      : failure(name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
  }
  if (!broker.config.boolean('delete.topic.enable')) {
    return failure(topic.name, topic.topicId, ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.');
  }
  await broker.topics.delete(topic.name);
  broker.log(`rill: deleted topic ${topic.name}`);
  return { name: topic.name, topicId: topic.topicId, errorCode: ErrorCode.NONE, errorMessage: null };
}

export const deleteTopicsHandler: ApiHandler<DeleteTopicsRequest, DeleteTopicsResponse> = {
  apiKey: DELETE_TOPICS_KEY,
  minVersion: 0,
  maxVersion: 6,
  async handle(ctx, request, version) {
    const asked: [string | null, string][] =
      version >= 6 ? request.topics.map((t) => [t.name, t.topicId]) : request.topicNames.map((name) => [name, ZERO_UUID]);
    const responses: Result[] = [];
    for (const [name, topicId] of asked) responses.push(await deleteOne(ctx.broker, name, topicId));
    return { ...defaultDeleteTopicsResponse(), responses };
  },
};
