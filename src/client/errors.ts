// Client-side errors: a Kafka error code from a response, or a connection failure.
import { errorCodeName } from '../protocol/error-codes.js';
import { ErrorCode } from '../protocol/error-codes.js';

/** Error codes a client may retry after a backoff (and usually a metadata refresh). */
const RETRIABLE_CODES: ReadonlySet<number> = new Set([
  ErrorCode.CORRUPT_MESSAGE,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.NETWORK_EXCEPTION,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  ErrorCode.KAFKA_STORAGE_ERROR,
]);

/** Codes after which the client's view of partition leadership may be stale. */
const METADATA_STALE_CODES: ReadonlySet<number> = new Set([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.NETWORK_EXCEPTION,
]);

export function isRetriableCode(errorCode: number): boolean {
  return RETRIABLE_CODES.has(errorCode);
}

export function invalidatesMetadata(errorCode: number): boolean {
  return METADATA_STALE_CODES.has(errorCode);
}

/** A Kafka error code returned by a broker. */
export class KafkaError extends Error {
  readonly errorCode: number;
  readonly errorName: string;
  readonly retriable: boolean;
  constructor(errorCode: number, context: string) {
    const name = errorCodeName(errorCode);
    super(`${context}: ${name} (${errorCode})`);
    this.name = 'KafkaError';
    this.errorCode = errorCode;
    this.errorName = name;
    this.retriable = isRetriableCode(errorCode);
  }
}

/** The connection failed or closed with requests outstanding. Retriable. */
export class ConnectionError extends Error {
  readonly retriable = true;
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionError';
  }
}

/** True for errors a producer or consumer may retry. */
export function isRetriable(err: unknown): boolean {
  return err instanceof ConnectionError || (err instanceof KafkaError && err.retriable);
}

/** A producer option that cannot work with the others given. Not retriable. */
export class ProducerConfigError extends Error {
  /** The option at fault, as the client's options name it. */
  readonly option: string;
  constructor(option: string, message: string) {
    super(message);
    this.name = 'ProducerConfigError';
    this.option = option;
  }
}
