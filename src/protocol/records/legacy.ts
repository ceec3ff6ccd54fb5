// Magic v0/v1 message sets (Produce v0-2 sends them, Fetch v0-3 expects them).
//   message set := (offset int64, messageSize int32, message)*
//   message v0  := crc uint32, magic int8 = 0, attributes int8, key bytes, value bytes
//   message v1  := crc uint32, magic int8 = 1, attributes int8, timestamp int64, key bytes, value bytes
//   bytes       := length int32 (-1 = null), data
// The CRC is CRC32 (IEEE) over [magic .. end of message]. attributes: bits 0-2 codec, bit 3
// (v1) LogAppendTime. A compressed "wrapper" message's value is a compressed inner message set.
// Inner offsets: v0 absolute; v1 relative, the wrapper carrying the absolute offset of the last.
import { accel } from '../../accel/index.js';
import type { Accel, RecordInput } from '../../accel/types.js';
import { limits } from '../../config/limits.js';
import { codecOfId, iterateBatches, LOG_OVERHEAD, type CompressionName, type TimestampType } from './batch.js';
import { crc32 } from './crc32.js';
import { RecordFormatError } from './errors.js';
import { readInt64, writeInt64 } from './int64.js';
import { buildBatch, decodeBatchRecords } from './records.js';

export type LegacyMagic = 0 | 1;

const CRC_OFFSET = 0; // within the message (after offset and size)
const MAGIC_OFFSET = 4;
const ATTRIBUTES_OFFSET = 5;
const TIMESTAMP_OFFSET = 6;
const MESSAGE_BYTES_MIN: Readonly<Record<LegacyMagic, number>> = { 0: 14, 1: 22 };
const ATTRIBUTE_CODEC_MASK = 0x07;
const ATTRIBUTE_LOG_APPEND_TIME = 0x08;
/** Kafka's "no timestamp" (v0 messages have none). */
export const NO_TIMESTAMP = -1;

export interface LegacyMessage {
  /** Absolute offset (inner v1 offsets resolved against their wrapper). */
  offset: number;
  magic: LegacyMagic;
  /** The message's own attributes (the inner message's, for messages from a wrapper). */
  attributes: number;
  /** NO_TIMESTAMP for v0; the wrapper's for LogAppendTime wrappers. */
  timestampMs: number;
  timestampType: TimestampType | 'NoTimestamp';
  key: Buffer | null;
  value: Buffer | null;
  /** The codec of the wrapper this message came out of, 'none' if it was not wrapped. */
  wrapperCodec: CompressionName;
}

export interface LegacyParseOptions {
  /** When true (Produce), a partial trailing message is CORRUPT_MESSAGE; otherwise it is skipped. */
  strict?: boolean;
  maxDecompressedBytes?: number;
  hot?: Accel;
}

function corrupt(message: string): RecordFormatError {
  return new RecordFormatError('CORRUPT_MESSAGE', message);
}

interface BytesField {
  bytes: Buffer | null;
  next: number;
}

function readBytesField(buf: Buffer, pos: number, end: number, what: string): BytesField {
  if (end - pos < 4) throw corrupt(`message ${what} length runs past the message`);
  const length = buf.readInt32BE(pos);
  if (length === -1) return { bytes: null, next: pos + 4 };
  if (length < 0 || length > end - pos - 4) throw corrupt(`message ${what} length ${length} does not fit the message`);
  return { bytes: buf.subarray(pos + 4, pos + 4 + length), next: pos + 4 + length };
}

/** One message of a set, its CRC checked, before wrapper expansion. */
interface RawMessage {
  offset: number;
  magic: LegacyMagic;
  attributes: number;
  timestampMs: number;
  key: Buffer | null;
  value: Buffer | null;
}

function readMagic(buf: Buffer, messageStart: number): LegacyMagic {
  const magic = buf.readInt8(messageStart + MAGIC_OFFSET);
  if (magic === 0 || magic === 1) return magic;
  if (magic === 2) throw new RecordFormatError('INVALID_RECORD', 'a v2 record batch inside a v0/v1 message set');
  throw corrupt(`invalid magic ${magic}`);
}

