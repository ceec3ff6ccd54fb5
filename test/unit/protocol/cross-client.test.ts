// Independent checks of the generated codecs against the encoders and decoders of two real
// clients (npm dev dependencies): @platformatic/kafka for flexible versions, kafkajs for the old
// non-flexible ones, including legacy versions Kafka 4.0 removed (Metadata v0, Produce v2,
// ListOffsets v0, OffsetCommit v1, JoinGroup v0, Fetch v3).

import { createRequire } from 'node:module';
import * as platformatic from '@platformatic/kafka';
import { describe, expect, test } from 'vitest';
import {
  ApiKeys,
  apiVersionsApi,
  fetchApi,
  findCoordinatorApi,
  getApi,
  joinGroupApi,
  listOffsetsApi,
  metadataApi,
  offsetCommitApi,
  produceApi,
  type FetchResponse,
  type MetadataResponse,
} from '../../../src/protocol/index.js';

const require = createRequire(import.meta.url);
const kafkajsRequest = (path: string): ((args: object) => { encode(): Promise<{ buffer: Buffer }> }) =>
  require(`kafkajs/src/protocol/requests/${path}/request`);
const kafkajsResponse = (path: string): { decode(b: Buffer): Promise<unknown>; parse(x: unknown): Promise<unknown> } =>
  require(`kafkajs/src/protocol/requests/${path}/response`);

interface PlatformaticWriter {
  buffer: Buffer;
}
type PlatformaticApi = {
  createRequest: (...args: unknown[]) => PlatformaticWriter;
  parseResponse: (correlationId: number, apiKey: number, apiVersion: number, reader: unknown) => unknown;
};
const pf = platformatic as unknown as Record<string, PlatformaticApi> & { Reader: { from(b: Buffer): unknown } };

const TOPIC_ID = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

