// One TCP connection to one broker. Requests are pipelined: each is written as soon as it is
// issued (up to maxInFlightRequests awaiting answers), responses come back in order and are
// matched to the oldest pending request by correlation id. Frames are read by SocketFrameReader
// (socket reads go straight into a right-sized buffer per large frame: no assembling copy). On connect, ApiVersions picks, per API key,
// the highest version both this client and the broker support.
import { connect, type Socket } from 'node:net';
import { ApiKeys, decodeResponseFrame, encodeRequestFrame, getApi, type ApiVersionsResponse } from '../protocol/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { ConnectionError, KafkaError } from './errors.js';
import { SocketFrameReader } from './socket-frame-reader.js';

/** Kafka api keys by name: the protocol registry's table. */
export const ApiKey = ApiKeys;

/**
 * Highest version of each API this client speaks. Fetch stops at 12 and Metadata at 12: later
 * versions address topics by id only, and the client addresses them by name.
 */
const CLIENT_MAX_VERSIONS: ReadonlyMap<number, number> = new Map([
  [ApiKey.Produce, 11],
  [ApiKey.Fetch, 12],
  [ApiKey.ListOffsets, 8],
  [ApiKey.Metadata, 12],
  [ApiKey.OffsetCommit, 8],
  [ApiKey.OffsetFetch, 7],
  [ApiKey.FindCoordinator, 3],
  [ApiKey.JoinGroup, 9],
  [ApiKey.Heartbeat, 4],
  [ApiKey.LeaveGroup, 5],
  [ApiKey.SyncGroup, 5],
  [ApiKey.DescribeGroups, 5],
  [ApiKey.ListGroups, 4],
  [ApiKey.ApiVersions, 3],
  [ApiKey.CreateTopics, 7],
  [ApiKey.DeleteTopics, 5],
  [ApiKey.InitProducerId, 4],
  [ApiKey.DescribeConfigs, 4],
  [ApiKey.AlterConfigs, 2],
  [ApiKey.IncrementalAlterConfigs, 1],
]);

const FRAME_BYTES_MAX = 256 * 1024 * 1024;
const CONNECT_TIMEOUT_MS_DEFAULT = 10_000;
const REQUEST_TIMEOUT_MS_DEFAULT = 30_000;
/** How often the oldest outstanding request's age is checked against requestTimeoutMs. */
const TIMEOUT_CHECK_INTERVAL_MS = 250;
const CLIENT_SOFTWARE_NAME = 'rill-client';
const CLIENT_SOFTWARE_VERSION = '0.1.0';

export interface ConnectionOptions {
  host: string;
  port: number;
  clientId?: string;
  /** Requests written and not yet answered; further requests wait for a slot. Default 5. */
  maxInFlightRequests?: number;
  connectTimeoutMs?: number;
  /** A request unanswered this long closes the connection (its requests fail, retriably). Default 30000. */
  requestTimeoutMs?: number;
}

interface PendingRequest {
  correlationId: number;
  sentAtMs: number;
  timeoutMs: number;
  apiKey: number;
  version: number;
  resolve(body: unknown): void;
  reject(err: Error): void;
}

/** Picks, per API key, min(client max, broker max) when the ranges overlap. */
export function negotiateVersions(response: ApiVersionsResponse): Map<number, number> {
  const versions = new Map<number, number>();
  for (const range of response.apiKeys) {
    const clientMax = CLIENT_MAX_VERSIONS.get(range.apiKey);
    const codecMax = getApi(range.apiKey)?.maxVersion;
    if (clientMax === undefined || codecMax === undefined) continue;
    const version = Math.min(clientMax, codecMax, range.maxVersion);
    if (version >= range.minVersion) versions.set(range.apiKey, version);
  }
  return versions;
}

export class Connection {
  readonly host: string;
  readonly port: number;
  private readonly clientId: string;
  private readonly maxInFlight: number;
  private socket: Socket | undefined;
  private readonly frames = new SocketFrameReader(
    FRAME_BYTES_MAX,
    (frame) => this.onFrame(frame),
    (err) => this.fail(new ConnectionError(`${this.host}:${this.port}: ${err.message}`)),
  );
  private readonly pending: PendingRequest[] = [];
  private pendingHead = 0;
  private readonly slotWaiters: Array<() => void> = [];
  private nextCorrelationId = 1;
  private versions = new Map<number, number>();
  private closedError: Error | undefined;
  private readonly requestTimeoutMs: number;
  private timeoutTimer: NodeJS.Timeout | undefined;

