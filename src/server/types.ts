// The contract between the network server and the request layer.
import type { ConnectionSecurity } from './security-state.js';

/** What the server knows about the request header; the request layer decodes it. */
export interface RequestHeaderInfo {
  requestApiKey: number;
  requestApiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export interface RequestContext {
  /** Unique per server, increasing. */
  connectionId: number;
  clientAddress: string;
  clientPort: number;
  listenerName: string;
  security: ConnectionSecurity;
  /** Size of the request frame without its size prefix. */
  requestSizeBytes: number;
  /** Date.now() when the whole frame had arrived. */
  receivedAtMs: number;
  /**
   * Run once the response has been handed to the socket (or the request ended without one):
   * a handler registers here what must live until then, e.g. borrowed read buffers.
   */
  afterResponseWritten?: Array<() => void>;
}

export interface DecodedHeader {
  header: RequestHeaderInfo;
  /** The request body (the frame after the header); a slice, not a copy. */
  body: Buffer;
}

/** Splits a frame into header and body; throws to close the connection (bad or unknown api). */
export type HeaderDecoder = (frame: Buffer) => DecodedHeader;

/**
 * Handles one request. Resolves to the whole response frame INCLUDING its 4-byte size prefix
 * (one buffer or a chunk list), or null when no response is sent (acks=0 Produce). Rejecting
 * closes the connection (Kafka's answer to e.g. an unknown api version on most apis).
 */
export type RequestDispatcher = (ctx: RequestContext, header: RequestHeaderInfo, body: Buffer) => Promise<Buffer | Buffer[] | null>;

/** Thrown by a header decoder or dispatcher to close the connection without it being a bug. */
export class CloseConnection extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'CloseConnection';
  }
}

export type LogFn = (line: string) => void;
