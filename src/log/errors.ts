// Typed storage errors. Each carries the Kafka error code a handler answers with.

export const StorageErrorCode = {
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  MESSAGE_TOO_LARGE: 10,
  RECORD_LIST_TOO_LARGE: 18,
  KAFKA_STORAGE_ERROR: 56,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
} as const;

export type StorageErrorName = keyof typeof StorageErrorCode;

export class StorageError extends Error {
  readonly errorName: StorageErrorName;
  readonly errorCode: number;
  constructor(errorName: StorageErrorName, message: string) {
    super(message);
    this.name = 'StorageError';
    this.errorName = errorName;
    this.errorCode = StorageErrorCode[errorName];
  }
}

export class OffsetOutOfRangeError extends StorageError {
  readonly offset: number;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  constructor(offset: number, logStartOffset: number, logEndOffset: number) {
    super('OFFSET_OUT_OF_RANGE', `offset ${offset} is outside [${logStartOffset}, ${logEndOffset}]`);
    this.name = 'OffsetOutOfRangeError';
    this.offset = offset;
    this.logStartOffset = logStartOffset;
    this.logEndOffset = logEndOffset;
  }
}

/** Bad bytes handed to append: nothing of that append was written. */
export class InvalidBatchError extends StorageError {
  constructor(errorName: StorageErrorName, message: string) {
    super(errorName, message);
    this.name = 'InvalidBatchError';
  }
}

/** The log was closed (or is closing) when an operation arrived. */
export class LogClosedError extends StorageError {
  constructor(what: string) {
    super('KAFKA_STORAGE_ERROR', `${what}: the log is closed`);
    this.name = 'LogClosedError';
  }
}

/** A broken internal invariant: a bug, never bad input. */
export function assertStorage(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`storage invariant broken: ${message}`);
}
