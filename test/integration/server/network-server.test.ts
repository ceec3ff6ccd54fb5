// The network server against raw sockets, with a test request layer: header v1 (api key,
// version, correlation id, client id) and a body holding the delay before the answer.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerConfig } from '../../../src/config/index.js';
import { NetworkServer } from '../../../src/server/server.js';
import type { DecodedHeader, RequestContext, RequestDispatcher } from '../../../src/server/types.js';

const SILENT_API_KEY = 99;

function decodeHeader(frame: Buffer): DecodedHeader {
  if (frame.length < 10) throw new Error('short header');
  const clientIdBytes = frame.readInt16BE(8);
  const bodyStart = 10 + Math.max(clientIdBytes, 0);
  return {
    header: { requestApiKey: frame.readInt16BE(0), requestApiVersion: frame.readInt16BE(2), correlationId: frame.readInt32BE(4), clientId: null },
    body: frame.subarray(bodyStart),
  };
}

function request(correlationId: number, delayMs: number, apiKey = 1): Buffer {
  const frame = Buffer.alloc(4 + 10 + 4);
  frame.writeInt32BE(14, 0);
  frame.writeInt16BE(apiKey, 4);
  frame.writeInt16BE(0, 6);
  frame.writeInt32BE(correlationId, 8);
  frame.writeInt16BE(-1, 12);
  frame.writeInt32BE(delayMs, 14);
  return frame;
}

interface Harness {
  server: NetworkServer;
  port: number;
  concurrencyMax: () => number;
}

const servers: NetworkServer[] = [];
/** Called as each request starts (tests observe server state there). */
let onDispatch: ((ctx: RequestContext) => void) | null = null;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => s.stop(100)));
});

async function startServer(config: Record<string, string | number> = {}, writeBufferBytesHigh?: number, responseBytes = 0): Promise<Harness> {
  let running = 0;
  let concurrencyMax = 0;
  const dispatch: RequestDispatcher = async (ctx, header, body) => {
    onDispatch?.(ctx);
    running++;
    concurrencyMax = Math.max(concurrencyMax, running);
    await new Promise((resolve) => setTimeout(resolve, body.readInt32BE(0)));
    running--;
    if (header.requestApiKey === SILENT_API_KEY) return null;
    const response = Buffer.alloc(8 + responseBytes);
    response.writeInt32BE(4 + responseBytes, 0);
    response.writeInt32BE(header.correlationId, 4);
    return [response.subarray(0, 4), response.subarray(4)];
  };
  const server = new NetworkServer({
    config: new BrokerConfig({ listeners: 'PLAINTEXT://127.0.0.1:0', ...config }),
    decodeHeader,
    dispatch,
    log: () => {},
    writeBufferBytesHigh,
  });
  servers.push(server);
  const [listener] = await server.start();
  return { server, port: listener!.port, concurrencyMax: () => concurrencyMax };
}

interface Client {
  socket: Socket;
  correlationIds: number[];
  closed: Promise<void>;
  waitFor(count: number): Promise<number[]>;
}

async function openClient(port: number): Promise<Client> {
  const socket = connect({ port, host: '127.0.0.1', noDelay: true });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const correlationIds: number[] = [];
  let pending = Buffer.alloc(0);
  const waiters: (() => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 8) {
      correlationIds.push(pending.readInt32BE(4));
      pending = pending.subarray(8);
    }
    waiters.forEach((w) => w());
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const waitFor = (count: number) =>
    new Promise<number[]>((resolve) => {
      const check = () => (correlationIds.length >= count ? resolve(correlationIds) : waiters.push(check));
      check();
    });
  return { socket, correlationIds, closed, waitFor };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await delay(5);
}

