// CreatePartitions (api key 37), versions 0-3. One result per topic asked about. The new count
// must exceed the current one (INVALID_PARTITIONS otherwise); manual assignments must name this
// node only (INVALID_REPLICA_ASSIGNMENT); a topic named twice gets INVALID_REQUEST.
import { ErrorCode } from '../protocol/error-codes.js';
import {
  defaultCreatePartitionsResponse,
  type CreatePartitionsRequest,
  type CreatePartitionsRequestCreatePartitionsTopic,
  type CreatePartitionsResponse,
  type CreatePartitionsResponseCreatePartitionsTopicResult,
} from '../protocol/index.js';
import { PARTITIONS_PER_TOPIC_MAX } from './topic-store.js';
import type { ApiHandler, BrokerState } from './types.js';

export const CREATE_PARTITIONS_KEY = 37;

type Result = CreatePartitionsResponseCreatePartitionsTopicResult;

function result(name: string, errorCode: number, errorMessage: string | null): Result {
  return { name, errorCode, errorMessage };
}

function assignmentProblem(broker: BrokerState, topic: CreatePartitionsRequestCreatePartitionsTopic, added: number): string | undefined {
  if (topic.assignments === null) return undefined;
  if (topic.assignments.length !== added) return `Increasing the number of partitions by ${added} but ${topic.assignments.length} assignments provided.`;
  const bad = topic.assignments.find((a) => a.brokerIds.length !== 1 || a.brokerIds[0] !== broker.nodeId);
  return bad === undefined ? undefined : `Unknown broker(s) in replica assignment: ${bad.brokerIds.join(', ')}.`;
}

async function growOne(broker: BrokerState, topic: CreatePartitionsRequestCreatePartitionsTopic, validateOnly: boolean): Promise<Result> {
  const existing = broker.topics.get(topic.name);
  if (existing === undefined) return result(topic.name, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
  const current = existing.partitionCount;
  if (topic.count === current) return result(topic.name, ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partitions.`);
  if (topic.count < current) {
    return result(topic.name, ErrorCode.INVALID_PARTITIONS, `Topic currently has ${current} partitions, which is higher than the requested ${topic.count}.`);
  }
  if (topic.count > PARTITIONS_PER_TOPIC_MAX) return result(topic.name, ErrorCode.INVALID_PARTITIONS, `Number of partitions must be at most ${PARTITIONS_PER_TOPIC_MAX}.`);
  const problem = assignmentProblem(broker, topic, topic.count - current);
  if (problem !== undefined) return result(topic.name, ErrorCode.INVALID_REPLICA_ASSIGNMENT, problem);
  if (!validateOnly) await broker.topics.setPartitionCount(topic.name, topic.count);
  return result(topic.name, ErrorCode.NONE, null);
}

export const createPartitionsHandler: ApiHandler<CreatePartitionsRequest, CreatePartitionsResponse> = {
  apiKey: CREATE_PARTITIONS_KEY,
  minVersion: 0,
  maxVersion: 3,
  async handle(ctx, request) {
    const counts = new Map<string, number>();
    for (const topic of request.topics) counts.set(topic.name, (counts.get(topic.name) ?? 0) + 1);
    const results: Result[] = [];
    for (const topic of request.topics) {
      const duplicate = counts.get(topic.name)! > 1;
      results.push(duplicate ? result(topic.name, ErrorCode.INVALID_REQUEST, 'Duplicate topic in request.') : await growOne(ctx.broker, topic, request.validateOnly));
    }
    return { ...defaultCreatePartitionsResponse(), results };
  },
};
