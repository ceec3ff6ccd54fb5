// A small admin connection for the CLI: one socket to a bootstrap server, ApiVersions first
// (v0, which every broker answers), then each call at the highest version both sides support.
import { connect, type Socket } from 'node:net';
import { decodeResponseFrame, encodeRequestFrame, getApi, type ApiVersionsResponse } from '../protocol/index.js';

const API_VERSIONS_KEY = 18;
const RESPONSE_BYTES_MAX = 64 * 1024 * 1024;

export class AdminConnectionError extends Error {}

export class AdminConnection {
  private pending: Buffer = Buffer.alloc(0);
  private readonly waiters = new Map<number, { resolve: (frame: Buffer) => void; reject: (err: Error) => void }>();
  private nextCorrelationId = 1;
  private brokerVersions = new Map<number, { minVersion: number; maxVersion: number }>();

  private constructor(private readonly socket: Socket, private readonly timeoutMs: number) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => this.failAll(new AdminConnectionError('connection closed by the broker')));
    socket.on('error', (err) => this.failAll(new AdminConnectionError(err.message)));
  }

  static async open(bootstrap: string, timeoutMs = 10_000): Promise<AdminConnection> {
    const separator = bootstrap.lastIndexOf(':');
    const host = bootstrap.slice(0, separator).replace(/^\[|\]$/g, '');
    const port = Number(bootstrap.slice(separator + 1));
    if (separator <= 0 || !Number.isInteger(port)) throw new AdminConnectionError(`bootstrap server ${bootstrap} is not host:port`);
    const socket = connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', (err) => reject(new AdminConnectionError(`cannot connect to ${bootstrap}: ${err.message}`)));
    });
    const connection = new AdminConnection(socket, timeoutMs);
    await connection.negotiate();
    return connection;
  }

  private async negotiate(): Promise<void> {
    const response = await this.callAt<ApiVersionsResponse>(API_VERSIONS_KEY, 0, {});
    this.brokerVersions = new Map(response.apiKeys.map((k) => [k.apiKey, { minVersion: k.minVersion, maxVersion: k.maxVersion }]));
  }

  private onData(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 4) {
      const size = this.pending.readInt32BE(0);
      if (size < 4 || size > RESPONSE_BYTES_MAX) return this.failAll(new AdminConnectionError(`bad response size ${size}`));
      if (this.pending.length < 4 + size) return;
      const frame = this.pending.subarray(4, 4 + size);
      this.pending = this.pending.subarray(4 + size);
      const waiter = this.waiters.get(frame.readInt32BE(0));
      this.waiters.delete(frame.readInt32BE(0));
      waiter?.resolve(frame);
    }
  }

  private failAll(err: Error): void {
    for (const waiter of this.waiters.values()) waiter.reject(err);
    this.waiters.clear();
    this.socket.destroy();
  }

  /** The version to use: the highest both Rill's codecs and the broker support. */
  versionFor(apiKey: number): number {
    const ours = getApi(apiKey);
    const theirs = this.brokerVersions.get(apiKey);
    if (ours === undefined || theirs === undefined) throw new AdminConnectionError(`the broker does not support api ${apiKey}`);
    const version = Math.min(ours.maxVersion, theirs.maxVersion);
    if (version < Math.max(ours.minVersion, theirs.minVersion)) throw new AdminConnectionError(`no common version for api ${apiKey}`);
    return version;
  }

  call<T>(apiKey: number, body: unknown): Promise<T> {
    return this.callAt<T>(apiKey, this.versionFor(apiKey), body);
  }

  private callAt<T>(apiKey: number, version: number, body: unknown): Promise<T> {
    const correlationId = this.nextCorrelationId++;
    const header = { requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId: 'rill-cli' };
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new AdminConnectionError(`no answer to api ${apiKey} within ${this.timeoutMs} ms`)), this.timeoutMs);
      this.waiters.set(correlationId, {
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(decodeResponseFrame(apiKey, version, frame).body as T);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      this.socket.write(Buffer.concat(encodeRequestFrame(header, body)));
    });
  }

  close(): void {
    this.socket.removeAllListeners('close');
    this.socket.destroy();
  }
}
