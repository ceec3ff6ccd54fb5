// Golden captures: request frames real clients sent to a Rill broker through the capture proxy
// (scripts/capture-frames.mjs), committed under test/fixtures/captures/<client>/. Every frame must
// decode with the generated decoders to the values the session used (client id, topic, group,
// partitions, acks, record keys/values/timestamps, subscription metadata) and re-encode to the
// identical bytes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  dataMessages,
  decodeRequestFrame,
  encodeRequestFrame,
  type ApiVersionsRequest,
  type ConsumerProtocolSubscription,
  type CreateTopicsRequest,
  type FetchRequest,
  type FindCoordinatorRequest,
  type JoinGroupRequest,
  type ListOffsetsRequest,
  type MetadataRequest,
  type ProduceRequest,
} from '../../../src/protocol/index.js';
import { iterateBatches, readBatchRecords } from '../../../src/protocol/records/index.js';
import { packageRoot } from '../../../src/util/package-root.js';

interface IndexEntry { file: string; apiKey: number; apiName: string; apiVersion: number; correlationId: number; bytes: number }
interface CaptureIndex { client: string; frames: IndexEntry[] }

const CAPTURES = join(packageRoot(), 'test/fixtures/captures');
const T0 = 1_700_000_000_000;

/** What each client's session (scripts/capture-frames.mjs, scripts/capture-session.py) did. */
interface Expected {
  acks: number;
  softwareName: string | null;
  timestamps: boolean;
  createsTopic: boolean;
  headers: boolean;
  /** Fetch v13+ addresses topics by id. */
  fetchByTopicId: boolean;
  /** Starting from the earliest offset without a committed one, it never sends OffsetFetch. */
  offsetFetch: boolean;
  /**
   * The ConsumerProtocolSubscription version the bytes really follow when it differs from the
   * declared one (@platformatic/kafka 1.35 declares v1 but writes the v0 fields only).
   */
  subscriptionBodyVersion?: number;
}
const EXPECTED: Record<string, Expected> = {
  kafkajs: { acks: -1, softwareName: null, timestamps: true, createsTopic: true, headers: true, fetchByTopicId: false, offsetFetch: true },
  kcat: { acks: -1, softwareName: 'librdkafka', timestamps: false, createsTopic: false, headers: true, fetchByTopicId: false, offsetFetch: true },
  'confluent-kafka': { acks: -1, softwareName: 'confluent-kafka-python', timestamps: true, createsTopic: true, headers: true, fetchByTopicId: false, offsetFetch: true },
  'kafka-python': { acks: 1, softwareName: null, timestamps: true, createsTopic: true, headers: true, fetchByTopicId: false, offsetFetch: true },
  'platformatic-kafka': { acks: -1, softwareName: 'platformatic-kafka', timestamps: true, createsTopic: true, headers: true, fetchByTopicId: true, offsetFetch: false, subscriptionBodyVersion: 0 },
};

const clients = readdirSync(CAPTURES).filter((c) => EXPECTED[c] !== undefined).sort();

function load(client: string): Array<IndexEntry & { frame: Buffer; decoded: ReturnType<typeof decodeRequestFrame> }> {
  const index = JSON.parse(readFileSync(join(CAPTURES, client, 'index.json'), 'utf8')) as CaptureIndex;
  return index.frames.map((entry) => {
    const frame = readFileSync(join(CAPTURES, client, entry.file));
    return { ...entry, frame, decoded: decodeRequestFrame(frame) };
  });
}

