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
  /** Largest element count a protocol array may claim (checked before anything is allocated). */
  protocolArrayLengthMax: 1_000_000,
  /** Largest byte length of a protocol string (Kafka's limit: int16 max, compact strings too). */
  protocolStringBytesMax: 32_767,
  /** Largest byte length of a protocol bytes/records field (bounded by the frame size anyway). */
  protocolBytesMax: 100 * MiB,
  /** Largest number of tagged fields one protocol struct may carry. */
  protocolTaggedFieldsMax: 10_000,
  /** A connection stops reading while more response bytes than this wait in its socket buffer. */
  connectionWriteBufferBytesHigh: 8 * MiB,
  /** Graceful shutdown: how long in-flight requests may take before connections are cut. */
  shutdownDrainMs: 3_000,
  /** Largest arena (linear memory above its static tables) the WASM hot path may grow to. */
  wasmArenaBytesMax: 768 * MiB,
  /** crc32c copies input into the WASM arena in chunks of this size. */
  wasmCrcChunkBytes: 256 * KiB,
  /** Open segment file descriptors across all partition logs (idle ones are closed LRU-first). */
  logFileHandlesMax: 4_096,
  /** Distinct keys one compaction pass may hold in its key -> offset map (it cleans less when full). */
  cleanerOffsetMapEntriesMax: 2_000_000,
  /** Largest maxBytes one partition-log read honours (one batch larger than this is still returned whole). */
  logReadBytesMax: 64 * MiB,
  /**
   * Reads of a partition's active segment up to this size use a synchronous pread: the bytes
   * were just written and sit in the page cache, so a copy on the event loop is cheaper and
   * steadier than a thread-pool round trip. Larger or older reads go to the thread pool.
   */
  logSyncReadBytesMax: 1 * MiB,
  /** Read buffers (logSyncReadBytesMax each) kept for reuse by Fetch across the broker. */
  fetchReadBuffersMax: 64,
} as const;

export type Limits = typeof limits;