  private constructor(options: ConnectionOptions) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS_DEFAULT;
    this.host = options.host;
    this.port = options.port;
    this.clientId = options.clientId ?? CLIENT_SOFTWARE_NAME;
    this.maxInFlight = options.maxInFlightRequests ?? 5;
  }

  /** Connects and negotiates API versions. */
  static async open(options: ConnectionOptions): Promise<Connection> {
    const connection = new Connection(options);
    await connection.connectSocket(options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS_DEFAULT);
    try {
      await connection.negotiate();
    } catch (err) {
      connection.close();
      throw err;
    }
    return connection;
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  /** Requests written and awaiting an answer. */
  get inFlightCount(): number {
    return this.pending.length - this.pendingHead;
  }

  /** The negotiated version of an API, or undefined when the broker and client share none. */
  version(apiKey: number): number | undefined {
    return this.versions.get(apiKey);
  }

  private connectSocket(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port, noDelay: true, onread: this.frames.onread });
      const timer = setTimeout(() => socket.destroy(new Error(`connect timed out after ${timeoutMs} ms`)), timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', onError);
        this.attach(socket);
        resolve();
      });
      const onError = (err: Error) => {
        clearTimeout(timer);
        reject(new ConnectionError(`cannot connect to ${this.host}:${this.port}: ${err.message}`));
      };
      socket.once('error', onError);
    });
  }

  private attach(socket: Socket): void {
    this.socket = socket;
    socket.on('error', (err) => this.fail(new ConnectionError(`${this.host}:${this.port}: ${err.message}`)));
    socket.on('close', () => this.fail(new ConnectionError(`${this.host}:${this.port}: connection closed`)));
  }

  private async negotiate(): Promise<void> {
    const body = { clientSoftwareName: CLIENT_SOFTWARE_NAME, clientSoftwareVersion: CLIENT_SOFTWARE_VERSION };
    let response = (await this.requestAt(ApiKey.ApiVersions, 3, body)) as ApiVersionsResponse;
    if (response.errorCode === ErrorCode.UNSUPPORTED_VERSION) {
      response = (await this.requestAt(ApiKey.ApiVersions, 0, body)) as ApiVersionsResponse;
    }
    if (response.errorCode !== ErrorCode.NONE) throw new KafkaError(response.errorCode, 'ApiVersions');
    this.versions = negotiateVersions(response);
  }

  /** Sends a request at the negotiated version; resolves with the decoded response body. timeoutMs overrides requestTimeoutMs (JoinGroup waits for a rebalance). */
  request<Res = unknown>(apiKey: number, body: unknown, timeoutMs?: number): Promise<Res> {
    return this.requestAt(apiKey, this.requireVersion(apiKey), body, timeoutMs) as Promise<Res>;
  }

  /** Sends a request that gets no response (Produce with acks=0); resolves once written. */
  async send(apiKey: number, body: unknown): Promise<void> {
    const version = this.requireVersion(apiKey);
    await this.acquireSlot();
    if (this.closedError !== undefined) throw this.closedError;
    this.write(apiKey, version, body, this.nextCorrelationId++);
  }

  requireVersion(apiKey: number): number {
    const version = this.versions.get(apiKey);
    if (version === undefined) {
      throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `broker ${this.host}:${this.port} and client share no version of api ${apiKey}`);
    }
    return version;
  }

  async requestAt(apiKey: number, version: number, body: unknown, timeoutMs = this.requestTimeoutMs): Promise<unknown> {
    await this.acquireSlot();
    if (this.closedError !== undefined) throw this.closedError;
    const correlationId = this.nextCorrelationId++;
    return new Promise((resolve, reject) => {
      this.pending.push({ correlationId, sentAtMs: Date.now(), timeoutMs, apiKey, version, resolve, reject });
      this.armTimeoutCheck();
      this.write(apiKey, version, body, correlationId);
    });
  }

  private armTimeoutCheck(): void {
    if (this.timeoutTimer !== undefined) return;
    this.timeoutTimer = setInterval(() => this.checkTimeout(), TIMEOUT_CHECK_INTERVAL_MS);
    this.timeoutTimer.unref();
  }

  private checkTimeout(): void {
    const oldest = this.pending[this.pendingHead];
    if (oldest === undefined) {
      clearInterval(this.timeoutTimer);
      this.timeoutTimer = undefined;
      return;
    }
    const waitedMs = Date.now() - oldest.sentAtMs;
    if (waitedMs > oldest.timeoutMs) this.fail(new ConnectionError(`${this.host}:${this.port}: no answer to api ${oldest.apiKey} in ${waitedMs} ms`));
  }

  private acquireSlot(): Promise<void> | void {
    if (this.closedError !== undefined) throw this.closedError;
    if (this.inFlightCount < this.maxInFlight) return;
    return new Promise<void>((resolve) => this.slotWaiters.push(resolve)).then(() => {
      if (this.closedError !== undefined) throw this.closedError;
    });
  }

  private write(apiKey: number, version: number, body: unknown, correlationId: number): void {
    const chunks = encodeRequestFrame({ requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId: this.clientId }, body);
    const socket = this.socket!;
    socket.cork();
    for (const chunk of chunks) socket.write(chunk);
    socket.uncork();
  }

  private onFrame(frame: Buffer): void {
    const request = this.pending[this.pendingHead];
    if (request === undefined || frame.length < 4 || frame.readInt32BE(0) !== request.correlationId) {
      this.fail(new ConnectionError(`${this.host}:${this.port}: response does not match the oldest request`));
      return;
    }
    this.shiftPending();
    let body: unknown;
    try {
      body = decodeResponseFrame(request.apiKey, request.version, frame).body;
    } catch (err) {
      request.reject(err as Error);
      return;
    }
    request.resolve(body);
  }

  private shiftPending(): void {
    this.pending[this.pendingHead++] = undefined as unknown as PendingRequest;
    if (this.pendingHead === this.pending.length) {
      this.pending.length = 0;
      this.pendingHead = 0;
    } else if (this.pendingHead >= 1024) {
      this.pending.splice(0, this.pendingHead);
      this.pendingHead = 0;
    }
    this.slotWaiters.shift()?.();
  }

  private fail(err: Error): void {
    if (this.closedError !== undefined) return;
    this.closedError = err;
    clearInterval(this.timeoutTimer);
    this.timeoutTimer = undefined;
    this.socket?.destroy();
    const outstanding = this.pending.slice(this.pendingHead);
    this.pending.length = 0;
    this.pendingHead = 0;
    for (const request of outstanding) request.reject(err);
    for (const waiter of this.slotWaiters.splice(0)) waiter();
  }

  close(): void {
    this.fail(new ConnectionError(`${this.host}:${this.port}: closed by the client`));
  }
}