describe('golden captures', () => {
  it('has captures of every client', () => {
    expect(clients).toEqual(['confluent-kafka', 'kafka-python', 'kafkajs', 'kcat', 'platformatic-kafka']);
  });

  for (const client of clients) {
    describe(client, () => {
      const frames = load(client);
      const topic = `golden-${client}`;
      const group = `golden-${client}-group`;
      const expected = EXPECTED[client]!;
      const bodies = <T>(apiKey: number) => frames.filter((f) => f.apiKey === apiKey).map((f) => f.decoded.body as T);

      it('every frame decodes to its indexed api/version and client id, and re-encodes byte for byte', () => {
        expect(frames.length).toBeGreaterThan(10);
        for (const f of frames) {
          expect(f.frame.length).toBe(f.bytes);
          expect(f.decoded.header).toMatchObject({ requestApiKey: f.apiKey, requestApiVersion: f.apiVersion, correlationId: f.correlationId, clientId: `golden-${client}` });
          expect(f.decoded.api.name).toBe(f.apiName);
          const reencoded = Buffer.concat(encodeRequestFrame(f.decoded.header, f.decoded.body)).subarray(4);
          expect(reencoded.equals(f.frame), f.file).toBe(true);
        }
      });

      it('the session covered metadata, produce, fetch, list offsets and a group join', () => {
        const apis = new Set(frames.map((f) => f.apiName));
        for (const name of ['ApiVersions', 'Metadata', 'Produce', 'Fetch', 'ListOffsets', 'FindCoordinator', 'JoinGroup', 'SyncGroup', 'LeaveGroup']) {
          expect(apis.has(name), name).toBe(true);
        }
        expect(apis.has('OffsetFetch')).toBe(expected.offsetFetch);
        if (expected.createsTopic) expect(apis.has('CreateTopics')).toBe(true);
        expect(frames[0]!.apiName).toBe('ApiVersions');
      });

      it('ApiVersions names the client software where the version carries it', () => {
        const [first] = bodies<ApiVersionsRequest>(18);
        if (expected.softwareName === null) return;
        expect(first!.clientSoftwareName).toBe(expected.softwareName);
        expect(first!.clientSoftwareVersion).toMatch(/^\d+\.\d+/);
      });

      it('Metadata asks for the session topic (or all topics)', () => {
        const metadata = bodies<MetadataRequest>(3);
        expect(metadata.some((m) => m.topics?.some((t) => t.name === topic))).toBe(true);
        for (const m of metadata) expect(m.topics === null || m.topics.every((t) => typeof t.name === 'string')).toBe(true);
      });

      it.skipIf(!expected.createsTopic)('CreateTopics creates the session topic with 2 partitions', () => {
        const [create] = bodies<CreateTopicsRequest>(19);
        expect(create!.topics.map((t) => [t.name, t.numPartitions])).toEqual([[topic, 2]]);
        expect([1, -1]).toContain(create!.topics[0]!.replicationFactor);
        expect(create!.timeoutMs).toBeGreaterThan(0);
      });

      it('Produce carries the acks and the records the session sent', () => {
        const produces = bodies<ProduceRequest>(0);
        expect(produces.every((p) => p.acks === expected.acks)).toBe(true);
        const first = produces[0]!;
        expect(first.topicData.map((t) => t.name)).toEqual([topic]);
        const partition = first.topicData[0]!.partitionData[0]!;
        expect(partition.index).toBe(0);
        const batches = [...iterateBatches(partition.records!)];
        expect(batches).toHaveLength(1);
        expect(batches[0]!.magic).toBe(2);
        expect(batches[0]!.computeCrc()).toBe(batches[0]!.crc);
        const records = readBatchRecords(batches[0]!);
        expect(records.map((r) => [r.key?.toString(), r.value?.toString()])).toEqual([0, 1, 2].map((i) => [`key-${i}`, `value-${i}`]));
        if (expected.timestamps) expect(records.map((r) => r.timestampMs)).toEqual([T0, T0 + 1, T0 + 2]);
        if (expected.headers) expect(records[0]!.headers.map((h) => [h.key.toString(), h.value?.toString()])).toEqual([['h', '0']]);
        if (client === 'kafkajs') {
          const gzip = produces[1]!.topicData[0]!.partitionData[0]!;
          const [batch] = [...iterateBatches(gzip.records!)];
          expect([gzip.index, batch!.compression]).toEqual([1, 'gzip']);
          expect(readBatchRecords(batch!).map((r) => [r.key?.toString(), r.value?.toString()])).toEqual([['gz', 'gzipped']]);
        }
      });

      it('Fetch and ListOffsets address the session topic; one ListOffsets asks by timestamp', () => {
        const fetches = bodies<FetchRequest>(1);
        const addressed = (t: FetchRequest['topics'][number]) => (expected.fetchByTopicId ? /^[A-Za-z0-9_-]{22}$/.test(t.topicId) && t.topicId !== 'AAAAAAAAAAAAAAAAAAAAAA' : t.topic === topic);
        expect(fetches.some((f) => f.topics.some((t) => addressed(t) && t.partitions.every((p) => p.fetchOffset >= 0n)))).toBe(true);
        expect(fetches.every((f) => f.maxWaitMs >= 0 && f.replicaId === -1)).toBe(true);
        const listOffsets = bodies<ListOffsetsRequest>(2);
        expect(listOffsets.every((l) => l.topics.every((t) => t.name === topic))).toBe(true);
        const timestamps = listOffsets.flatMap((l) => l.topics.flatMap((t) => t.partitions.map((p) => p.timestamp)));
        expect(timestamps).toContain(BigInt(T0 + 1));
        expect(timestamps.some((t) => t === -1n || t === -2n)).toBe(true);
      });

      it('the group join names the group and subscribes to the session topic', () => {
        const [find] = bodies<FindCoordinatorRequest>(10);
        expect(find!.key === group || find!.coordinatorKeys.includes(group)).toBe(true);
        const joins = bodies<JoinGroupRequest>(11);
        expect(joins.every((j) => j.groupId === group && j.protocolType === 'consumer' && j.sessionTimeoutMs > 0)).toBe(true);
        const subscription = dataMessages.get('ConsumerProtocolSubscription')!;
        for (const protocol of joins[0]!.protocols) {
          const declared = protocol.metadata.readInt16BE(0);
          const version = expected.subscriptionBodyVersion ?? Math.min(declared, subscription.maxVersion);
          if (expected.subscriptionBodyVersion !== undefined) {
            expect(declared).toBeGreaterThan(version);
            expect(() => subscription.decode(declared, protocol.metadata, 2)).toThrow(/ownedPartitions/);
          }
          const decoded = subscription.decode(version, protocol.metadata, 2) as ConsumerProtocolSubscription;
          expect(decoded.topics, protocol.name).toEqual([topic]);
        }
        expect(joins[0]!.protocols.length).toBeGreaterThan(0);
        for (const apiKey of [8, 12, 13, 14]) {
          for (const body of bodies<{ groupId: string }>(apiKey)) expect(body.groupId, `api ${apiKey}`).toBe(group);
        }
      });
    });
  }
});