describe('@platformatic/kafka (flexible versions)', () => {
  test('ApiVersions v4 request decodes; our response parses', () => {
    const bytes = pf['apiVersionsV4']!.createRequest('rill-test', '1.2.3').buffer;
    expect(apiVersionsApi.decodeRequest(4, bytes)).toEqual({
      clientSoftwareName: 'rill-test',
      clientSoftwareVersion: '1.2.3',
      unknownTaggedFields: undefined,
    });
    const response = apiVersionsApi.encodeResponse(4, {
      errorCode: 0,
      apiKeys: [
        { apiKey: 0, minVersion: 0, maxVersion: 12 },
        { apiKey: 18, minVersion: 0, maxVersion: 4 },
      ],
      throttleTimeMs: 5,
      supportedFeatures: [{ name: 'metadata.version', minVersion: 1, maxVersion: 20 }],
      finalizedFeaturesEpoch: 7n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    });
    const parsed = pf['apiVersionsV4']!.parseResponse(1, 18, 4, pf.Reader.from(response)) as Record<string, unknown>;
    expect(parsed['errorCode']).toBe(0);
    expect(parsed['throttleTimeMs']).toBe(5);
    expect(parsed['apiKeys']).toMatchObject([
      { apiKey: 0, minVersion: 0, maxVersion: 12 },
      { apiKey: 18, minVersion: 0, maxVersion: 4 },
    ]);
  });

  test('Metadata v12 request decodes; our response parses', () => {
    const bytes = pf['metadataV12']!.createRequest(['orders', 'users'], true, false).buffer;
    const request = metadataApi.decodeRequest(12, bytes);
    expect(request.topics?.map((t) => t.name)).toEqual(['orders', 'users']);
    expect(request.topics?.[0]?.topicId).toBe('AAAAAAAAAAAAAAAAAAAAAA');
    expect(request.allowAutoTopicCreation).toBe(true);
    const response: MetadataResponse = {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }],
      clusterId: 'rill-cluster',
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: 'orders',
          topicId: TOPIC_ID.toString('base64url'),
          isInternal: false,
          partitions: [
            { errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 3, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] },
          ],
          topicAuthorizedOperations: -2147483648,
        },
      ],
      clusterAuthorizedOperations: -2147483648,
      errorCode: 0,
    };
    const parsed = pf['metadataV12']!.parseResponse(1, 3, 12, pf.Reader.from(metadataApi.encodeResponse(12, response)));
    expect(parsed).toMatchObject({
      brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }],
      clusterId: 'rill-cluster',
      controllerId: 1,
      topics: [
        {
          name: 'orders',
          topicId: '00112233-4455-6677-8899-aabbccddeeff',
          partitions: [{ partitionIndex: 0, leaderId: 1, leaderEpoch: 3, replicaNodes: [1], isrNodes: [1] }],
        },
      ],
    });
  });

  test('Produce v9 request decodes with the record batch kept as a slice', () => {
    const writer = pf['produceV9']!.createRequest(-1, 1500, [
      { topic: 'orders', partition: 2, key: Buffer.from('k'), value: Buffer.from('v1') },
      { topic: 'orders', partition: 2, key: Buffer.from('k'), value: Buffer.from('v2') },
    ]);
    const bytes = writer.buffer;
    const request = produceApi.decodeRequest(9, bytes);
    expect(request.acks).toBe(-1);
    expect(request.timeoutMs).toBe(1500);
    expect(request.transactionalId).toBe(null);
    const partition = request.topicData[0]!.partitionData[0]!;
    expect(request.topicData[0]!.name).toBe('orders');
    expect(partition.index).toBe(2);
    const records = partition.records!;
    // A v2 batch: batchLength at offset 8 covers the rest; magic at offset 16 is 2.
    expect(records.readInt32BE(8) + 12).toBe(records.length);
    expect(records[16]).toBe(2);
    expect(records.buffer).toBe(bytes.buffer); // a view of the frame, not a copy
  });

  test('Fetch v17 request decodes; our response parses', () => {
    const topicIdText = '00112233-4455-6677-8899-aabbccddeeff';
    const bytes = pf['fetchV17']!.createRequest(500, 1, 1048576, 0, 0, -1, [
      { topicId: topicIdText, partitions: [{ partition: 3, currentLeaderEpoch: 2, fetchOffset: 42n, lastFetchedEpoch: -1, partitionMaxBytes: 65536 }] },
    ], [], 'rack-a').buffer;
    const request = fetchApi.decodeRequest(17, bytes);
    expect(request.maxWaitMs).toBe(500);
    expect(request.rackId).toBe('rack-a');
    expect(request.topics[0]!.topicId).toBe(TOPIC_ID.toString('base64url'));
    expect(request.topics[0]!.partitions[0]).toMatchObject({ partition: 3, currentLeaderEpoch: 2, fetchOffset: 42n, partitionMaxBytes: 65536 });
    const response: FetchResponse = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 9,
      responses: [
        {
          topic: '',
          topicId: TOPIC_ID.toString('base64url'),
          partitions: [
            {
              partitionIndex: 3,
              errorCode: 0,
              highWatermark: 100n,
              lastStableOffset: 100n,
              logStartOffset: 0n,
              divergingEpoch: { epoch: -1, endOffset: -1n },
              currentLeader: { leaderId: 1, leaderEpoch: 2 },
              snapshotId: { endOffset: -1n, epoch: -1 },
              abortedTransactions: [{ producerId: 5n, firstOffset: 7n }],
              preferredReadReplica: -1,
              records: Buffer.alloc(0),
            },
          ],
        },
      ],
      nodeEndpoints: [],
    };
    const parsed = pf['fetchV17']!.parseResponse(1, 1, 17, pf.Reader.from(fetchApi.encodeResponse(17, response)));
    expect(parsed).toMatchObject({
      sessionId: 9,
      responses: [
        {
          topicId: topicIdText,
          partitions: [
            { partitionIndex: 3, highWatermark: 100n, lastStableOffset: 100n, abortedTransactions: [{ producerId: 5n, firstOffset: 7n }] },
          ],
        },
      ],
    });
  });

  test('JoinGroup v9 and FindCoordinator v6 requests decode', () => {
    const join = pf['joinGroupV9']!.createRequest('g1', 30000, 60000, '', null, 'consumer', [
      { name: 'range', metadata: Buffer.from([0, 3, 1]) },
    ], 'why not').buffer;
    expect(joinGroupApi.decodeRequest(9, join)).toMatchObject({
      groupId: 'g1',
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: 60000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.from([0, 3, 1]) }],
      reason: 'why not',
    });
    const find = pf['findCoordinatorV6']!.createRequest(0, ['g1', 'g2']).buffer;
    expect(findCoordinatorApi.decodeRequest(6, find)).toMatchObject({ keyType: 0, coordinatorKeys: ['g1', 'g2'] });
  });
});

