// Encodes records into a v2 batch body as they are appended (varints written in place, key and
// value bytes copied once), leaving room for the 61-byte batch header in front. Sealing writes
// the header in place and computes the CRC (one accel crossing); compression, when configured,
// is one more crossing over the whole body. No per-record object survives the append.
import { accel } from '../accel/index.js';
import type { RecordHeader } from '../accel/types.js';
import { BatchField, CODEC_ID, CRC_START, LOG_OVERHEAD, MAGIC_V2, RECORD_BATCH_OVERHEAD, writeInt64, type CompressionName } from '../protocol/records/index.js';

const TWO_POW_31 = 0x8000_0000;

/** Bytes of the unsigned varint of a non-negative safe integer. */
function uvarintBytes(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x20_0000) return 3;
  if (value < 0x1000_0000) return 4;
  let bytes = 4;
  let rest = Math.floor(value / 0x1000_0000);
  while (rest > 0) {
    bytes++;
    rest = Math.floor(rest / 0x80);
  }
  return bytes;
}

/** Zigzag of a safe integer (as Kafka's varlong), as a non-negative number. */
function zigzag(value: number): number {
  if (value >= 0 && value < TWO_POW_31) return value * 2;
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

function bytesFieldSize(bytes: Uint8Array | null): number {
  return bytes === null ? 1 : uvarintBytes(zigzag(bytes.length)) + bytes.length;
}

function headersSize(headers: readonly RecordHeader[] | null | undefined): number {
  if (!headers) return 1;
  let size = uvarintBytes(zigzag(headers.length));
  for (const h of headers) size += bytesFieldSize(h.key) + bytesFieldSize(h.value);
  return size;
}

/** Writes the unsigned varint of a non-negative safe integer at pos; returns the next position. */
function writeUvarint(buf: Buffer, pos: number, value: number): number {
  if (value < 0x80) {
    buf[pos] = value;
    return pos + 1;
  }
  if (value < 0x4000) {
    buf[pos] = (value & 0x7f) | 0x80;
    buf[pos + 1] = value >>> 7;
    return pos + 2;
  }
  if (value < 0x20_0000) {
    buf[pos] = (value & 0x7f) | 0x80;
    buf[pos + 1] = ((value >>> 7) & 0x7f) | 0x80;
    buf[pos + 2] = value >>> 14;
    return pos + 3;
  }
  return writeLongUvarint(buf, pos, value);
}

/** writeUvarint past 3 bytes (values that may not fit 32-bit integer arithmetic). */
function writeLongUvarint(buf: Buffer, pos: number, value: number): number {
  let rest = value;
  let at = pos;
  while (rest >= 0x80) {
    buf[at++] = (rest % 0x80) | 0x80;
    rest = Math.floor(rest / 0x80);
  }
  buf[at] = rest;
  return at + 1;
}

/** Byte strings up to this size are copied with a loop (TypedArray.set costs about 25 ns whatever the size). */
const LOOP_COPY_BYTES_MAX = 8;

function writeBytesField(buf: Buffer, pos: number, bytes: Uint8Array | null): number {
  if (bytes === null) {
    buf[pos] = 1; // zigzag(-1)
    return pos + 1;
  }
  const length = bytes.length;
  const at = writeUvarint(buf, pos, length * 2);
  if (length <= LOOP_COPY_BYTES_MAX) {
    for (let i = 0; i < length; i++) buf[at + i] = bytes[i]!;
  } else {
    buf.set(bytes, at);
  }
  return at + length;
}

function writeHeaders(buf: Buffer, pos: number, headers: readonly RecordHeader[]): number {
  let at = writeUvarint(buf, pos, headers.length * 2);
  for (const h of headers) {
    at = writeBytesField(buf, at, h.key);
    at = writeBytesField(buf, at, h.value);
  }
  return at;
}

export interface BatchSealInput {
  compression: CompressionName;
  baseTimestampMs: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
}

/** Where a writer gets its buffer and trades it when it grows (a BatchBufferPool). */
export interface BufferSource {
  take(minBytes: number): Buffer;
  give(buffer: Buffer): void;
}

const UNPOOLED: BufferSource = {
  take: (minBytes) => Buffer.allocUnsafe(minBytes),
  give: () => undefined,
};

/** Bytes of a record body (after its length varint) with a null key and no headers. */
function plainBodyBytes(value: Uint8Array | null, timestampZigzag: number, offsetDelta: number): number {
  // attributes + timestamp delta + offset delta + null key + value + header count
  return 1 + uvarintBytes(timestampZigzag) + uvarintBytes(offsetDelta * 2) + 1 + bytesFieldSize(value) + 1;
}

function bodyBytes(key: Uint8Array | null, value: Uint8Array | null, headers: readonly RecordHeader[] | null | undefined, timestampZigzag: number, offsetDelta: number): number {
  if (key === null && !headers) return plainBodyBytes(value, timestampZigzag, offsetDelta);
  return 1 + uvarintBytes(timestampZigzag) + uvarintBytes(offsetDelta * 2) + bytesFieldSize(key) + bytesFieldSize(value) + headersSize(headers);
}

export class RecordBodyWriter {
  private buf: Buffer;
  private pos = RECORD_BATCH_OVERHEAD;
  private readonly source: BufferSource;
  recordCount = 0;
  maxTimestampDelta = 0;

  /** source: a pool to take the buffer from (and trade it with when the body outgrows it). */
  constructor(initialBytes: number, source: BufferSource = UNPOOLED) {
    this.source = source;
    this.buf = source.take(RECORD_BATCH_OVERHEAD + Math.max(initialBytes, 256));
  }

  /** The underlying buffer (for a pool, once the sealed batch is no longer referenced). */
  get buffer(): Buffer {
    return this.buf;
  }

  /** Bytes of encoded records so far. */
  get bodyBytes(): number {
    return this.pos - RECORD_BATCH_OVERHEAD;
  }

  private grow(extra: number): void {
    const grown = this.source.take(Math.max(this.buf.length * 2, this.pos + extra));
    this.buf.copy(grown, 0, 0, this.pos);
    this.source.give(this.buf);
    this.buf = grown;
  }

  /**
   * Appends one record unless it would take the body past bodyBytesMax (a first record always
   * fits); returns its encoded size in bytes, or -1 when it was not appended.
   */
  append(key: Uint8Array | null, value: Uint8Array | null, headers: readonly RecordHeader[] | null | undefined, timestampDelta: number, bodyBytesMax = Infinity): number {
    const offsetDelta = this.recordCount;
    const timestampZigzag = zigzag(timestampDelta);
    const size = bodyBytes(key, value, headers, timestampZigzag, offsetDelta);
    const total = uvarintBytes(size * 2) + size;
    const end = this.pos + total;
    if (end - RECORD_BATCH_OVERHEAD > bodyBytesMax && offsetDelta > 0) return -1;
    if (end > this.buf.length) this.grow(total);
    const buf = this.buf;
    let pos = writeUvarint(buf, this.pos, size * 2);
    buf[pos++] = 0; // attributes
    pos = writeUvarint(buf, pos, timestampZigzag);
    pos = writeUvarint(buf, pos, offsetDelta * 2);
    pos = writeBytesField(buf, pos, key);
    pos = writeBytesField(buf, pos, value);
    if (headers) pos = writeHeaders(buf, pos, headers);
    else buf[pos++] = 0;
    this.pos = pos;
    this.recordCount = offsetDelta + 1;
    if (timestampDelta > this.maxTimestampDelta) this.maxTimestampDelta = timestampDelta;
    return total;
  }

  /** The complete batch: header written in place (uncompressed) or around the compressed body. */
  seal(input: BatchSealInput): Buffer {
    const codec = input.compression;
    let batch: Buffer;
    if (codec === 'none') {
      batch = this.buf.subarray(0, this.pos);
    } else {
      const compressed = accel.compress(codec, this.buf.subarray(RECORD_BATCH_OVERHEAD, this.pos));
      batch = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + compressed.length);
      compressed.copy(batch, RECORD_BATCH_OVERHEAD);
    }
    this.writeHeader(batch, input);
    batch.writeUInt32BE(accel.crc32c(batch, CRC_START, batch.length) >>> 0, BatchField.crc);
    return batch;
  }

  private writeHeader(out: Buffer, input: BatchSealInput): void {
    writeInt64(out, BatchField.baseOffset, 0);
    out.writeInt32BE(out.length - LOG_OVERHEAD, BatchField.batchLength);
    out.writeInt32BE(-1, BatchField.partitionLeaderEpoch);
    out.writeInt8(MAGIC_V2, BatchField.magic);
    out.writeInt16BE(CODEC_ID[input.compression], BatchField.attributes);
    out.writeInt32BE(this.recordCount - 1, BatchField.lastOffsetDelta);
    writeInt64(out, BatchField.baseTimestamp, input.baseTimestampMs);
    writeInt64(out, BatchField.maxTimestamp, input.baseTimestampMs + this.maxTimestampDelta);
    writeInt64(out, BatchField.producerId, input.producerId);
    out.writeInt16BE(input.producerEpoch, BatchField.producerEpoch);
    out.writeInt32BE(input.baseSequence, BatchField.baseSequence);
    out.writeInt32BE(this.recordCount, BatchField.recordCount);
  }
}
