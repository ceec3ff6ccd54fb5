// Robustness of the network server against hostile input. 10,000 random, truncated and mutated
// frames (mutations of valid requests of every API and version, built with the generated
// encoders) go to an in-process broker over several connections, in rounds; after every round a
// well-behaved client on its own connection does a Produce + Metadata round trip, and at the end
// the heap has stayed bounded. Also: an oversize size prefix closes the connection without the
// broker waiting for (or allocating) the body; unknown API keys and versions get Kafka's answers.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import * as generated from '../../../src/protocol/generated/index.js';
import {
  apis,
  decodeResponseFrame,
  encodeRequestFrame,
  type ApiVersionsResponse,
  type MetadataResponse,
  type ProduceResponse,
} from '../../../src/protocol/index.js';
import { buildBatch } from '../../../src/protocol/records/index.js';
import { schemaApis } from '../../../src/protocol/generated/schema.js';
import { randomMessage, Rng } from '../../unit/protocol/support/random-message.js';

const FRAME_COUNT = 10_000;
const ROUNDS = 20;
const LANES = 6;
const SENTINEL_CORRELATION_ID = 0x7ead_beef;
/** How long one lane waits for its sentinel before giving up on the connection (a mutated Fetch may long-poll). */
const SENTINEL_PATIENCE_MS = 1_500;
const CLOSE_PATIENCE_MS = 5_000;
const HEAP_GROWTH_BYTES_MAX = 200 * 1024 * 1024;
const REQUEST_BYTES_MAX = 1 << 20;
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

let broker: RunningBroker;
/** Broker log lines reporting an exception that escaped a handler (a bug, not bad input). */
const internalErrors: string[] = [];
let closeLogLines = 0;

/** Deterministic PRNG (mulberry32): a failing seed replays. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function frame(apiKey: number, version: number, body: unknown, correlationId = 1, clientId: string | null = 'fuzz'): Buffer {
  return Buffer.concat(encodeRequestFrame({ requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId }, body));
}

function withSizePrefix(body: Buffer): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(body.length);
  return Buffer.concat([prefix, body]);
}

/** Default request of every API at every version, plus richer Produce/Fetch/Metadata requests (bodies without size prefix). */
function templates(): { bodies: Buffer[]; apiVersionPairs: number; unencodable: string[] } {
  const bodies: Buffer[] = [];
  const unencodable: string[] = [];
  let apiVersionPairs = 0;
  const defaults = generated as unknown as Record<string, (() => unknown) | undefined>;
  for (const api of apis.values()) {
    const make = defaults[`default${api.name}Request`];
    for (let version = api.minVersion; version <= api.maxVersion; version++) {
      apiVersionPairs++;
      try {
        if (make === undefined) throw new Error('no default');
        bodies.push(frame(api.apiKey, version, make()).subarray(4));
      } catch {
        unencodable.push(`${api.name} v${version}`);
      }
    }
  }
  const batch = buildBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from('value'), headers: [] }] });
  const partition = { partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 65536, replicaDirectoryId: ZERO_UUID };
  const metadata = { topics: [{ name: 'fuzz', topicId: ZERO_UUID }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };
  for (const version of [3, 7, 9, 11]) bodies.push(frame(0, version, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 'fuzz', partitionData: [{ index: 0, records: batch }] }] }).subarray(4));
  for (const version of [4, 11, 12]) {
    bodies.push(frame(1, version, { clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1n }, maxWaitMs: 0, minBytes: 0, maxBytes: 65536, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [{ topic: 'fuzz', topicId: ZERO_UUID, partitions: [partition] }], forgottenTopicsData: [], rackId: '' }).subarray(4));
  }
  for (const version of [1, 9, 12]) bodies.push(frame(3, version, metadata).subarray(4));
  return { bodies, apiVersionPairs, unencodable };
}

/** One hostile frame: random bytes, a truncated template, or a mutated template. */
function hostileFrame(next: () => number, bases: Buffer[]): Buffer {
  const pick = (n: number) => Math.floor(next() * n);
  const kind = pick(4);
  if (kind === 0) return withSizePrefix(Buffer.from(Array.from({ length: pick(96) }, () => pick(256))));
  const base = bases[pick(bases.length)]!;
  if (kind === 1) return withSizePrefix(base.subarray(0, pick(base.length)));
  const mutated = Buffer.from(base);
  if (kind === 2) {
    const flips = 1 + pick(4);
    for (let i = 0; i < flips; i++) mutated[pick(mutated.length)] = pick(256);
  } else {
    // A length-like field overwritten: 0x7fffffff, -1 or a large count somewhere in the body.
    const at = pick(Math.max(1, mutated.length - 4));
    if (mutated.length >= 4) mutated.writeInt32BE([0x7fffffff, -1, 0x10000, 0x7fff][pick(4)]!, at);
  }
  return withSizePrefix(mutated);
}