function readRawMessage(buf: Buffer, entryStart: number, messageEnd: number): RawMessage {
  const start = entryStart + LOG_OVERHEAD;
  const magic = readMagic(buf, start);
  if (messageEnd - start < MESSAGE_BYTES_MIN[magic]) throw corrupt(`v${magic} message of ${messageEnd - start} bytes is below the minimum ${MESSAGE_BYTES_MIN[magic]}`);
  const storedCrc = buf.readUInt32BE(start + CRC_OFFSET);
  const computedCrc = crc32(buf.subarray(start + MAGIC_OFFSET, messageEnd));
  if (storedCrc !== computedCrc) throw corrupt(`message is corrupt (stored crc = ${storedCrc}, computed crc = ${computedCrc})`);
  const timestampMs = magic === 1 ? readInt64(buf, start + TIMESTAMP_OFFSET) : NO_TIMESTAMP;
  const key = readBytesField(buf, start + MESSAGE_BYTES_MIN[magic] - 8, messageEnd, 'key');
  const value = readBytesField(buf, key.next, messageEnd, 'value');
  if (value.next !== messageEnd) throw corrupt(`message has ${messageEnd - value.next} bytes after its value`);
  return { offset: readInt64(buf, entryStart), magic, attributes: buf.readInt8(start + ATTRIBUTES_OFFSET), timestampMs, key: key.bytes, value: value.bytes };
}

/** Walks the entries of a message set, calling visit for each whole one. */
function forEachRawMessage(buf: Buffer, start: number, end: number, strict: boolean, visit: (message: RawMessage) => void): void {
  let pos = start;
  while (pos < end) {
    if (end - pos < LOG_OVERHEAD + MAGIC_OFFSET + 1) break;
    const messageSize = buf.readInt32BE(pos + 8);
    if (messageSize < MESSAGE_BYTES_MIN[0]) throw corrupt(`message size ${messageSize} is below the minimum ${MESSAGE_BYTES_MIN[0]}`);
    if (messageSize > end - pos - LOG_OVERHEAD) break;
    visit(readRawMessage(buf, pos, pos + LOG_OVERHEAD + messageSize));
    pos += LOG_OVERHEAD + messageSize;
  }
  if (strict && pos !== end) throw corrupt(`message set ends with a partial message of ${end - pos} bytes`);
}

function timestampTypeOf(message: RawMessage): LegacyMessage['timestampType'] {
  if (message.magic === 0) return 'NoTimestamp';
  return (message.attributes & ATTRIBUTE_LOG_APPEND_TIME) !== 0 ? 'LogAppendTime' : 'CreateTime';
}

function plainMessage(raw: RawMessage, wrapperCodec: CompressionName): LegacyMessage {
  return { ...raw, timestampType: timestampTypeOf(raw), wrapperCodec };
}

function decompressWrapper(wrapper: RawMessage, codec: CompressionName, options: LegacyParseOptions): Buffer {
  if (codec === 'none' || codec === 'zstd') throw new RecordFormatError('INVALID_RECORD', `a v${wrapper.magic} wrapper cannot use ${codec}`);
  if (wrapper.value === null) throw corrupt('compressed wrapper message with a null value');
  const hot = options.hot ?? accel;
  try {
    return hot.decompress(codec, wrapper.value, options.maxDecompressedBytes ?? limits.decompressedBytesMax);
  } catch (err) {
    throw corrupt(`cannot decompress ${codec} wrapper: ${(err as Error).message}`);
  }
}

function innerMessages(wrapper: RawMessage, codec: CompressionName, options: LegacyParseOptions): RawMessage[] {
  const inner = decompressWrapper(wrapper, codec, options);
  const messages: RawMessage[] = [];
  forEachRawMessage(inner, 0, inner.length, true, (message) => {
    if ((message.attributes & ATTRIBUTE_CODEC_MASK) !== 0) throw new RecordFormatError('INVALID_RECORD', 'compressed message inside a compressed wrapper');
    if (message.magic !== wrapper.magic) throw new RecordFormatError('INVALID_RECORD', `inner magic ${message.magic} differs from wrapper magic ${wrapper.magic}`);
    messages.push(message);
  });
  return messages;
}

