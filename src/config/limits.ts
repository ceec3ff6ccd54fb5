// Every bound the broker enforces that is not a Kafka-named config lives here.
// Kafka-named configs (socket.request.max.bytes, message.max.bytes, ...) live in src/config/.

const KiB = 1024;
const MiB = 1024 * KiB;

export const limits = {
  /** Largest output any single decompress call may produce (a guard against bombs). */
  decompressedBytesMax: 256 * MiB,
  /** Inputs at least this large go to the thread pool in the async compression functions. */
  asyncCompressionThresholdBytes: 64 * KiB,
  /** Largest record count a single batch may claim before its records are decoded. */
  batchRecordCountMax: 1_000_000,
  /** Largest number of headers one record may carry. */
  recordHeaderCountMax: 100_000,
} as const;

export type Limits = typeof limits;
