// 10,000 random, truncated and mutated frames sent to a running broker: it keeps serving other
// connections and its memory stays bounded.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { decodeResponseFrame, encodeRequestFrame, type ApiVersionsResponse, type MetadataResponse } from '../../../src/protocol/index.js';
import { buildBatch } from '../../../src/protocol/records/records.js';

const FRAME_COUNT = 10_000;
const FRAMES_PER_BURST = 1;
const SENTINEL_CORRELATION_ID = 0x7ead_beef;
const BURST_PATIENCE_MS = 3_000;
const RSS_GROWTH_BYTES_MAX = 256 * 1024 * 1024;

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startBroker({ config: { 'auto.create.topics.enable': false, 'socket.request.max.bytes': 1 << 20 }, log: () => {} });
  const socket = await open();
  const create = frame(19, 4, { topics: [{ name: 'fuzz', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
  await burst(socket, [create]);
  socket.destroy();
});

afterAll(async () => {
  await broker.stop();
});

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function frame(apiKey: number, version: number, body: unknown, correlationId = 1): Buffer {
  return Buffer.concat(encodeRequestFrame({ requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId: 'fuzz' }, body));
}

function templates(): Buffer[] {
  const batch = buildBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from('value'), headers: [], timestampMs: Date.now() }] } as never);
  const metadata = { topics: [{ name: 'fuzz', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };
  const partition = { partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 65536, replicaDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA' };
  return [
    frame(18, 3, { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' }),
    frame(3, 12, metadata),
    frame(3, 1, metadata),
    frame(0, 9, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 'fuzz', partitionData: [{ index: 0, records: batch }] }] }),
    frame(1, 11, { clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1n }, maxWaitMs: 0, minBytes: 0, maxBytes: 65536, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [{ topic: 'fuzz', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [partition] }], forgottenTopicsData: [], rackId: '' }),
    frame(2, 7, { replicaId: -1, isolationLevel: 0, timeoutMs: 1000, topics: [{ name: 'fuzz', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }] }] }),
    frame(32, 4, { resources: [{ resourceType: 2, resourceName: 'fuzz', configurationKeys: null }], includeSynonyms: true, includeDocumentation: true }),
  ];
}

function withSizePrefix(body: Buffer): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(body.length);
  return Buffer.concat([prefix, body]);
}

/** One bad frame: random bytes, a truncated template, or a template with flipped bytes. */
function badFrame(next: () => number, bases: Buffer[]): Buffer {
  const kind = Math.floor(next() * 3);
  if (kind === 0) return withSizePrefix(Buffer.from(Array.from({ length: Math.floor(next() * 64) }, () => Math.floor(next() * 256))));
  const base = bases[Math.floor(next() * bases.length)]!.subarray(4);
  if (kind === 1) return withSizePrefix(base.subarray(0, Math.floor(next() * base.length)));
  const mutated = Buffer.from(base);
  const flips = 1 + Math.floor(next() * 4);
  for (let i = 0; i < flips; i++) mutated[Math.floor(next() * mutated.length)] = Math.floor(next() * 256);
  return withSizePrefix(mutated);
}

async function open(): Promise<Socket> {
  const socket = connect({ port: broker.port, host: '127.0.0.1' });
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return socket;
}

/** Sends frames plus a sentinel ApiVersions; resolves when the sentinel is answered, the socket closes, or patience runs out. */
function burst(socket: Socket, frames: Buffer[]): Promise<'answered' | 'closed' | 'slow'> {
  const sentinel = frame(18, 0, {}, SENTINEL_CORRELATION_ID);
  return new Promise((resolve) => {
    let pending = Buffer.alloc(0);
    const finish = (outcome: 'answered' | 'closed' | 'slow') => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 8 && pending.length >= 4 + pending.readInt32BE(0)) {
        const correlationId = pending.readInt32BE(4);
        pending = pending.subarray(4 + pending.readInt32BE(0));
        if (correlationId === SENTINEL_CORRELATION_ID) finish('answered');
      }
    };
    const onClose = () => finish('closed');
    const timer = setTimeout(() => finish('slow'), BURST_PATIENCE_MS);
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.write(Buffer.concat([...frames, sentinel]));
  });
}

type Outcomes = Record<'answered' | 'closed' | 'slow', number>;

/** Sends `count` bad frames one at a time, reconnecting whenever the broker closes. */
async function lane(seed: number, count: number, bases: Buffer[], outcomes: Outcomes): Promise<void> {
  const next = random(seed);
  let socket = await open();
  for (let sent = 0; sent < count; sent += FRAMES_PER_BURST) {
    const frames = Array.from({ length: FRAMES_PER_BURST }, () => badFrame(next, bases));
    const outcome = await burst(socket, frames);
    outcomes[outcome]++;
    if (outcome !== 'answered') {
      socket.destroy();
      socket = await open();
    }
  }
  socket.destroy();
}

describe('robustness', () => {
  it(`survives ${FRAME_COUNT} random, truncated and mutated frames`, async () => {
    const bases = templates();
    const rssBefore = process.memoryUsage().rss;
    const outcomes: Outcomes = { answered: 0, closed: 0, slow: 0 };
    const lanes = 4;
    await Promise.all(Array.from({ length: lanes }, (_, i) => lane(20261125 + i, FRAME_COUNT / lanes, bases, outcomes)));
    expect(outcomes.closed).toBeGreaterThan(0);
    expect(outcomes.answered).toBeGreaterThan(0);

    const healthy = await open();
    const answered = new Promise<Buffer>((resolve) => healthy.once('data', resolve));
    healthy.write(frame(18, 3, { clientSoftwareName: 'after', clientSoftwareVersion: '1' }, 5));
    const response = await answered;
    const apiVersions = decodeResponseFrame(18, 3, response.subarray(4)).body as ApiVersionsResponse;
    expect(apiVersions.errorCode).toBe(0);
    const metadataAnswer = new Promise<Buffer>((resolve) => healthy.once('data', resolve));
    healthy.write(frame(3, 12, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }, 6));
    const metadata = decodeResponseFrame(3, 12, (await metadataAnswer).subarray(4)).body as MetadataResponse;
    expect(metadata.topics.map((t) => t.name)).toContain('fuzz');
    healthy.destroy();
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(RSS_GROWTH_BYTES_MAX);
  });
});
