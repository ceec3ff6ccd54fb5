// ApiVersions and Metadata against startBroker() with raw sockets and the protocol codecs.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { decodeResponseFrame, encodeRequestFrame, getApi, type ApiVersionsResponse, type MetadataResponse } from '../../../src/protocol/index.js';

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startBroker({ config: { 'num.partitions': 3, 'offsets.topic.num.partitions': 4 }, log: () => {} });
});

afterAll(async () => {
  await broker.stop();
});

class RawClient {
  private pending = Buffer.alloc(0);
  private readonly frames: Buffer[] = [];
  private waiter: (() => void) | null = null;
  readonly closed: Promise<void>;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.pending = Buffer.concat([this.pending, chunk]);
      while (this.pending.length >= 4 && this.pending.length >= 4 + this.pending.readInt32BE(0)) {
        const size = this.pending.readInt32BE(0);
        this.frames.push(this.pending.subarray(4, 4 + size));
        this.pending = this.pending.subarray(4 + size);
      }
      this.waiter?.();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async open(port: number): Promise<RawClient> {
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawClient(socket);
  }

  async nextFrame(): Promise<Buffer> {
    while (this.frames.length === 0) await new Promise<void>((resolve) => (this.waiter = resolve));
    return this.frames.shift()!;
  }

  async call<T>(apiKey: number, version: number, body: unknown, correlationId = 1): Promise<T> {
    this.socket.write(Buffer.concat(encodeRequestFrame({ requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId: 'test' }, body)));
    const decoded = decodeResponseFrame(apiKey, version, await this.nextFrame());
    expect(decoded.header.correlationId).toBe(correlationId);
    return decoded.body as T;
  }
}

function rawRequest(apiKey: number, version: number, correlationId: number): Buffer {
  const frame = Buffer.alloc(4 + 10);
  frame.writeInt32BE(10, 0);
  frame.writeInt16BE(apiKey, 4);
  frame.writeInt16BE(version, 6);
  frame.writeInt32BE(correlationId, 8);
  frame.writeInt16BE(-1, 12);
  return frame;
}

describe('ApiVersions', () => {
  it('answers every version the codecs support with the registry\'s ranges', async () => {
    const client = await RawClient.open(broker.port);
    for (let version = 0; version <= getApi(18)!.maxVersion; version++) {
      const response = await client.call<ApiVersionsResponse>(18, version, { clientSoftwareName: 'test', clientSoftwareVersion: '1.0' }, version + 1);
      expect(response.errorCode).toBe(ErrorCode.NONE);
      const keys = response.apiKeys.map((k) => k.apiKey);
      expect(keys).toContain(18);
      expect(keys).toContain(3);
      const metadata = response.apiKeys.find((k) => k.apiKey === 3)!;
      expect(metadata.minVersion).toBe(0);
      expect(metadata.maxVersion).toBe(Math.min(13, getApi(3)!.maxVersion));
      // librdkafka turns features off when these do not start at v0 (Kafka 4.0 keeps Produce from v0).
      for (const apiKey of [0, 1, 2]) expect(response.apiKeys.find((k) => k.apiKey === apiKey), `api ${apiKey}`).toMatchObject({ minVersion: 0 });
      expect(keys).toEqual([...keys].sort((a, b) => a - b));
    }
    client.socket.destroy();
  });

  it('answers an unsupported ApiVersions version with a v0 response and UNSUPPORTED_VERSION', async () => {
    const client = await RawClient.open(broker.port);
    client.socket.write(rawRequest(18, 99, 77));
    const decoded = decodeResponseFrame(18, 0, await client.nextFrame());
    const body = decoded.body as ApiVersionsResponse;
    expect(decoded.header.correlationId).toBe(77);
    expect(body.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(body.apiKeys.find((k) => k.apiKey === 18)).toMatchObject({ minVersion: 0 });
    client.socket.destroy();
  });

  it('closes the connection on an unknown api key or an unsupported version of another api', async () => {
    for (const [apiKey, version] of [[9999, 0], [3, 99]] as const) {
      const client = await RawClient.open(broker.port);
      client.socket.write(rawRequest(apiKey, version, 1));
      await client.closed;
    }
  });

  it('closes the connection on a malformed body and keeps serving others', async () => {
    const client = await RawClient.open(broker.port);
    const frame = Buffer.alloc(4 + 10 + 2);
    frame.writeInt32BE(12, 0);
    frame.writeInt16BE(3, 4);
    frame.writeInt16BE(1, 6);
    frame.writeInt32BE(5, 8);
    frame.writeInt16BE(-1, 12);
    frame.writeInt16BE(0x7fff, 14);
    client.socket.write(frame);
    await client.closed;
    const other = await RawClient.open(broker.port);
    const response = await other.call<ApiVersionsResponse>(18, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' });
    expect(response.errorCode).toBe(0);
    other.socket.destroy();
  });
});

describe('Metadata', () => {
  it('reports this broker, the cluster id and the controller', async () => {
    const client = await RawClient.open(broker.port);
    const response = await client.call<MetadataResponse>(3, 12, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    expect(response.brokers).toEqual([expect.objectContaining({ nodeId: 1, host: '127.0.0.1', port: broker.port })]);
    expect(response.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(response.controllerId).toBe(1);
    expect(response.topics).toEqual([]);
    client.socket.destroy();
  });

  it('auto-creates unknown topics with num.partitions, rejects bad names, honours allow_auto_topic_creation', async () => {
    const client = await RawClient.open(broker.port);
    const ask = (names: string[], allow: boolean, version = 12) =>
      client.call<MetadataResponse>(3, version, {
        topics: names.map((name) => ({ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' })),
        allowAutoTopicCreation: allow, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
      });
    const refused = await ask(['not-created'], false);
    expect(refused.topics[0]).toMatchObject({ name: 'not-created', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
    const created = await ask(['auto-1', 'bad name!', 'auto-1'], true);
    expect(created.topics).toHaveLength(2);
    expect(created.topics[0]).toMatchObject({ name: 'auto-1', errorCode: 0 });
    expect(created.topics[0]!.partitions.map((p) => p.partitionIndex)).toEqual([0, 1, 2]);
    expect(created.topics[0]!.topicId).not.toBe('AAAAAAAAAAAAAAAAAAAAAA');
    expect(created.topics[1]).toMatchObject({ name: 'bad name!', errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION });
    const byId = await client.call<MetadataResponse>(3, 12, {
      topics: [{ name: null, topicId: created.topics[0]!.topicId }, { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' }],
      allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
    });
    expect(byId.topics.map((t) => [t.name, t.errorCode])).toEqual([['auto-1', 0], [null, ErrorCode.UNKNOWN_TOPIC_ID]]);
    const offsets = await ask(['__consumer_offsets'], true);
    expect(offsets.topics[0]).toMatchObject({ name: '__consumer_offsets', errorCode: 0, isInternal: true });
    expect(offsets.topics[0]!.partitions).toHaveLength(4);
    const all = await client.call<MetadataResponse>(3, 1, { topics: null, allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    expect(all.topics.map((t) => t.name)).toContain('auto-1');
    expect(all.topics.map((t) => t.name)).not.toContain('not-created');
    client.socket.destroy();
  });
});
