// Why a record body is malformed, by the reason codes wasm/assembly/records.ts and
// native/src/records.rs report (index = code). Both accelerated implementations turn a code
// and a record index into the same RecordDecodeError text.
import { RecordDecodeError } from './types.js';

export const RECORD_REASONS: readonly string[] = [
  'unknown error',
  'varint is too long or overflows 32 bits',
  'truncated',
  'record length is invalid',
  'key length is invalid',
  'value length is invalid',
  'header count is invalid',
  'header key length is invalid',
  'header value length is invalid',
  'record length does not match its fields',
  'bytes remain after the last record',
  'timestampDelta is outside the safe integer range',
];

/** The error for a reason code at record index of count (an index of count: after the last record). */
export function recordReasonError(reasonCode: number, index: number, count: number): RecordDecodeError {
  const reason = RECORD_REASONS[reasonCode] ?? 'unknown error';
  return new RecordDecodeError(index < count ? `record ${index}: ${reason}` : reason);
}