describe('kafkajs (non-flexible and legacy versions)', () => {
  test('Metadata v0 (legacy) request decodes; our response decodes in kafkajs', async () => {
    const encoder = await kafkajsRequest('metadata/v0')({ topics: ['a', 'bb'] }).encode();
    expect(metadataApi.decodeRequest(0, encoder.buffer).topics).toEqual([{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'a' }, { topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'bb' }]);
    const response = metadataApi.encodeResponse(0, {
      ...metadataApi.decodeResponse(0, metadataApi.encodeResponse(0, emptyMetadataResponse())),
      brokers: [{ nodeId: 0, host: 'h', port: 9092, rack: null }],
      topics: [
        {
          errorCode: 0, name: 'a', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', isInternal: false, topicAuthorizedOperations: -2147483648,
          partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 0, leaderEpoch: -1, replicaNodes: [0], isrNodes: [0], offlineReplicas: [] }],
        },
      ],
    });
    const decoded = await kafkajsResponse('metadata/v0').decode(response);
    expect(decoded).toMatchObject({
      brokers: [{ nodeId: 0, host: 'h', port: 9092 }],
      topicMetadata: [{ topicErrorCode: 0, topic: 'a', partitionMetadata: [{ partitionId: 0, leader: 0, replicas: [0], isr: [0] }] }],
    });
  });

  test('Produce v2 (legacy) request decodes with the message set kept as bytes', async () => {
    const encoder = await kafkajsRequest('produce/v2')({
      acks: 1,
      timeout: 1000,
      topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v', timestamp: 1 }] }] }],
    }).encode();
    const request = produceApi.decodeRequest(2, encoder.buffer);
    expect(request.acks).toBe(1);
    expect(request.transactionalId).toBe(null);
    const records = request.topicData[0]!.partitionData[0]!.records!;
    // A magic v1 message set entry: offset int64, size int32, crc, magic byte 1.
    expect(records.readInt32BE(8) + 12).toBe(records.length);
    expect(records[16]).toBe(1);
  });

  test('ListOffsets v0 and OffsetCommit v1 (fields Kafka 4.0 deleted) decode', async () => {
    const list = await kafkajsRequest('listOffsets/v0')({
      replicaId: -1,
      topics: [{ topic: 't', partitions: [{ partition: 1, timestamp: -1 }] }],
    }).encode();
    const listRequest = listOffsetsApi.decodeRequest(0, list.buffer);
    expect(listRequest.replicaId).toBe(-1);
    expect(listRequest.topics[0]!.partitions[0]).toMatchObject({ partitionIndex: 1, timestamp: -1n });
    expect(listRequest.topics[0]!.partitions[0]!.maxNumOffsets).toBeGreaterThan(0);
    const commit = await kafkajsRequest('offsetCommit/v1')({
      groupId: 'g',
      groupGenerationId: 4,
      memberId: 'm',
      topics: [{ topic: 't', partitions: [{ partition: 0, offset: '17', timestamp: 1234, metadata: 'md' }] }],
    }).encode();
    const commitRequest = offsetCommitApi.decodeRequest(1, commit.buffer);
    expect(commitRequest).toMatchObject({ groupId: 'g', generationIdOrMemberEpoch: 4, memberId: 'm' });
    expect(commitRequest.topics[0]!.partitions[0]).toMatchObject({
      partitionIndex: 0, committedOffset: 17n, commitTimestamp: 1234n, committedMetadata: 'md',
    });
  });

  test('JoinGroup v0 (legacy) request decodes; Fetch v3 (legacy) response decodes in kafkajs', async () => {
    const join = await kafkajsRequest('joinGroup/v0')({
      groupId: 'g', sessionTimeout: 10000, memberId: '', protocolType: 'consumer',
      groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from('abc') }],
    }).encode();
    expect(joinGroupApi.decodeRequest(0, join.buffer)).toMatchObject({
      groupId: 'g', sessionTimeoutMs: 10000, rebalanceTimeoutMs: -1, memberId: '', protocolType: 'consumer',
      protocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from('abc') }],
    });
    const fetchResponse = fetchApi.encodeResponse(3, {
      ...fetchApi.decodeResponse(3, fetchApi.encodeResponse(3, { ...emptyFetchResponse() })),
      throttleTimeMs: 3,
      responses: [{ topic: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [fetchPartition(0, 10n)] }],
    });
    const decoded = await kafkajsResponse('fetch/v3').decode(fetchResponse);
    expect(decoded).toMatchObject({
      throttleTime: 3,
      responses: [{ topicName: 't', partitions: [{ partition: 0, errorCode: 0, highWatermark: '10' }] }],
    });
  });
});

describe('registry', () => {
  test('getApi and ApiKeys agree with the typed descriptors', () => {
    expect(getApi(ApiKeys.Produce)).toBe(produceApi);
    expect(getApi(ApiKeys.Fetch)).toBe(fetchApi);
    expect(produceApi.minVersion).toBe(0);
    expect(metadataApi.minVersion).toBe(0);
    expect(fetchApi.firstFlexibleVersion).toBe(12);
    expect(getApi(9999)).toBeUndefined();
  });
});

function emptyMetadataResponse(): MetadataResponse {
  return { throttleTimeMs: 0, brokers: [], clusterId: null, controllerId: -1, topics: [], clusterAuthorizedOperations: -2147483648, errorCode: 0 };
}

function emptyFetchResponse(): FetchResponse {
  return { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [], nodeEndpoints: [] };
}

function fetchPartition(partitionIndex: number, highWatermark: bigint): FetchResponse['responses'][number]['partitions'][number] {
  return {
    partitionIndex, errorCode: 0, highWatermark, lastStableOffset: -1n, logStartOffset: -1n,
    divergingEpoch: { epoch: -1, endOffset: -1n }, currentLeader: { leaderId: -1, leaderEpoch: -1 },
    snapshotId: { endOffset: -1n, epoch: -1 }, abortedTransactions: null, preferredReadReplica: -1, records: Buffer.alloc(0),
  };
}
