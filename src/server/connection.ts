// One client connection: frames in, requests dispatched concurrently (pipelining), responses
// written strictly in request order. Reading pauses while queued.max.requests requests are in
// flight or while the socket's unsent bytes exceed the write-buffer high mark
// (limits.connectionWriteBufferBytesHigh); 'drain' resumes it.
import type { Socket } from 'node:net';
import { FrameReader, FrameSizeError } from './frame-reader.js';
import type { RequestMemory } from './request-memory.js';
import { ConnectionSecurity } from './security-state.js';
import { CloseConnection, type HeaderDecoder, type LogFn, type RequestContext, type RequestDispatcher } from './types.js';

export interface ConnectionOptions {
  connectionId: number;
  listenerName: string;
  security: ConnectionSecurity;
  requestBytesMax: number;
  queuedRequestsMax: number;
  /** queued.max.requests and queued.max.request.bytes, shared by the server's connections. */
  requestMemory: RequestMemory;
  idleTimeoutMs: number;
  /** Reading pauses while more unsent response bytes than this wait in the socket. */
  writeBufferBytesHigh: number;
  /** Called each time reading pauses because responses are not drained. */
  onBackpressure: () => void;
  decodeHeader: HeaderDecoder;
  dispatch: RequestDispatcher;
  log: LogFn;
}

interface InFlight {
  sizeBytes: number;
  done: boolean;
  response: Buffer | Buffer[] | null;
  /** The request context's afterResponseWritten hooks. */
  afterWritten: Array<() => void>;
}

export class Connection {
  readonly clientAddress: string;
  readonly clientPort: number;
  private readonly reader: FrameReader;
  private readonly inFlight: InFlight[] = [];
  private closed = false;
  /** Server shutdown: no new requests are read. */
  private draining = false;
  /** The client half-closed: answer what it sent, then close. */
  private peerEnded = false;
  private readonly closedPromise: Promise<void>;

