// A minimal Kafka wire client for tests: Rill's codecs over a raw socket, many calls in flight.
import { connect, type Socket } from 'node:net';
import { decodeResponseFrame, encodeRequestFrame } from '../../../src/protocol/index.js';

export class WireClient {
  private pending = Buffer.alloc(0);
  private readonly waiters = new Map<number, (frame: Buffer) => void>();
  private nextCorrelationId = 1;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.pending = Buffer.concat([this.pending, chunk]);
      while (this.pending.length >= 4 && this.pending.length >= 4 + this.pending.readInt32BE(0)) {
        const frame = this.pending.subarray(4, 4 + this.pending.readInt32BE(0));
        this.pending = this.pending.subarray(4 + frame.length);
        this.waiters.get(frame.readInt32BE(0))?.(frame);
      }
    });
    socket.on('error', () => {});
  }

  static async open(port: number): Promise<WireClient> {
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new WireClient(socket);
  }

  call<T>(apiKey: number, version: number, body: unknown): Promise<T> {
    const correlationId = this.nextCorrelationId++;
    const header = { requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId: 'test' };
    return new Promise((resolve) => {
      this.waiters.set(correlationId, (frame) => resolve(decodeResponseFrame(apiKey, version, frame).body as T));
      this.socket.write(Buffer.concat(encodeRequestFrame(header, body)));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
