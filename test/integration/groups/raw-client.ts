// A minimal Kafka protocol client over one socket, using Rill's own codecs, for tests that
// need exact versions and fields.
import { connect, type Socket } from 'node:net';
import { decodeResponseFrame, encodeRequestFrame } from '../../../src/protocol/index.js';

export class RawClient {
  private pending = Buffer.alloc(0);
  private readonly waiters = new Map<number, (frame: Buffer | null) => void>();
  private nextCorrelationId = 1;

  private constructor(readonly socket: Socket, readonly clientId: string) {
    socket.on('close', () => {
      for (const waiter of this.waiters.values()) waiter(null);
      this.waiters.clear();
    });
    socket.on('data', (chunk: Buffer) => {
      this.pending = Buffer.concat([this.pending, chunk]);
      while (this.pending.length >= 4 && this.pending.length >= 4 + this.pending.readInt32BE(0)) {
        const frame = this.pending.subarray(4, 4 + this.pending.readInt32BE(0));
        this.pending = this.pending.subarray(4 + frame.length);
        this.waiters.get(frame.readInt32BE(0))?.(frame);
      }
    });
  }

  static async open(port: number, clientId = 'raw'): Promise<RawClient> {
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawClient(socket, clientId);
  }

  call<T>(apiKey: number, version: number, body: unknown): Promise<T> {
    const correlationId = this.nextCorrelationId++;
    const header = { requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId: this.clientId };
    return new Promise((resolve, reject) => {
      this.waiters.set(correlationId, (frame) => {
        this.waiters.delete(correlationId);
        if (frame === null) return reject(new Error(`connection closed awaiting api ${apiKey} v${version}`));
        resolve(decodeResponseFrame(apiKey, version, frame).body as T);
      });
      this.socket.write(Buffer.concat(encodeRequestFrame(header, body)));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