  constructor(private readonly socket: Socket, private readonly options: ConnectionOptions) {
    this.clientAddress = socket.remoteAddress ?? 'unknown';
    this.clientPort = socket.remotePort ?? 0;
    this.reader = new FrameReader(options.requestBytesMax);
    this.closedPromise = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.setNoDelay(true);
    if (options.idleTimeoutMs > 0) socket.setTimeout(Math.min(options.idleTimeoutMs, 2 ** 31 - 1));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.pump());
    socket.on('end', () => this.onEnd());
    socket.on('timeout', () => this.onIdle());
    socket.on('error', (err: NodeJS.ErrnoException) => (isPeerGone(err) ? this.destroy() : this.fail(`socket error: ${err.message}`)));
    socket.on('close', () => {
      this.closed = true;
      options.requestMemory.forget(this.resumeOnRoom);
    });
  }

  get security(): ConnectionSecurity {
    return this.options.security;
  }

  get inFlightCount(): number {
    return this.inFlight.length;
  }

  /** Resolves once the socket has closed. */
  whenClosed(): Promise<void> {
    return this.closedPromise;
  }

  /** Graceful stop: read no more requests, answer the in-flight ones, then close. */
  drain(): void {
    this.draining = true;
    this.socket.pause();
    this.endIfIdle();
  }

  /** Immediate close. */
  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed || this.draining) return;
    this.reader.push(chunk);
    this.pump();
  }

  private onEnd(): void {
    this.peerEnded = true;
    this.pump();
    this.endIfIdle();
  }

  private onIdle(): void {
    if (this.inFlight.length > 0) return;
    this.options.log(`rill: closing connection ${this.options.connectionId} from ${this.clientAddress}: idle for connections.max.idle.ms`);
    this.destroy();
  }

  /** Dispatches buffered frames while allowed, then sets the socket's flow state. */
  private pump(): void {
    while (!this.closed && !this.draining && this.canAcceptRequest()) {
      const frame = this.nextFrame();
      if (frame === null) break;
      this.startRequest(frame);
    }
    this.updateFlow();
  }

  private canAcceptRequest(): boolean {
    const memoryAllows = this.inFlight.length === 0 || this.options.requestMemory.hasRoom();
    return this.inFlight.length < this.options.queuedRequestsMax && !this.writeBufferFull() && memoryAllows;
  }

  private readonly resumeOnRoom = () => this.pump();

  private writeBufferFull(): boolean {
    return this.socket.writableLength > this.options.writeBufferBytesHigh;
  }

  private updateFlow(): void {
    if (this.closed) return;
    if (this.draining || this.peerEnded || !this.canAcceptRequest()) {
      if (this.writeBufferFull() && !this.socket.isPaused()) this.options.onBackpressure();
      if (!this.options.requestMemory.hasRoom() && !this.draining) this.options.requestMemory.waitForRoom(this.resumeOnRoom);
      this.socket.pause();
    } else {
      this.socket.resume();
    }
  }

  private nextFrame(): Buffer | null {
    try {
      return this.reader.next();
    } catch (err) {
      if (!(err instanceof FrameSizeError)) throw err;
      this.fail(err.message);
      return null;
    }
  }

  private startRequest(frame: Buffer): void {
    const ctx = this.contextFor(frame);
    const slot: InFlight = { sizeBytes: frame.length, done: false, response: null, afterWritten: ctx.afterResponseWritten! };
    this.inFlight.push(slot);
    this.options.requestMemory.take(slot.sizeBytes);
    let promise: Promise<Buffer | Buffer[] | null>;
    try {
      const { header, body } = this.options.decodeHeader(frame);
      promise = this.options.dispatch(ctx, header, body);
    } catch (err) {
      promise = Promise.reject(err);
    }
    promise.then(
      (response) => this.complete(slot, response),
      (err: unknown) => {
        this.options.requestMemory.release(slot.sizeBytes);
        this.fail(describeFailure(err));
      },
    );
  }

  private contextFor(frame: Buffer): RequestContext {
    return {
      connectionId: this.options.connectionId,
      clientAddress: this.clientAddress,
      clientPort: this.clientPort,
      listenerName: this.options.listenerName,
      security: this.options.security,
      requestSizeBytes: frame.length,
      receivedAtMs: Date.now(),
      afterResponseWritten: [],
    };
  }

  private complete(slot: InFlight, response: Buffer | Buffer[] | null): void {
    slot.done = true;
    slot.response = response;
    this.options.requestMemory.release(slot.sizeBytes);
    if (this.closed) return;
    this.flushInOrder();
    this.pump();
    this.endIfIdle();
  }

  /** Writes every finished response at the head of the queue, corked into one flush. */
  private flushInOrder(): void {
    if (this.inFlight[0]?.done !== true) return;
    this.socket.cork();
    while (this.inFlight.length > 0 && this.inFlight[0]!.done) {
      const slot = this.inFlight.shift()!;
      writeResponse(this.socket, slot.response, slot.afterWritten);
    }
    this.socket.uncork();
  }

  private endIfIdle(): void {
    if ((this.draining || this.peerEnded) && !this.closed && this.inFlight.length === 0) this.socket.end();
  }

  private fail(reason: string): void {
    if (this.closed) return;
    this.options.log(`rill: closing connection ${this.options.connectionId} from ${this.clientAddress}: ${reason}`);
    this.destroy();
  }
}

/** Writes a response; the hooks run once the socket has taken its last chunk (or failed to). */
function writeResponse(socket: Socket, response: Buffer | Buffer[] | null, afterWritten: Array<() => void>): void {
  const done = afterWritten.length === 0 ? undefined : () => runHooks(afterWritten);
  const chunks = response === null ? [] : Buffer.isBuffer(response) ? [response] : response;
  if (chunks.length === 0) {
    done?.();
    return;
  }
  for (let i = 0; i < chunks.length - 1; i++) socket.write(chunks[i]!);
  socket.write(chunks[chunks.length - 1]!, done);
}

function runHooks(hooks: Array<() => void>): void {
  for (const hook of hooks) hook();
}

/** A client that went away is routine, not worth a log line. */
function isPeerGone(err: NodeJS.ErrnoException): boolean {
  return err.code === 'ECONNRESET' || err.code === 'EPIPE';
}

function describeFailure(err: unknown): string {
  if (err instanceof CloseConnection) return err.message;
  if (err instanceof Error && err.name === 'ProtocolDecodeError') return err.message;
  return `internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
}
