// Frames written by kafka-python (Debian python3-kafka 2.0.2, the client that still speaks the
// versions Kafka 4.0 removed): test/fixtures/protocol/kafka-python/make-fixtures.py captured its
// request frames (size prefix + header v1 + body, as its KafkaProtocol sends them) and response
// bodies. Rill's codecs must decode them to the values the script put in, and re-encode them to
// the same bytes.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decodeRequestFrame, encodeRequestFrame, getApi, type RequestHeader } from '../../../src/protocol/index.js';
import { packageRoot } from '../../../src/util/package-root.js';

const fixtures = JSON.parse(
  readFileSync(join(packageRoot(), 'test/fixtures/protocol/kafka-python/kafka-python.json'), 'utf8'),
) as { requestFrames: Record<string, string>; responseBodies: Record<string, string> };

const CLIENT_ID = 'kafka-python-fixture';

const expectedRequests: Record<string, { apiKey: number; version: number; body: object }> = {
  'ApiVersions v0': { apiKey: 18, version: 0, body: {} },
  'Metadata v0': { apiKey: 3, version: 0, body: { topics: [{ name: 'orders' }, { name: 'users' }] } },
  'Metadata v1 all topics': { apiKey: 3, version: 1, body: { topics: null } },
  'Produce v2': { apiKey: 0, version: 2, body: { acks: 1, timeoutMs: 1500, transactionalId: null, topicData: [{ name: 'orders', partitionData: [{ index: 3 }] }] } },
  'Produce v3': { apiKey: 0, version: 3, body: { acks: -1, timeoutMs: 2000, transactionalId: null, topicData: [{ name: 'orders', partitionData: [{ index: 0 }] }] } },
  'Fetch v3': {
    apiKey: 1, version: 3,
    body: { replicaId: -1, maxWaitMs: 500, minBytes: 1, maxBytes: 52428800, topics: [{ topic: 'orders', partitions: [{ partition: 3, fetchOffset: 42n, partitionMaxBytes: 1048576 }] }] },
  },
  'ListOffsets v0': { apiKey: 2, version: 0, body: { replicaId: -1, topics: [{ name: 'orders', partitions: [{ partitionIndex: 3, timestamp: -1n, maxNumOffsets: 1 }] }] } },
  'OffsetCommit v1': {
    apiKey: 8, version: 1,
    body: { groupId: 'g1', generationIdOrMemberEpoch: 5, memberId: 'member-1', topics: [{ name: 'orders', partitions: [{ partitionIndex: 3, committedOffset: 99n, commitTimestamp: 1700000000000n, committedMetadata: 'meta' }] }] },
  },
  'OffsetCommit v2': {
    apiKey: 8, version: 2,
    body: { groupId: 'g1', generationIdOrMemberEpoch: 5, memberId: 'member-1', retentionTimeMs: -1n, topics: [{ name: 'orders', partitions: [{ partitionIndex: 3, committedOffset: 99n, committedMetadata: 'meta' }] }] },
  },
  'OffsetFetch v1': { apiKey: 9, version: 1, body: { groupId: 'g1', topics: [{ name: 'orders', partitionIndexes: [3, 4] }] } },
  'FindCoordinator v0': { apiKey: 10, version: 0, body: { key: 'g1' } },
  'JoinGroup v0': {
    apiKey: 11, version: 0,
    body: { groupId: 'g1', sessionTimeoutMs: 10000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from('\0\0meta', 'latin1') }] },
  },
  'SyncGroup v0': { apiKey: 14, version: 0, body: { groupId: 'g1', generationId: 5, memberId: 'member-1', assignments: [{ memberId: 'member-1', assignment: Buffer.from('\0\0assign', 'latin1') }] } },
  'Heartbeat v0': { apiKey: 12, version: 0, body: { groupId: 'g1', generationId: 5, memberId: 'member-1' } },
  'LeaveGroup v0': { apiKey: 13, version: 0, body: { groupId: 'g1', memberId: 'member-1' } },
};

describe('kafka-python request frames', () => {
  test('every captured frame has an expectation', () => {
    expect(Object.keys(fixtures.requestFrames).sort()).toEqual(Object.keys(expectedRequests).sort());
  });

  for (const [name, expected] of Object.entries(expectedRequests)) {
    test(name, () => {
      const bytes = Buffer.from(fixtures.requestFrames[name]!, 'hex');
      expect(bytes.readInt32BE(0)).toBe(bytes.length - 4);
      const frame = decodeRequestFrame(bytes.subarray(4));
      expect(frame.api.apiKey).toBe(expected.apiKey);
      expect(frame.header).toMatchObject({ requestApiKey: expected.apiKey, requestApiVersion: expected.version, clientId: CLIENT_ID });
      expect(frame.body).toMatchObject(expected.body);
      const reencoded = Buffer.concat(encodeRequestFrame(frame.header as RequestHeader, frame.body));
      expect(reencoded.equals(bytes)).toBe(true);
    });
  }

  test('record sets stay byte-for-byte slices of the frame (magic 1 for Produce v2, magic 2 for v3)', () => {
    for (const [name, magic] of [['Produce v2', 1], ['Produce v3', 2]] as const) {
      const bytes = Buffer.from(fixtures.requestFrames[name]!, 'hex');
      const body = decodeRequestFrame(bytes.subarray(4)).body as { topicData: Array<{ partitionData: Array<{ records: Buffer }> }> };
      const records = body.topicData[0]!.partitionData[0]!.records;
      expect(records.buffer).toBe(bytes.buffer);
      expect(records[16]).toBe(magic);
      expect(bytes.indexOf(records)).toBeGreaterThan(0);
    }
  });
});

const expectedResponses: Record<string, { apiKey: number; version: number; body: object }> = {
  'ApiVersions v0': { apiKey: 18, version: 0, body: { errorCode: 0, apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 12 }, { apiKey: 3, minVersion: 0, maxVersion: 13 }] } },
  'Metadata v0': {
    apiKey: 3, version: 0,
    body: { brokers: [{ nodeId: 1, host: 'localhost', port: 9092 }], topics: [{ errorCode: 0, name: 'orders', partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1] }] }] },
  },
  'Metadata v1': {
    apiKey: 3, version: 1,
    body: { brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }], controllerId: 1, topics: [{ name: 'orders', isInternal: false }] },
  },
  'Produce v2': { apiKey: 0, version: 2, body: { responses: [{ name: 'orders', partitionResponses: [{ index: 3, errorCode: 0, baseOffset: 100n, logAppendTimeMs: -1n }] }], throttleTimeMs: 0 } },
  'Fetch v3': { apiKey: 1, version: 3, body: { throttleTimeMs: 0, responses: [{ topic: 'orders', partitions: [{ partitionIndex: 3, errorCode: 0, highWatermark: 200n }] }] } },
  'ListOffsets v0': { apiKey: 2, version: 0, body: { topics: [{ name: 'orders', partitions: [{ partitionIndex: 3, errorCode: 0, oldStyleOffsets: [200n, 0n] }] }] } },
};

describe('kafka-python response bodies', () => {
  for (const [name, expected] of Object.entries(expectedResponses)) {
    test(name, () => {
      const bytes = Buffer.from(fixtures.responseBodies[name]!, 'hex');
      const api = getApi(expected.apiKey)!;
      const body = api.decodeResponse(expected.version, bytes);
      expect(body).toMatchObject(expected.body);
      expect(api.encodeResponse(expected.version, body).equals(bytes)).toBe(true);
    });
  }
});
