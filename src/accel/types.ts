// The hot-path interface. Three implementations sit behind it: Rust N-API (native/),
// AssemblyScript WASM (wasm/) and the TypeScript reference (src/accel/js/). The loader in
// src/accel/index.ts picks one; every function here has a parity test across all three.

export type AccelImplementation = 'native' | 'wasm' | 'js';

/** Kafka's compression codecs, by the names Kafka configs use. */
export type Codec = 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** Kafka's attribute ids (the low 3 bits of a v2 batch's attributes). */
export const CODEC_IDS: Readonly<Record<Codec | 'none', number>> = {
  none: 0,
  gzip: 1,
  snappy: 2,
  lz4: 3,
  zstd: 4,
};

export type CompressionErrorKind =
  | 'corrupt' // the input is not a valid stream of this codec (bad magic, checksum, bounds)
  | 'truncated' // the input ends before the stream does
  | 'too-large' // the output would exceed maxOutputBytes
  | 'unsupported'; // this implementation cannot do this codec (zstd without native)

/** The one error type compress/decompress may raise for bad input. */
export class CompressionError extends Error {
  readonly codec: Codec;
  readonly kind: CompressionErrorKind;
  constructor(codec: Codec, kind: CompressionErrorKind, message: string) {
    super(`${codec}: ${message}`);
    this.name = 'CompressionError';
    this.codec = codec;
    this.kind = kind;
  }
}

/** One record header, as Kafka's v2 record carries it (key is a non-null string of bytes). */
export interface RecordHeader {
  key: Buffer;
  value: Buffer | null;
}

/** One record to encode into a v2 batch body. offsetDelta is the record's index in the batch. */
export interface RecordInput {
  key: Buffer | null;
  value: Buffer | null;
  headers?: readonly RecordHeader[] | null;
  /** Record timestamp minus the batch's baseTimestamp, in ms. Default 0. */
  timestampDelta?: number;
}

/** One record decoded from a v2 batch body. key/value/headers are views into the input buffer. */
export interface DecodedRecord {
  attributes: number;
  timestampDelta: number;
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/**
 * What Produce validation needs from a v2 record body, gathered by scanRecords without
 * materialising records. An implementation returns the same object on every call (no
 * allocation per call): read it before the next scanRecords.
 */
export interface RecordScan {
  /** Smallest timestampDelta (0 when the body holds no record). */
  timestampDeltaMin: number;
  /** Largest timestampDelta (0 when the body holds no record). */
  timestampDeltaMax: number;
  /** Records whose key is null. */
  nullKeyCount: number;
  /** Index of the first record whose offsetDelta is not its index, or -1. */
  offsetDeltaMismatchIndex: number;
}

/** Raised by decodeRecords and scanRecords on a malformed record body. */
export class RecordDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordDecodeError';
  }
}

/**
 * Segment file I/O on descriptors. `flags` are node's fs.constants (O_RDONLY, O_RDWR, O_CREAT,
 * ...). Positions and lengths are byte counts below 2^53. Errors are thrown as node-style
 * errors with a `code` ('ENOENT', 'EBADF', ...).
 */
export interface FileIo {
  open(path: string, flags: number, mode?: number): number;
  close(fd: number): void;
  /** Writes all of buf at position; returns bytes written (== buf.length). */
  pwrite(fd: number, buf: Buffer, position: number): number;
  /** Writes all buffers, in order, starting at position, in one system call where possible. */
  pwritev(fd: number, bufs: readonly Buffer[], position: number): number;
  /** Reads up to length bytes at position into buf[offset..]; returns bytes read (0 at EOF). */
  pread(fd: number, buf: Buffer, offset: number, length: number, position: number): number;
  fdatasync(fd: number): void;
  /** Reserves [offset, offset+length) on disk; a no-op where the file system cannot. */
  fallocate(fd: number, offset: number, length: number): void;
  /** Size of the open file in bytes. */
  fileSize(fd: number): number;
  /** Truncates (or extends with zeros) the open file to length bytes. */
  ftruncate(fd: number, length: number): void;

  pwriteAsync(fd: number, buf: Buffer, position: number): Promise<number>;
  pwritevAsync(fd: number, bufs: readonly Buffer[], position: number): Promise<number>;
  preadAsync(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number>;
  fdatasyncAsync(fd: number): Promise<void>;
}

export interface Accel {
  readonly implementation: AccelImplementation;

  /** CRC32C (Castagnoli) of buf[start, end), continuing from seed (a previous CRC, default 0). */
  crc32c(buf: Buffer, start?: number, end?: number, seed?: number): number;

  /** Compresses with Kafka's framing: gzip stream, raw snappy block, LZ4 frame, zstd frame. */
  compress(codec: Codec, buf: Buffer): Buffer;
  /**
   * Decompresses. Accepts what Kafka clients write: snappy raw or xerial-framed, LZ4 frames
   * with a correct or the old broken header checksum. Output is capped by maxOutputBytes
   * (default limits.decompressedBytesMax); beyond it, CompressionError 'too-large'.
   */
  decompress(codec: Codec, buf: Buffer, maxOutputBytes?: number): Buffer;
  /** As compress, off the event loop (libuv thread pool) for large inputs where possible. */
  compressAsync(codec: Codec, buf: Buffer): Promise<Buffer>;
  decompressAsync(codec: Codec, buf: Buffer, maxOutputBytes?: number): Promise<Buffer>;

  /** Zigzag varlong encoding of each value (safe integers), concatenated. */
  encodeVarints(values: readonly number[]): Buffer;
  /** Decodes count zigzag varlongs from buf at offset. Throws RecordDecodeError on bad input. */
  decodeVarints(buf: Buffer, offset: number, count: number): number[];

  /**
   * Encodes records as a v2 batch body: the concatenation of records (length varint,
   * attributes 0, timestampDelta varlong, offsetDelta = index, key, value, headers), exactly
   * what follows the 61-byte batch header in an uncompressed batch.
   */
  encodeRecords(records: readonly RecordInput[]): Buffer;
  /**
   * Decodes `count` records from buf[start, end). Key, value and header slices are views into
   * buf (no copy). Throws RecordDecodeError if the bytes do not hold exactly `count` records.
   */
  decodeRecords(buf: Buffer, start: number, end: number, count: number): DecodedRecord[];
  /**
   * Checks, in one pass and one crossing, that buf[start, end) holds exactly `count` records
   * by decodeRecords' rules (it throws RecordDecodeError exactly when decodeRecords would), and
   * returns what Produce validation needs. The result object is reused by the next call.
   */
  scanRecords(buf: Buffer, start: number, end: number, count: number): RecordScan;

  readonly file: FileIo;
}
