// A fault-injecting TCP proxy for retry tests: forwards Kafka frames both ways and, for a share
// of Produce responses (seeded pseudo-random choice, bounded count), drops the response and cuts
// the connection, so the client never learns that its batch was written and must retry it.
// Optionally a hook may alter Produce requests on their way (corruptLeft bounds how often), e.g.
// flip a record byte so the broker answers that partition CORRUPT_MESSAGE.
import { connect, createServer, type Server, type Socket } from 'node:net';

const PRODUCE_API_KEY = 0;

export interface FaultProxy {
  port: number;
  /** Responses dropped (with their connection cut) so far. */
  cuts: number;
  /** Cuts still allowed (tests set a budget each). */
  cutsLeft: number;
  /** Produce requests the corruptProduce hook may still alter (it returns true when it did). */
  corruptLeft: number;
  /** Requests altered so far. */
  corruptions: number;
  corruptProduce?: (frame: Buffer) => boolean;
  setTarget(port: number): void;
  close(): Promise<void>;
}

export interface FaultOptions {
  /** Probability of cutting at a Produce response. */
  cutProbability: number;
  seed: number;
}

/** Splits a byte stream into size-prefixed frames. */
function framer(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const size = 4 + pending.readInt32BE(0);
      onFrame(pending.subarray(0, size));
      pending = pending.subarray(size);
    }
  };
}

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

export async function startFaultProxy(options: FaultOptions): Promise<FaultProxy> {
  const next = random(options.seed);
  let target = 0;
  const sockets = new Set<Socket>();
  const proxy: FaultProxy = {
    port: 0,
    cuts: 0,
    cutsLeft: 0,
    corruptLeft: 0,
    corruptions: 0,
    setTarget: (port) => (target = port),
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: target });
    sockets.add(client).add(upstream);
    const produceIds = new Set<number>();
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', framer((frame) => {
      const isProduce = frame.length >= 12 && frame.readInt16BE(4) === PRODUCE_API_KEY;
      if (isProduce) produceIds.add(frame.readInt32BE(8));
      if (isProduce && proxy.corruptLeft > 0 && proxy.corruptProduce?.(frame) === true) {
        proxy.corruptLeft -= 1;
        proxy.corruptions += 1;
      }
      upstream.write(frame);
    }));
    upstream.on('data', framer((frame) => {
      const correlationId = frame.length >= 8 ? frame.readInt32BE(4) : -1;
      const isProduce = produceIds.delete(correlationId);
      if (isProduce && proxy.cutsLeft > 0 && next() < options.cutProbability) {
        proxy.cuts += 1;
        proxy.cutsLeft -= 1;
        cut();
        return;
      }
      client.write(frame);
    }));
    for (const socket of [client, upstream]) {
      socket.on('error', cut);
      socket.on('close', () => {
        sockets.delete(socket);
        cut();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.port = (server.address() as { port: number }).port;
  return proxy;
}

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
