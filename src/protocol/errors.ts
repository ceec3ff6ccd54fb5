// The one error a protocol decoder may raise for bad input.

/**
 * Why a frame could not be decoded:
 * - 'unknown-api': the request's api key is not one Rill's codecs know (Kafka closes the connection).
 * - 'unsupported-version': the api key is known but the version is outside the codec's range
 *   (Kafka answers UNSUPPORTED_VERSION; for ApiVersions with an ApiVersions v0 response).
 * - 'malformed': the bytes do not follow the schema (truncated, negative or oversize lengths,
 *   invalid UTF-8 is NOT checked, trailing bytes, bounds from src/config/limits.ts exceeded).
 */
export type ProtocolDecodeErrorKind = 'unknown-api' | 'unsupported-version' | 'malformed';

/** The request header fields known when the error was raised (for answering the client). */
export interface PartialRequestHeader {
  requestApiKey: number;
  requestApiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export class ProtocolDecodeError extends Error {
  kind: ProtocolDecodeErrorKind;
  /** The api key of the message being decoded, -1 when not known (a bare primitive read). */
  apiKey = -1;
  /** The api version of the message being decoded, -1 when not known. */
  apiVersion = -1;
  /** What went wrong, without the location. */
  readonly detail: string;
  /** Set by decodeRequestFrame when the request header could be read. */
  header: PartialRequestHeader | undefined;
  /** Path segments innermost first: ['records', '[0]', 'partitions', '[3]', 'topics']. */
  private readonly pathReversed: string[] = [];

  constructor(detail: string, kind: ProtocolDecodeErrorKind = 'malformed') {
    super(detail);
    this.name = 'ProtocolDecodeError';
    this.kind = kind;
    this.detail = detail;
  }

  /** The field path, e.g. 'topics[3].partitions[0].records' ('' at the message's top level). */
  get field(): string {
    let path = '';
    for (let i = this.pathReversed.length - 1; i >= 0; i--) {
      const segment = this.pathReversed[i]!;
      if (segment.startsWith('[') || path === '') path += segment;
      else path += '.' + segment;
    }
    return path;
  }

  /** Adds an enclosing path segment (a field name or '[index]'); returns this for rethrowing. */
  within(segment: string): this {
    this.pathReversed.push(segment);
    if (this.apiKey >= 0) this.refreshMessage();
    return this;
  }

  /** Records which message was being decoded; returns this for rethrowing. */
  locate(apiKey: number, apiVersion: number): this {
    this.apiKey = apiKey;
    this.apiVersion = apiVersion;
    this.refreshMessage(); // the path is in the message from here on
    return this;
  }

  private refreshMessage(): void {
    const where = this.apiKey >= 0 ? `api ${this.apiKey} v${this.apiVersion}` : 'protocol';
    const field = this.field;
    this.message = field === '' ? `${where}: ${this.detail}` : `${where} at ${field}: ${this.detail}`;
  }
}

/** Rethrows e with the segment added when it is a ProtocolDecodeError; anything else is a bug. */
export function rethrowWithin(e: unknown, segment: string): never {
  if (e instanceof ProtocolDecodeError) throw e.within(segment);
  throw e;
}
