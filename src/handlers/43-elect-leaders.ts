// ElectLeaders (api key 43), versions 0-2. This node leads every partition, so every election
// asked for answers success (departure from Kafka, which answers ELECTION_NOT_NEEDED when the
// preferred leader already leads). Unknown partitions: UNKNOWN_TOPIC_OR_PARTITION.
// topic_partitions null means every partition.
import { ErrorCode } from '../protocol/error-codes.js';
import { defaultElectLeadersResponse, type ElectLeadersRequest, type ElectLeadersResponse } from '../protocol/index.js';
import type { ApiHandler, BrokerState } from './types.js';

export const ELECT_LEADERS_KEY = 43;

function asked(broker: BrokerState, request: ElectLeadersRequest): { topic: string; partitions: number[] }[] {
  if (request.topicPartitions !== null) return request.topicPartitions;
  return broker.topics.list().map((t) => ({ topic: t.name, partitions: Array.from({ length: t.partitionCount }, (_, i) => i) }));
}

export const electLeadersHandler: ApiHandler<ElectLeadersRequest, ElectLeadersResponse> = {
  apiKey: ELECT_LEADERS_KEY,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, request) {
    const replicaElectionResults = asked(ctx.broker, request).map(({ topic, partitions }) => ({
      topic,
      partitionResult: partitions.map((partitionId) => {
        const known = ctx.broker.logs.get(topic, partitionId) !== undefined;
        return known
          ? { partitionId, errorCode: ErrorCode.NONE, errorMessage: null }
          : { partitionId, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.' };
      }),
    }));
    return { ...defaultElectLeadersResponse(), replicaElectionResults };
  },
};