function unwrap(wrapper: RawMessage, options: LegacyParseOptions): LegacyMessage[] {
  const codec = codecOfId(wrapper.attributes & ATTRIBUTE_CODEC_MASK);
  if (codec === undefined) throw corrupt(`unknown compression codec id ${wrapper.attributes & ATTRIBUTE_CODEC_MASK}`);
  const inner = innerMessages(wrapper, codec, options);
  const lastInnerOffset = inner.length > 0 ? inner[inner.length - 1]!.offset : 0;
  const logAppendTime = wrapper.magic === 1 && (wrapper.attributes & ATTRIBUTE_LOG_APPEND_TIME) !== 0;
  return inner.map((message) => ({
    ...plainMessage(message, codec),
    offset: wrapper.magic === 1 ? wrapper.offset - lastInnerOffset + message.offset : message.offset,
    timestampMs: logAppendTime ? wrapper.timestampMs : message.timestampMs,
    timestampType: logAppendTime ? 'LogAppendTime' : timestampTypeOf(message),
  }));
}

/**
 * Parses a v0/v1 message set in buf[start, end), checking every CRC (wrappers' and inner
 * messages') and expanding compressed wrappers. Throws RecordFormatError (CORRUPT_MESSAGE for
 * bad bytes and CRCs, INVALID_RECORD for structure Kafka refuses) and nothing else.
 */
export function parseLegacyMessageSet(buf: Buffer, start = 0, end = buf.length, options: LegacyParseOptions = {}): LegacyMessage[] {
  const messages: LegacyMessage[] = [];
  forEachRawMessage(buf, start, end, options.strict === true, (raw) => {
    const expanded = (raw.attributes & ATTRIBUTE_CODEC_MASK) === 0 ? [plainMessage(raw, 'none')] : unwrap(raw, options);
    if (messages.length + expanded.length > limits.batchRecordCountMax) {
      throw new RecordFormatError('INVALID_RECORD', `message set holds more than ${limits.batchRecordCountMax} messages`);
    }
    messages.push(...expanded);
  });
  return messages;
}

export interface LegacyConversionOptions extends LegacyParseOptions {
  /** Codec of the v2 batch written, or a choice given the producer's codec; default 'none'. */
  compression?: CompressionName | ((sourceCompression: CompressionName) => CompressionName);
}

export interface LegacyConversion {
  batch: Buffer;
  magic: LegacyMagic;
  recordCount: number;
  /** The codec of the producer's wrappers ('none' if it sent none), for compression.type=producer. */
  sourceCompression: CompressionName;
}

function sourceCompressionOf(messages: readonly LegacyMessage[]): CompressionName {
  return messages.find((message) => message.wrapperCodec !== 'none')?.wrapperCodec ?? 'none';
}

function commonMagic(messages: readonly LegacyMessage[]): LegacyMagic {
  const magic = messages[0]!.magic;
  if (messages.some((message) => message.magic !== magic)) throw new RecordFormatError('INVALID_RECORD', 'message set mixes magic v0 and v1');
  return magic;
}

/**
 * Converts a Produce v0-2 message set into ONE v2 batch (baseOffset 0, offsets by position,
 * CreateTime; v0 records get timestamp -1). Headers do not exist before v2. The message set
 * must be whole and hold at least one message.
 */
export function convertLegacyToV2(buf: Buffer, start = 0, end = buf.length, options: LegacyConversionOptions = {}): LegacyConversion {
  const messages = parseLegacyMessageSet(buf, start, end, { ...options, strict: true });
  if (messages.length === 0) throw new RecordFormatError('INVALID_RECORD', 'empty message set');
  const magic = commonMagic(messages);
  const baseTimestamp = messages[0]!.timestampMs;
  const records: RecordInput[] = messages.map((message) => ({ key: message.key, value: message.value, timestampDelta: message.timestampMs - baseTimestamp }));
  const maxTimestamp = messages.reduce((max, message) => Math.max(max, message.timestampMs), NO_TIMESTAMP);
  const sourceCompression = sourceCompressionOf(messages);
  const choice = options.compression ?? 'none';
  const compression = typeof choice === 'function' ? choice(sourceCompression) : choice;
  const batch = buildBatch({ records, baseTimestamp, maxTimestamp, compression }, options.hot ?? accel);
  return { batch, magic, recordCount: messages.length, sourceCompression };
}