describe('NetworkServer', () => {
  it('answers pipelined requests in request order when handlers finish out of order', async () => {
    const { port, concurrencyMax } = await startServer();
    const client = await openClient(port);
    const delaysMs = [60, 5, 40, 0, 20];
    client.socket.write(Buffer.concat(delaysMs.map((d, i) => request(i + 1, d))));
    expect(await client.waitFor(5)).toEqual([1, 2, 3, 4, 5]);
    expect(concurrencyMax()).toBeGreaterThan(1);
  });

  it('sends nothing for a request answered with null, keeping order for the rest', async () => {
    const { port } = await startServer();
    const client = await openClient(port);
    client.socket.write(Buffer.concat([request(1, 10), request(2, 0, SILENT_API_KEY), request(3, 0)]));
    expect(await client.waitFor(2)).toEqual([1, 3]);
  });

  it('runs afterResponseWritten hooks once the answer is written (at once when there is none), not when the handler finishes', async () => {
    const { port } = await startServer();
    const client = await openClient(port);
    const hookOrder: number[] = [];
    let dispatched = 0;
    onDispatch = (ctx) => {
      const index = ++dispatched;
      ctx.afterResponseWritten!.push(() => hookOrder.push(index));
    };
    try {
      // Request 1 finishes last (30 ms); 2 (no answer) and 3 finish at once but are written after 1.
      client.socket.write(Buffer.concat([request(1, 30), request(2, 0, SILENT_API_KEY), request(3, 0)]));
      expect(await client.waitFor(2)).toEqual([1, 3]);
      await until(() => hookOrder.length === 3);
      expect([...hookOrder].sort()).toEqual([1, 2, 3]);
      // 3's answer goes out after 1's, so its hook too (run at handler completion, 3 would come first).
      expect(hookOrder.indexOf(1)).toBeLessThan(hookOrder.indexOf(3));
    } finally {
      onDispatch = null;
    }
  });

  it('decodes a request that arrives in 1-byte chunks', async () => {
    const { port } = await startServer();
    const client = await openClient(port);
    for (const byte of request(42, 0)) {
      client.socket.write(Buffer.from([byte]));
      await delay(1);
    }
    expect(await client.waitFor(1)).toEqual([42]);
  });

  it('closes a connection whose size prefix exceeds socket.request.max.bytes and keeps serving others', async () => {
    const { port } = await startServer({ 'socket.request.max.bytes': 1000 });
    const bad = await openClient(port);
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(0x7fffffff);
    bad.socket.write(prefix);
    await bad.closed;
    const good = await openClient(port);
    good.socket.write(request(7, 0));
    expect(await good.waitFor(1)).toEqual([7]);
  });

  it('keeps at most queued.max.requests requests in flight', async () => {
    const { port, concurrencyMax } = await startServer({ 'queued.max.requests': 2 });
    const client = await openClient(port);
    client.socket.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => request(i, 5))));
    expect(await client.waitFor(10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(concurrencyMax()).toBe(2);
  });

  it('stops reading a connection whose responses are not drained, and resumes when they are', async () => {
    const responseBytes = 256 * 1024;
    const { port, server } = await startServer({}, 64 * 1024, responseBytes);
    const socket = connect({ port, host: '127.0.0.1' });
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.pause();
    const requestCount = 200;
    socket.write(Buffer.concat(Array.from({ length: requestCount }, (_, i) => request(i, 0))));
    await until(() => server.stats.backpressurePauses > 0);
    const correlationIds: number[] = [];
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 8 && pending.length >= 4 + pending.readInt32BE(0)) {
        correlationIds.push(pending.readInt32BE(4));
        pending = pending.subarray(4 + pending.readInt32BE(0));
      }
    });
    socket.resume();
    await until(() => correlationIds.length === requestCount);
    expect(correlationIds).toEqual(Array.from({ length: requestCount }, (_, i) => i));
  });

  it('counts queued.max.requests across connections, each connection keeping one', async () => {
    const { port, concurrencyMax } = await startServer({ 'queued.max.requests': 2 });
    const clients = [await openClient(port), await openClient(port), await openClient(port)];
    clients.forEach((client, c) => client.socket.write(Buffer.concat(Array.from({ length: 4 }, (_, i) => request(c * 10 + i, 5)))));
    for (const [c, client] of clients.entries()) expect(await client.waitFor(4)).toEqual([0, 1, 2, 3].map((i) => c * 10 + i));
    // The budget (2) plus one request for each other connection that had none in flight.
    expect(concurrencyMax()).toBeLessThanOrEqual(2 + clients.length - 1);
  });

  it('bounds request bytes in flight across connections with queued.max.request.bytes', async () => {
    const limitBytes = 30;
    const frameBytes = request(0, 0).length - 4;
    const { port, server } = await startServer({ 'queued.max.request.bytes': limitBytes });
    let usedBytesMax = 0;
    onDispatch = () => (usedBytesMax = Math.max(usedBytesMax, server.requestMemory.usedBytes));
    const clients = [await openClient(port), await openClient(port)];
    clients.forEach((client, c) => client.socket.write(Buffer.concat(Array.from({ length: 5 }, (_, i) => request(c * 10 + i, 5)))));
    expect(await clients[0]!.waitFor(5)).toEqual([0, 1, 2, 3, 4]);
    expect(await clients[1]!.waitFor(5)).toEqual([10, 11, 12, 13, 14]);
    onDispatch = null;
    // Over the limit by at most one frame per connection (each may always take one) plus one.
    expect(usedBytesMax).toBeLessThanOrEqual(limitBytes + 3 * frameBytes);
    expect(usedBytesMax).toBeLessThan(10 * frameBytes);
    expect(server.requestMemory.usedBytes).toBe(0);
  });

  it('closes idle connections after connections.max.idle.ms', async () => {
    const { port, server } = await startServer({ 'connections.max.idle.ms': 100 });
    const client = await openClient(port);
    client.socket.write(request(1, 0));
    await client.waitFor(1);
    await client.closed;
    await until(() => server.connectionCount === 0);
    expect(server.connectionCount).toBe(0);
  });

  it('closes an idle connection that stopped in the middle of a frame', async () => {
    const { port } = await startServer({ 'connections.max.idle.ms': 100 });
    const client = await openClient(port);
    client.socket.write(request(1, 0).subarray(0, 7));
    await client.closed;
    expect(client.correlationIds).toEqual([]);
  });

  it('enforces max.connections.per.ip', async () => {
    const { port, server } = await startServer({ 'max.connections.per.ip': 2 });
    const first = await openClient(port);
    await openClient(port);
    const third = await openClient(port);
    await third.closed;
    expect(server.connectionCount).toBe(2);
    first.socket.destroy();
    await first.closed;
    await until(() => server.connectionCount === 1);
    const fourth = await openClient(port);
    fourth.socket.write(request(4, 0));
    expect(await fourth.waitFor(1)).toEqual([4]);
  });

  it('applies max.connections.per.ip.overrides', async () => {
    const { port, server } = await startServer({ 'max.connections.per.ip': 5, 'max.connections.per.ip.overrides': '127.0.0.1:1' });
    await openClient(port);
    const second = await openClient(port);
    await second.closed;
    expect(server.stats.connectionsRefused).toBe(1);
    expect(server.connectionCount).toBe(1);
  });

  it('enforces max.connections', async () => {
    const { port, server } = await startServer({ 'max.connections': 1 });
    await openClient(port);
    const second = await openClient(port);
    await second.closed;
    expect(server.connectionCount).toBe(1);
  });

  it('answers in-flight requests on stop, then closes', async () => {
    const { port, server } = await startServer();
    const client = await openClient(port);
    client.socket.write(request(9, 50));
    await delay(10);
    await server.stop(2000);
    expect(client.correlationIds).toEqual([9]);
    await client.closed;
  });

  it('closes the connection when the header decoder throws', async () => {
    const { port } = await startServer();
    const client = await openClient(port);
    client.socket.write(Buffer.from([0, 0, 0, 2, 1, 2]));
    await client.closed;
    expect(client.correlationIds).toEqual([]);
  });
});
