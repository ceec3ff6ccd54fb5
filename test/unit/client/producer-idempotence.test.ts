// The idempotent producer's answer rules (producer-idempotence.ts), one row per case the Java
// client distinguishes: delivered, retry in order, retry after an epoch bump, fatal, failed.
import { describe, expect, it } from 'vitest';
import { idempotentOutcome, plainOutcome, sequenceAfter, SEQUENCE_MAX } from '../../../src/client/producer-idempotence.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';

describe('idempotentOutcome', () => {
  it.each([
    ['NONE', ErrorCode.NONE, false, 'delivered'],
    ['DUPLICATE_SEQUENCE_NUMBER (written by an earlier attempt)', ErrorCode.DUPLICATE_SEQUENCE_NUMBER, false, 'delivered'],
    ['OUT_OF_ORDER_SEQUENCE_NUMBER behind an unanswered batch', ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, true, 'retry'],
    ['OUT_OF_ORDER_SEQUENCE_NUMBER for the first unacknowledged batch', ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, false, 'retryAfterEpochBump'],
    ['UNKNOWN_PRODUCER_ID', ErrorCode.UNKNOWN_PRODUCER_ID, false, 'retryAfterEpochBump'],
    ['INVALID_PRODUCER_EPOCH', ErrorCode.INVALID_PRODUCER_EPOCH, false, 'fatal'],
    ['PRODUCER_FENCED', ErrorCode.PRODUCER_FENCED, true, 'fatal'],
    ['NOT_LEADER_OR_FOLLOWER', ErrorCode.NOT_LEADER_OR_FOLLOWER, false, 'retry'],
    ['CORRUPT_MESSAGE', ErrorCode.CORRUPT_MESSAGE, false, 'retry'],
    ['MESSAGE_TOO_LARGE', ErrorCode.MESSAGE_TOO_LARGE, true, 'failed'],
  ])('%s', (_name, errorCode, earlierUnacked, outcome) => {
    expect(idempotentOutcome(errorCode, earlierUnacked)).toBe(outcome);
  });
});

describe('plainOutcome', () => {
  it('retries only retriable codes and never asks for an epoch bump', () => {
    expect(plainOutcome(ErrorCode.NONE)).toBe('delivered');
    expect(plainOutcome(ErrorCode.NOT_LEADER_OR_FOLLOWER)).toBe('retry');
    expect(plainOutcome(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)).toBe('failed');
    expect(plainOutcome(ErrorCode.MESSAGE_TOO_LARGE)).toBe('failed');
  });
});

describe('sequenceAfter', () => {
  it('wraps at int32 max as the broker expects', () => {
    expect(sequenceAfter(10, 5)).toBe(15);
    expect(sequenceAfter(SEQUENCE_MAX, 1)).toBe(0);
    expect(sequenceAfter(SEQUENCE_MAX - 1, 3)).toBe(1);
  });
});
