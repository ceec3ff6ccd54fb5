// Typed errors for record data. Bad record bytes from the network are normal input: the
// functions in this folder report them with a Kafka error code (as a returned value where the
// caller decides policy, or as a RecordFormatError where iteration cannot continue), never
// with an exception of another type.

import { ErrorCode } from '../error-codes.js';

/** The Kafka errors record validation can produce (numbers from the shared error-code table). */
export const RecordErrorCode = {
  CORRUPT_MESSAGE: ErrorCode.CORRUPT_MESSAGE,
  MESSAGE_TOO_LARGE: ErrorCode.MESSAGE_TOO_LARGE,
  INVALID_TIMESTAMP: ErrorCode.INVALID_TIMESTAMP,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
  UNSUPPORTED_COMPRESSION_TYPE: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
  INVALID_RECORD: ErrorCode.INVALID_RECORD,
} as const;

export type RecordErrorName = keyof typeof RecordErrorCode;

/** A validation failure, returned (not thrown) by the validate* functions. */
export interface RecordProblem {
  readonly errorName: RecordErrorName;
  readonly errorCode: number;
  /** Human-readable detail for the log line (and Kafka's error_message where it has one). */
  readonly message: string;
}

export function recordProblem(errorName: RecordErrorName, message: string): RecordProblem {
  return { errorName, errorCode: RecordErrorCode[errorName], message };
}

/** Thrown where record bytes cannot be read further (iteration, decoding, conversion). */
export class RecordFormatError extends Error {
  readonly errorName: RecordErrorName;
  readonly errorCode: number;
  constructor(errorName: RecordErrorName, message: string) {
    super(message);
    this.name = 'RecordFormatError';
    this.errorName = errorName;
    this.errorCode = RecordErrorCode[errorName];
  }

  static from(problem: RecordProblem): RecordFormatError {
    return new RecordFormatError(problem.errorName, problem.message);
  }
}

/** Broken internal invariant: a bug in the caller, not bad input. */
export function assertInvariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`records invariant broken: ${message}`);
}
