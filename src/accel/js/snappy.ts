// Snappy raw block format (varint uncompressed length, then literal / copy elements), plus
// reading of the xerial framing that the Java client writes.
import { CompressionError } from '../types.js';

const LITERAL = 0;
const COPY_1 = 1;
const COPY_2 = 2;
const COPY_4 = 3;
/** Compression works in independent fragments so every copy offset fits copy-2. */
const FRAGMENT_BYTES = 65536;
const HASH_BITS_MAX = 14;
const HASH_BITS_MIN = 8;
/** Copies shorter than this go byte by byte (Buffer.copy has a fixed call cost). */
const SHORT_COPY_BYTES = 32;
const SLACK_BYTES_MAX = 64 * 1024;
/** One table, reused by every call (compression is synchronous, so calls never overlap). */
const TABLE = new Int32Array(1 << HASH_BITS_MAX);
const MATCH_BYTES_MIN = 4;
/** The last bytes of a fragment are always literals (no match search there). */
const INPUT_MARGIN_BYTES = 15;
/** After 2^SKIP_SHIFT misses in a row the search steps faster through incompressible input. */
const SKIP_SHIFT = 5;
const UNCOMPRESSED_LENGTH_MAX = 0xffffffff;

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;

function fail(kind: 'corrupt' | 'truncated' | 'too-large', message: string): never {
  throw new CompressionError('snappy', kind, message);
}

// ---- compression -------------------------------------------------------------------------

/** Worst case: the varint plus literals of every byte with their tag bytes. */
export function snappyCompressBound(inputBytes: number): number {
  return 32 + inputBytes + Math.ceil(inputBytes / 6);
}