async function open(): Promise<Socket> {
  const socket = connect({ port: broker.port, host: '127.0.0.1' });
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return socket;
}

type Outcome = 'answered' | 'closed' | 'slow';

/** Writes bytes then an ApiVersions sentinel; resolves on its answer, on close, or when patience runs out. */
function probe(socket: Socket, bytes: Buffer, patienceMs = SENTINEL_PATIENCE_MS): Promise<Outcome> {
  const sentinel = frame(18, 0, {}, SENTINEL_CORRELATION_ID);
  return new Promise((resolve) => {
    let pending = Buffer.alloc(0);
    const finish = (outcome: Outcome) => {
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
    const timer = setTimeout(() => finish('slow'), patienceMs);
    socket.on('data', onData);
    socket.on('close', onClose);
    if (socket.destroyed) finish('closed');
    else socket.write(Buffer.concat([bytes, sentinel]));
  });
}

/** Reads one response frame (without its size prefix), or null when the connection closes first. */
function nextResponse(socket: Socket, patienceMs = CLOSE_PATIENCE_MS): Promise<Buffer | 'closed' | 'timeout'> {
  return new Promise((resolve) => {
    let pending = Buffer.alloc(0);
    const finish = (result: Buffer | 'closed' | 'timeout') => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      if (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) finish(pending.subarray(4, 4 + pending.readInt32BE(0)));
    };
    const onClose = () => finish('closed');
    const timer = setTimeout(() => finish('timeout'), patienceMs);
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}

/** A well-behaved client: Produce (acks=-1) then Metadata on its own connection. */
class HealthyClient {
  private correlationId = 100;
  private constructor(private readonly socket: Socket) {}
  static async open(): Promise<HealthyClient> {
    return new HealthyClient(await open());
  }
  private async call<T>(apiKey: number, version: number, body: unknown): Promise<T> {
    const correlationId = this.correlationId++;
    const answer = nextResponse(this.socket);
    this.socket.write(frame(apiKey, version, body, correlationId, 'healthy'));
    const response = await answer;
    if (!Buffer.isBuffer(response)) throw new Error(`healthy client: ${response} waiting for api ${apiKey}`);
    const decoded = decodeResponseFrame(apiKey, version, response);
    expect(decoded.header.correlationId).toBe(correlationId);
    return decoded.body as T;
  }
  async roundTrip(sequence: number): Promise<bigint> {
    const records = buildBatch({ records: [{ key: null, value: Buffer.from(`healthy-${sequence}`), headers: [] }] });
    const produced = await this.call<ProduceResponse>(0, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: 'healthy', partitionData: [{ index: 0, records }] }] });
    const partition = produced.responses[0]!.partitionResponses[0]!;
    expect(partition.errorCode).toBe(0);
    const metadata = await this.call<MetadataResponse>(3, 12, { topics: [{ name: 'healthy', topicId: ZERO_UUID }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    expect(metadata.topics.map((t) => [t.name, t.errorCode])).toEqual([['healthy', 0]]);
    return partition.baseOffset;
  }
  close(): void {
    this.socket.destroy();
  }
}

beforeAll(async () => {
  broker = await startBroker({
    config: { 'auto.create.topics.enable': false, 'socket.request.max.bytes': REQUEST_BYTES_MAX, 'num.partitions': 1 },
    log: (line) => {
      if (line.includes('internal error')) internalErrors.push(line);
      if (line.includes('closing connection')) closeLogLines++;
    },
  });
  const socket = await open();
  const createTopics = (name: string) => frame(19, 4, { topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
  expect(await probe(socket, Buffer.concat([createTopics('fuzz'), createTopics('healthy')]), CLOSE_PATIENCE_MS)).toBe('answered');
  socket.destroy();
});

afterAll(async () => {
  await broker?.stop();
});

describe('hostile frames', () => {
  it(`keeps serving a well-behaved client through ${FRAME_COUNT} random, truncated and mutated frames`, async () => {
    const { bodies, apiVersionPairs, unencodable } = templates();
    // Nearly every API/version encodes from its defaults (a few need non-null fields).
    expect(unencodable.length, unencodable.join(', ')).toBeLessThan(apiVersionPairs / 10);
    const healthy = await HealthyClient.open();
    const outcomes: Record<Outcome, number> = { answered: 0, closed: 0, slow: 0 };
    let lastOffset = await healthy.roundTrip(0);
    const heapBefore = process.memoryUsage().heapUsed;
    const framesPerLane = FRAME_COUNT / ROUNDS / LANES;
    const sockets: Socket[] = await Promise.all(Array.from({ length: LANES }, () => open()));
    const nexts = Array.from({ length: LANES }, (_, lane) => prng(20261125 + lane));
    let sent = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      await Promise.all(sockets.map(async (_, lane) => {
        for (let i = 0; i < framesPerLane; i++) {
          const outcome = await probe(sockets[lane]!, hostileFrame(nexts[lane]!, bodies));
          outcomes[outcome]++;
          sent++;
          if (outcome !== 'answered') {
            sockets[lane]!.destroy();
            sockets[lane] = await open();
          }
        }
      }));
      const offset = await healthy.roundTrip(round);
      expect(offset).toBe(lastOffset + 1n);
      lastOffset = offset;
    }
    for (const socket of sockets) socket.destroy();
    healthy.close();
    expect(sent).toBeGreaterThanOrEqual(FRAME_COUNT - LANES * ROUNDS);
    // Malformed frames close their connection, as Kafka does; well-formed mutations are answered.
    expect(outcomes.closed).toBeGreaterThan(FRAME_COUNT / 10);
    expect(outcomes.answered).toBeGreaterThan(FRAME_COUNT / 10);
    // Hostile input is rejected by the codecs or answered with error codes; no handler throws.
    const distinct = [...new Set(internalErrors.map((l) => l.replace(/^.*internal error: /, '').split('\n').slice(0, 3).join(' | ')))];
    expect(distinct, distinct.join('\n')).toEqual([]);
    expect(closeLogLines).toBeGreaterThan(0); // the log hook sees the broker's lines
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    expect(heapGrowth).toBeLessThan(HEAP_GROWTH_BYTES_MAX);
  }, 240_000);
});

/** Random partition counts are clamped so CreateTopics/CreatePartitions cannot ask for billions. */
function boundPartitionCounts(apiKey: number, message: Record<string, unknown>, rng: Rng): Record<string, unknown> {
  const topics = (message.topics ?? []) as Array<Record<string, unknown>>;
  if (apiKey === 19) for (const t of topics) t.numPartitions = rng.int(-2, 4);
  if (apiKey === 37) for (const t of topics) t.count = rng.int(-1, 4);
  return message;
}
const RANDOM_REQUESTS_PER_API_VERSION = 10;

describe('random well-formed requests', () => {
  it('answers or closes on random valid requests of every API/version without a handler throwing', async () => {
    const rng = new Rng(Number(process.env.ROBUST_SEED ?? 20261125));
    const requests: Buffer[] = [];
    for (const api of apis.values()) {
      const schema = schemaApis.find((a) => a.apiKey === api.apiKey)!.request;
      for (let version = api.minVersion; version <= api.maxVersion; version++) {
        for (let i = 0; i < RANDOM_REQUESTS_PER_API_VERSION; i++) requests.push(frame(api.apiKey, version, boundPartitionCounts(api.apiKey, randomMessage(schema, version, rng), rng), i + 1));
      }
    }
    const errorsBefore = internalErrors.length;
    const healthy = await HealthyClient.open();
    const before = await healthy.roundTrip(-1);
    const lanes = Array.from({ length: LANES }, (_, lane) => requests.filter((_, i) => i % LANES === lane));
    const outcomes: Record<Outcome, number> = { answered: 0, closed: 0, slow: 0 };
    await Promise.all(lanes.map(async (mine) => {
      let socket = await open();
      for (const request of mine) {
        const outcome = await probe(socket, request, 500);
        outcomes[outcome]++;
        if (outcome !== 'answered') {
          socket.destroy();
          socket = await open();
        }
      }
      socket.destroy();
    }));
    expect(await healthy.roundTrip(-2)).toBe(before + 1n);
    healthy.close();
    expect(outcomes.answered).toBeGreaterThan(requests.length / 4);
    const distinct = [...new Set(internalErrors.slice(errorsBefore).map((l) => l.replace(/^.*internal error: /, '').split('\n').slice(0, 3).join(' | ')))];
    expect(distinct, distinct.join('\n')).toEqual([]);
  }, 240_000);
});

describe('size prefix', () => {
  for (const sizeBytes of [REQUEST_BYTES_MAX + 1, 0x7fffffff, -1, -0x80000000]) {
    it(`closes the connection on a size prefix of ${sizeBytes} without waiting for the body`, async () => {
      const socket = await open();
      const prefix = Buffer.alloc(4);
      prefix.writeInt32BE(sizeBytes);
      const heapBefore = process.memoryUsage().heapUsed;
      const result = nextResponse(socket);
      socket.write(prefix);
      expect(await result).toBe('closed');
      // Nothing near the claimed size was allocated.
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(REQUEST_BYTES_MAX / 2 + 32 * 1024 * 1024);
      socket.destroy();
    });
  }

  it('accepts a request exactly at socket.request.max.bytes (answered, not closed)', async () => {
    const socket = await open();
    // An ApiVersions v0 request padded... is malformed; a Produce of one large batch is not.
    const overhead = frame(0, 9, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 'fuzz', partitionData: [{ index: 0, records: Buffer.alloc(0) }] }] }).length - 4;
    const value = Buffer.alloc(REQUEST_BYTES_MAX - overhead - 200, 'v');
    const batch = buildBatch({ records: [{ key: null, value, headers: [] }] });
    let body = frame(0, 9, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 'fuzz', partitionData: [{ index: 0, records: batch }] }] });
    const padding = REQUEST_BYTES_MAX - (body.length - 4);
    const padded = buildBatch({ records: [{ key: null, value: Buffer.alloc(value.length + padding, 'v'), headers: [] }] });
    body = frame(0, 9, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 'fuzz', partitionData: [{ index: 0, records: padded }] }] });
    // Varint widths may shift by a byte; land exactly on the limit or just below.
    expect(body.length - 4).toBeLessThanOrEqual(REQUEST_BYTES_MAX);
    expect(body.length - 4).toBeGreaterThan(REQUEST_BYTES_MAX - 4);
    const answer = nextResponse(socket);
    socket.write(body);
    const response = await answer;
    expect(Buffer.isBuffer(response)).toBe(true);
    const produced = decodeResponseFrame(0, 9, response as Buffer).body as ProduceResponse;
    // The batch is above message.max.bytes (1 MiB default); the frame itself was accepted and answered.
    expect([0, 10]).toContain(produced.responses[0]!.partitionResponses[0]!.errorCode);
    socket.destroy();
  });
});