// ---- down-conversion: v2 batches -> v0/v1 message set ----------------------------------------

interface OutMessage {
  offset: number;
  timestampMs: number;
  logAppendTime: boolean;
  key: Buffer | null;
  value: Buffer | null;
}

function messageSize(magic: LegacyMagic, message: OutMessage): number {
  return MESSAGE_BYTES_MIN[magic] + (message.key?.length ?? 0) + (message.value?.length ?? 0);
}

function writeBytesField(out: Buffer, pos: number, bytes: Buffer | null): number {
  if (bytes === null) return out.writeInt32BE(-1, pos);
  out.writeInt32BE(bytes.length, pos);
  bytes.copy(out, pos + 4);
  return pos + 4 + bytes.length;
}

function writeMessage(out: Buffer, pos: number, magic: LegacyMagic, message: OutMessage): number {
  const size = messageSize(magic, message);
  writeInt64(out, pos, message.offset);
  out.writeInt32BE(size, pos + 8);
  const start = pos + LOG_OVERHEAD;
  out.writeInt8(magic, start + MAGIC_OFFSET);
  out.writeInt8(magic === 1 && message.logAppendTime ? ATTRIBUTE_LOG_APPEND_TIME : 0, start + ATTRIBUTES_OFFSET);
  if (magic === 1) writeInt64(out, start + TIMESTAMP_OFFSET, message.timestampMs);
  const afterKey = writeBytesField(out, start + MESSAGE_BYTES_MIN[magic] - 8, message.key);
  const end = writeBytesField(out, afterKey, message.value);
  out.writeUInt32BE(crc32(out.subarray(start + MAGIC_OFFSET, end)), start + CRC_OFFSET);
  return end;
}

export interface DownConversionOptions {
  /** Records below this offset are dropped (the fetch offset); default: keep all. */
  fromOffset?: number;
  maxDecompressedBytes?: number;
  hot?: Accel;
}

function collectOutMessages(buf: Buffer, start: number, end: number, options: DownConversionOptions): OutMessage[] {
  const messages: OutMessage[] = [];
  const fromOffset = options.fromOffset ?? Number.MIN_SAFE_INTEGER;
  for (const view of iterateBatches(buf, start, end)) {
    if (view.isControl || view.lastOffset < fromOffset) continue;
    const logAppendTime = view.timestampType === 'LogAppendTime';
    for (const record of decodeBatchRecords(view, options)) {
      const offset = view.baseOffset + record.offsetDelta;
      if (offset < fromOffset) continue;
      const timestampMs = logAppendTime ? view.maxTimestamp : view.baseTimestamp + record.timestampDelta;
      messages.push({ offset, timestampMs, logAppendTime, key: record.key, value: record.value });
    }
  }
  return messages;
}

/**
 * Down-converts the v2 batches in buf[start, end) (a partial trailing batch is ignored) to an
 * uncompressed v0 or v1 message set, for Fetch v0-3. Control batches are dropped, as are record
 * headers (v0/v1 cannot carry them); v0 loses timestamps. Throws RecordFormatError on bad batches.
 */
export function downConvertToLegacy(buf: Buffer, magic: LegacyMagic, start = 0, end = buf.length, options: DownConversionOptions = {}): Buffer {
  const messages = collectOutMessages(buf, start, end, options);
  let total = 0;
  for (const message of messages) total += LOG_OVERHEAD + messageSize(magic, message);
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  for (const message of messages) pos = writeMessage(out, pos, magic, message);
  if (pos !== total) throw new Error(`records invariant broken: down-conversion wrote ${pos} of ${total} bytes`);
  return out;
}