function writeUvarint(out: Buffer, offset: number, value: number): number {
  while (value >= 128) {
    out[offset++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  out[offset++] = value;
  return offset;
}

function emitLiteral(out: Buffer, at: number, src: Buffer, start: number, end: number): number {
  const lengthMinusOne = end - start - 1;
  if (lengthMinusOne < 60) {
    out[at++] = (lengthMinusOne << 2) | LITERAL;
  } else if (lengthMinusOne < 0x100) {
    out[at++] = (60 << 2) | LITERAL;
    out[at++] = lengthMinusOne;
  } else {
    out[at++] = (61 << 2) | LITERAL;
    out[at++] = lengthMinusOne & 0xff;
    out[at++] = lengthMinusOne >>> 8;
  }
  copyBytes(src, start, out, at, end - start);
  return at + (end - start);
}

function copyBytes(src: Buffer, from: number, out: Buffer, to: number, length: number): void {
  if (length >= SHORT_COPY_BYTES) {
    src.copy(out, to, from, from + length);
    return;
  }
  for (let k = 0; k < length; k++) out[to + k] = src[from + k]!;
}

function emitCopy(out: Buffer, at: number, offset: number, length: number): number {
  while (length >= 68) {
    at = emitCopy2(out, at, offset, 64);
    length -= 64;
  }
  if (length > 64) {
    at = emitCopy2(out, at, offset, 60);
    length -= 60;
  }
  if (length < 12 && offset < 2048) {
    out[at++] = ((offset >>> 8) << 5) | ((length - 4) << 2) | COPY_1;
    out[at++] = offset & 0xff;
    return at;
  }
  return emitCopy2(out, at, offset, length);
}

function emitCopy2(out: Buffer, at: number, offset: number, length: number): number {
  out[at++] = ((length - 1) << 2) | COPY_2;
  out[at++] = offset & 0xff;
  out[at++] = offset >>> 8;
  return at;
}

function load32(buf: Buffer, i: number): number {
  return buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
}

/** Compresses src[start, end) (at most FRAGMENT_BYTES) into out at `at`; returns the new end. */
function compressFragment(src: Buffer, start: number, end: number, out: Buffer, at: number): number {
  const hashBits = Math.min(HASH_BITS_MAX, Math.max(HASH_BITS_MIN, 32 - Math.clz32(end - start)));
  const hashShift = 32 - hashBits;
  const table = TABLE;
  table.fill(-1, 0, 1 << hashBits);
  let literalStart = start;
  let i = start;
  let misses = 0;
  const searchEnd = end - INPUT_MARGIN_BYTES;
  while (i < searchEnd) {
    const word = load32(src, i);
    const slot = Math.imul(word, 0x1e35a7bd) >>> hashShift;
    const candidate = table[slot]!;
    table[slot] = i;
    if (candidate < 0 || load32(src, candidate) !== word) {
      i += 1 + (misses++ >>> SKIP_SHIFT);
      continue;
    }
    misses = 0;
    let matchEnd = i + MATCH_BYTES_MIN;
    while (matchEnd < end && src[matchEnd] === src[candidate + matchEnd - i]) matchEnd++;
    if (literalStart < i) at = emitLiteral(out, at, src, literalStart, i);
    at = emitCopy(out, at, i - candidate, matchEnd - i);
    i = matchEnd;
    literalStart = i;
  }
  if (literalStart < end) at = emitLiteral(out, at, src, literalStart, end);
  return at;
}

/** Snappy raw block of src. */
export function snappyCompress(src: Buffer): Buffer {
  if (src.length > UNCOMPRESSED_LENGTH_MAX) throw new RangeError('snappy: input exceeds 4 GiB');
  const out = Buffer.allocUnsafe(snappyCompressBound(src.length));
  let at = writeUvarint(out, 0, src.length);
  for (let start = 0; start < src.length; start += FRAGMENT_BYTES) {
    at = compressFragment(src, start, Math.min(src.length, start + FRAGMENT_BYTES), out, at);
  }
  // Incompressible input needs the bound; typical input leaves slack, which is not retained.
  return out.length - at > SLACK_BYTES_MAX ? Buffer.from(out.subarray(0, at)) : out.subarray(0, at);
}

// ---- decompression -----------------------------------------------------------------------

interface BlockHeader {
  uncompressedBytes: number;
  /** Offset of the first element after the length varint. */
  bodyStart: number;
}

function readBlockHeader(src: Buffer, start: number, end: number): BlockHeader {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 5; i++) {
    if (start + i >= end) fail('truncated', 'input ends inside the uncompressed length');
    const byte = src[start + i]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      if (value > UNCOMPRESSED_LENGTH_MAX) fail('corrupt', `uncompressed length ${value} exceeds 32 bits`);
      return { uncompressedBytes: value, bodyStart: start + i + 1 };
    }
    scale *= 128;
  }
  return fail('corrupt', 'uncompressed length varint is longer than 5 bytes');
}

/** Length of a literal whose tag code is >= 60 (1 to 4 length bytes follow the tag at src[at]). */
function readLongLiteralLength(src: Buffer, at: number, end: number, code: number): number {
  const extraBytes = code - 59;
  if (at + extraBytes > end) fail('truncated', 'input ends inside a literal length');
  let lengthMinusOne = 0;
  for (let k = 0; k < extraBytes; k++) lengthMinusOne += src[at + k]! * 2 ** (8 * k);
  return lengthMinusOne + 1;
}

/** Decodes the elements of one block in src[at, end) into out[outStart, outEnd) exactly. */
function decodeElements(src: Buffer, at: number, end: number, out: Buffer, outStart: number, outEnd: number): void {
  let o = outStart;
  while (at < end) {
    const tag = src[at++]!;
    const type = tag & 3;
    if (type === LITERAL) {
      const code = tag >>> 2;
      let length = code + 1;
      if (code >= 60) {
        length = readLongLiteralLength(src, at, end, code);
        at += code - 59;
      }
      if (length > end - at) fail('truncated', 'input ends inside a literal');
      if (length > outEnd - o) fail('corrupt', 'literal overruns the declared length');
      copyBytes(src, at, out, o, length);
      at += length;
      o += length;
      continue;
    }
    let length: number;
    let offset: number;
    if (type === COPY_1) {
      if (at + 1 > end) fail('truncated', 'input ends inside a copy');
      length = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[at++]!;
    } else if (type === COPY_2) {
      if (at + 2 > end) fail('truncated', 'input ends inside a copy');
      length = (tag >>> 2) + 1;
      offset = src[at]! | (src[at + 1]! << 8);
      at += 2;
    } else {
      if (at + 4 > end) fail('truncated', 'input ends inside a copy');
      length = (tag >>> 2) + 1;
      offset = src.readUInt32LE(at);
      at += 4;
    }
    if (offset === 0 || offset > o - outStart) fail('corrupt', `copy offset ${offset} is outside the output`);
    if (length > outEnd - o) fail('corrupt', 'copy overruns the declared length');
    o = copyWithin(out, o, offset, length);
  }
  if (o !== outEnd) fail('truncated', `block ends after ${o - outStart} of ${outEnd - outStart} bytes`);
}