describe('unknown API keys and versions', () => {
  it('ApiVersions at an unsupported version gets a v0 answer with UNSUPPORTED_VERSION', async () => {
    const socket = await open();
    const request = frame(18, 0, {}, 4242);
    request.writeInt16BE(99, 6); // request_api_version
    const answer = nextResponse(socket);
    socket.write(request);
    const response = await answer;
    expect(Buffer.isBuffer(response)).toBe(true);
    const decoded = decodeResponseFrame(18, 0, response as Buffer);
    expect(decoded.header.correlationId).toBe(4242);
    const body = decoded.body as ApiVersionsResponse;
    expect(body.errorCode).toBe(35);
    const own = body.apiKeys.find((k) => k.apiKey === 18);
    expect(own?.minVersion).toBe(0);
    expect(own?.maxVersion).toBeGreaterThanOrEqual(3);
    // The connection stays usable for the client's retry at a supported version.
    expect(await probe(socket, Buffer.alloc(0))).toBe('answered');
    socket.destroy();
  });

  for (const [label, apiKey, version] of [['unknown api key 999', 999, 0], ['unknown api key 10000', 10_000, 1], ['Metadata v99', 3, 99], ['Produce v-1', 0, -1]] as const) {
    it(`${label} closes the connection`, async () => {
      const socket = await open();
      const request = frame(3, 1, { topics: null }, 7);
      request.writeInt16BE(apiKey, 4);
      request.writeInt16BE(version, 6);
      const result = nextResponse(socket);
      socket.write(request);
      expect(await result).toBe('closed');
      socket.destroy();
      // Others are unaffected.
      const other = await open();
      expect(await probe(other, Buffer.alloc(0))).toBe('answered');
      other.destroy();
    });
  }
});
