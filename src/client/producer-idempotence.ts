// What an idempotent producer does with a batch's answer (the rules of the Java client's
// Sender and TransactionManager, written from their documented behaviour):
// - NONE, DUPLICATE_SEQUENCE_NUMBER: delivered (a duplicate was written by an earlier attempt).
// - OUT_OF_ORDER_SEQUENCE_NUMBER while an earlier batch of the partition is unanswered or waits
//   for a retry: that earlier batch failed first; retry this one after it, in sequence order.
// - OUT_OF_ORDER_SEQUENCE_NUMBER for the partition's first unacknowledged batch, or
//   UNKNOWN_PRODUCER_ID: the broker's sequence state and ours cannot be reconciled; bump the
//   producer epoch once nothing is in flight (sequences restart at 0) and retry.
// - INVALID_PRODUCER_EPOCH, PRODUCER_FENCED: another producer owns the id; fatal.
// - Other retriable errors (and lost connections): retry in sequence order.
import { ErrorCode } from '../protocol/error-codes.js';
import { isRetriable, isRetriableCode, KafkaError } from './errors.js';

export type AnswerOutcome = 'delivered' | 'retry' | 'retryAfterEpochBump' | 'fatal' | 'failed';

/** Sequence numbers are int32 and wrap to 0 after this. */
export const SEQUENCE_MAX = 0x7fffffff;

const FATAL_CODES: ReadonlySet<number> = new Set([ErrorCode.INVALID_PRODUCER_EPOCH, ErrorCode.PRODUCER_FENCED]);

/** Outcome of a Produce answer (errorCode) for an idempotent batch. */
export function idempotentOutcome(errorCode: number, earlierBatchUnacked: boolean): AnswerOutcome {
  if (errorCode === ErrorCode.NONE || errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) return 'delivered';
  if (FATAL_CODES.has(errorCode)) return 'fatal';
  if (errorCode === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER) return earlierBatchUnacked ? 'retry' : 'retryAfterEpochBump';
  if (errorCode === ErrorCode.UNKNOWN_PRODUCER_ID) return 'retryAfterEpochBump';
  return isRetriableCode(errorCode) ? 'retry' : 'failed';
}

/** Outcome of a Produce answer for a batch of a producer without idempotence. */
export function plainOutcome(errorCode: number): AnswerOutcome {
  if (errorCode === ErrorCode.NONE) return 'delivered';
  return isRetriableCode(errorCode) ? 'retry' : 'failed';
}

/** Whether an InitProducerId failure is worth another try (else the producer cannot go on). */
export function initProducerIdRetriable(err: unknown): boolean {
  if (isRetriable(err)) return true;
  if (!(err instanceof KafkaError)) return false;
  return err.errorCode === ErrorCode.CONCURRENT_TRANSACTIONS || err.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
}

/** The sequence after a batch of recordCount records starting at baseSequence. */
export function sequenceAfter(baseSequence: number, recordCount: number): number {
  return (baseSequence + recordCount) % (SEQUENCE_MAX + 1);
}