function copyWithin(out: Buffer, o: number, offset: number, length: number): number {
  if (offset >= length && length >= SHORT_COPY_BYTES) {
    out.copyWithin(o, o - offset, o - offset + length);
    return o + length;
  }
  const end = o + length;
  for (let from = o - offset; o < end; ) out[o++] = out[from++]!;
  return o;
}

function checkCap(uncompressedBytes: number, maxOutputBytes: number): void {
  if (uncompressedBytes > maxOutputBytes) {
    fail('too-large', `declared length ${uncompressedBytes} exceeds the ${maxOutputBytes}-byte cap`);
  }
}

function decompressRaw(src: Buffer, maxOutputBytes: number): Buffer {
  const header = readBlockHeader(src, 0, src.length);
  checkCap(header.uncompressedBytes, maxOutputBytes);
  const out = Buffer.allocUnsafe(header.uncompressedBytes);
  decodeElements(src, header.bodyStart, src.length, out, 0, out.length);
  return out;
}

export function isXerial(src: Buffer): boolean {
  return src.length >= XERIAL_MAGIC.length && src.compare(XERIAL_MAGIC, 0, XERIAL_MAGIC.length, 0, XERIAL_MAGIC.length) === 0;
}

interface XerialChunk {
  header: BlockHeader;
  end: number;
}

/** Walks the xerial chunks, reading only each block's declared length. */
function xerialChunks(src: Buffer, maxOutputBytes: number): { chunks: XerialChunk[]; totalBytes: number } {
  if (src.length < XERIAL_HEADER_BYTES) fail('truncated', 'xerial header is incomplete');
  const chunks: XerialChunk[] = [];
  let totalBytes = 0;
  for (let at = XERIAL_HEADER_BYTES; at < src.length; ) {
    if (at + 4 > src.length) fail('truncated', 'input ends inside a xerial chunk length');
    const chunkBytes = src.readUInt32BE(at);
    const chunkEnd = at + 4 + chunkBytes;
    if (chunkEnd > src.length) fail('truncated', `xerial chunk of ${chunkBytes} bytes runs past the input`);
    const header = readBlockHeader(src, at + 4, chunkEnd);
    totalBytes += header.uncompressedBytes;
    checkCap(totalBytes, maxOutputBytes);
    chunks.push({ header, end: chunkEnd });
    at = chunkEnd;
  }
  return { chunks, totalBytes };
}

function decompressXerial(src: Buffer, maxOutputBytes: number): Buffer {
  const { chunks, totalBytes } = xerialChunks(src, maxOutputBytes);
  const out = Buffer.allocUnsafe(totalBytes);
  let outStart = 0;
  for (const chunk of chunks) {
    const outEnd = outStart + chunk.header.uncompressedBytes;
    decodeElements(src, chunk.header.bodyStart, chunk.end, out, outStart, outEnd);
    outStart = outEnd;
  }
  return out;
}

/** Decompresses a raw snappy block or a xerial-framed stream, capped at maxOutputBytes. */
export function snappyDecompress(src: Buffer, maxOutputBytes: number): Buffer {
  return isXerial(src) ? decompressXerial(src, maxOutputBytes) : decompressRaw(src, maxOutputBytes);
}
