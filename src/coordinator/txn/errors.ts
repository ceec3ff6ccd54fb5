// Error codes as each request version may carry them: clients older than KIP-588 do not know
// PRODUCER_FENCED, so Kafka answers them INVALID_PRODUCER_EPOCH instead.
import { ErrorCode } from '../../protocol/error-codes.js';

/** PRODUCER_FENCED -> INVALID_PRODUCER_EPOCH below the version that introduced it. */
export function fencedForVersion(errorCode: number, version: number, fencedMinVersion: number): number {
  if (errorCode === ErrorCode.PRODUCER_FENCED && version < fencedMinVersion) return ErrorCode.INVALID_PRODUCER_EPOCH;
  return errorCode;
}
