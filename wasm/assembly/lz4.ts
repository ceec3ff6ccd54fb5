// LZ4: the block format and the frame format (magic 0x184D2204) that Kafka uses.
// Written from the published format descriptions. Every read and write is checked against
// the bounds the caller passes; failures return an error code from ./errors.

import {
  ERR_CHECKSUM, ERR_CORRUPT, ERR_HEADER_CHECKSUM, ERR_OUTPUT_FULL, ERR_TRUNCATED, ERR_UNSUPPORTED,
} from './errors';
import { xxh32 } from './xxh32';

const FRAME_MAGIC: u32 = 0x184d2204;
const SKIPPABLE_MAGIC_MASK: u32 = 0xfffffff0;
const SKIPPABLE_MAGIC: u32 = 0x184d2a50;
const UNCOMPRESSED_BIT: u32 = 0x80000000;

const MIN_MATCH: i32 = 4;
/** The last LAST_LITERALS bytes of a block are always literals. */
const LAST_LITERALS: usize = 5;
/** A match must start at least MF_LIMIT bytes before the end of the block. */
const MF_LIMIT: usize = 12;
const MAX_OFFSET: usize = 65535;

/** Block size we write: 64 KiB (BD id 4), what Kafka's own writer uses. */
export const LZ4_BLOCK_BYTES: i32 = 65536;
const HASH_LOG: u32 = 14;
const HASH_TABLE: usize = memory.data(4 << HASH_LOG, 16);

// @ts-ignore: decorator
@inline function hash4(sequence: u32): usize {
  return <usize>((sequence * 2654435761) >>> (32 - HASH_LOG)) << 2;
}

/** Length of the common prefix of a and b, reading no further than aLimit on a. */
// @ts-ignore: decorator
@inline function commonLength(a: usize, b: usize, aLimit: usize): usize {
  const start = a;
  while (aLimit - a >= 8) {
    const diff = load<u64>(a) ^ load<u64>(b);
    if (diff != 0) return a - start + <usize>(ctz<u64>(diff) >> 3);
    a += 8;
    b += 8;
  }
  while (a < aLimit && load<u8>(a) == load<u8>(b)) {
    a++;
    b++;
  }
  return a - start;
}

/** Writes a length's 255-continuation bytes (the part beyond the token's 15). */
// @ts-ignore: decorator
@inline function writeLengthTail(op: usize, rest: usize): usize {
  while (rest >= 255) {
    store<u8>(op, 255);
    op++;
    rest -= 255;
  }
  store<u8>(op, <u8>rest);
  return op + 1;
}

/** Writes one sequence (literals, then a match unless matchLength is 0). */
function writeSequence(op: usize, literals: usize, literalLength: usize, offset: usize, matchLength: usize): usize {
  const token = op;
  op++;
  let tokenValue: u32 = literalLength >= 15 ? 0xf0 : <u32>literalLength << 4;
  if (literalLength >= 15) op = writeLengthTail(op, literalLength - 15);
  memory.copy(op, literals, literalLength);
  op += literalLength;
  if (matchLength != 0) {
    store<u16>(op, <u16>offset);
    op += 2;
    const extra = matchLength - <usize>MIN_MATCH;
    tokenValue |= extra >= 15 ? 15 : <u32>extra;
    if (extra >= 15) op = writeLengthTail(op, extra - 15);
  }
  store<u8>(token, <u8>tokenValue);
  return op;
}

/**
 * Compresses [src, src + srcLen) (srcLen <= 64 KiB) as one LZ4 block at dst. The caller
 * provides srcLen + srcLen / 255 + 16 bytes at dst. Returns the compressed size.
 */
export function lz4CompressBlock(src: usize, srcLen: usize, dst: usize): usize {
  const end = src + srcLen;
  let op = dst;
  let anchor = src;
  if (srcLen > MF_LIMIT) {
    memory.fill(HASH_TABLE, 0, 4 << HASH_LOG);
    const matchLimit = end - LAST_LITERALS;
    const startLimit = end - MF_LIMIT;
    let ip = src + 1;
    while (ip < startLimit) {
      const sequence = load<u32>(ip);
      const slot = HASH_TABLE + hash4(sequence);
      let ref = src + <usize>load<u32>(slot);
      store<u32>(slot, <u32>(ip - src));
      if (ref >= ip || ip - ref > MAX_OFFSET || load<u32>(ref) != sequence) {
        ip += 1 + ((ip - anchor) >> 6);
        continue;
      }
      while (ip > anchor && ref > src && load<u8>(ip - 1) == load<u8>(ref - 1)) {
        ip--;
        ref--;
      }
      const matchLength = <usize>4 + commonLength(ip + 4, ref + 4, matchLimit);
      op = writeSequence(op, anchor, ip - anchor, ip - ref, matchLength);
      ip += matchLength;
      anchor = ip;
      if (ip - 2 >= src && ip < startLimit) {
        store<u32>(HASH_TABLE + hash4(load<u32>(ip - 2)), <u32>(ip - 2 - src));
      }
    }
  }
  op = writeSequence(op, anchor, end - anchor, 0, 0);
  return op - dst;
}

/** Where the last readLengthTail stopped. */
let lengthCursor: usize = 0;

/**
 * Reads a length's 255-continuation bytes at ip, adding them to base; returns the total (and
 * sets lengthCursor), or -1 if the input ends first or the length passes 1 GiB.
 */
function readLengthTail(ip: usize, end: usize, base: usize): isize {
  let total = base;
  for (;;) {
    if (ip >= end) return -1;
    const b = <usize>load<u8>(ip);
    ip++;
    total += b;
    if (b != 255) break;
    if (total > 0x40000000) return -1;
  }
  lengthCursor = ip;
  return <isize>total;
}

/**
 * Copies a match of length bytes from op - offset to op; the regions may overlap. `room` is
 * the writable space at op: with 16 bytes of slack, whole 16-byte chunks are copied.
 */
// @ts-ignore: decorator
@inline function copyMatch(op: usize, offset: usize, length: usize, room: usize): void {
  const ref = op - offset;
  if (offset >= 16 && room - length >= 16) {
    for (let i: usize = 0; i < length; i += 16) v128.store(op + i, v128.load(ref + i));
    return;
  }
  if (offset >= length) {
    memory.copy(op, ref, length);
    return;
  }
  for (let i: usize = 0; i < length; i++) store<u8>(op + i, load<u8>(ref + i));
}

/**
 * Decompresses one LZ4 block [src, src + srcLen) to [dst, dstEnd). Matches may reach back to
 * windowStart. Returns the bytes written, ERR_CORRUPT or ERR_OUTPUT_FULL.
 */
export function lz4DecompressBlock(src: usize, srcLen: usize, dst: usize, dstEnd: usize, windowStart: usize): i32 {
  let ip = src;
  const end = src + srcLen;
  let op = dst;
  while (ip < end) {
    const token = <usize>load<u8>(ip);
    ip++;
    let literalLength = token >> 4;
    if (literalLength == 15) {
      const total = readLengthTail(ip, end, 15);
      if (total < 0) return ERR_CORRUPT;
      literalLength = <usize>total;
      ip = lengthCursor;
    }
    if (literalLength > end - ip) return ERR_CORRUPT;
    if (literalLength > dstEnd - op) return ERR_OUTPUT_FULL;
    if (literalLength <= 16 && end - ip >= 16 && dstEnd - op >= 16) {
      v128.store(op, v128.load(ip));
    } else {
      memory.copy(op, ip, literalLength);
    }
    op += literalLength;
    ip += literalLength;
    if (ip == end) return <i32>(op - dst);
    if (end - ip < 2) return ERR_CORRUPT;
    const offset = <usize>load<u16>(ip);
    ip += 2;
    if (offset == 0 || offset > op - windowStart) return ERR_CORRUPT;
    let matchLength = token & 15;
    if (matchLength == 15) {
      const total = readLengthTail(ip, end, 15);
      if (total < 0) return ERR_CORRUPT;
      matchLength = <usize>total;
      ip = lengthCursor;
    }
    matchLength += <usize>MIN_MATCH;
    if (matchLength > dstEnd - op) return ERR_OUTPUT_FULL;
    copyMatch(op, offset, matchLength, dstEnd - op);
    op += matchLength;
  }
  return ERR_CORRUPT;
}

/** Bytes lz4FrameCompress may write for srcLen input bytes. */
export function lz4FrameBound(srcLen: i32): i32 {
  const blocks = (srcLen + LZ4_BLOCK_BYTES - 1) / LZ4_BLOCK_BYTES;
  return 7 + 4 + blocks * 4 + srcLen + LZ4_BLOCK_BYTES / 255 + 16;
}

/**
 * Writes [src, src + srcLen) as one LZ4 frame: independent 64 KiB blocks, no checksums, no
 * content size. Blocks that do not shrink are stored uncompressed. Returns the frame size, or
 * ERR_OUTPUT_FULL if dstCap < lz4FrameBound(srcLen).
 */
export function lz4FrameCompress(src: usize, srcLen: i32, dst: usize, dstCap: i32): i32 {
  if (dstCap < lz4FrameBound(srcLen)) return ERR_OUTPUT_FULL;
  store<u32>(dst, FRAME_MAGIC);
  store<u8>(dst, 0x60, 4); // FLG: version 01, independent blocks
  store<u8>(dst, 0x40, 5); // BD: 64 KiB blocks
  store<u8>(dst, <u8>((xxh32(dst + 4, 2, 0) >> 8) & 0xff), 6);
  let op = dst + 7;
  let ip = src;
  const end = src + <usize>srcLen;
  while (ip < end) {
    const blockLen = min<usize>(end - ip, <usize>LZ4_BLOCK_BYTES);
    const compressedLen = lz4CompressBlock(ip, blockLen, op + 4);
    if (compressedLen < blockLen) {
      store<u32>(op, <u32>compressedLen);
      op += 4 + compressedLen;
    } else {
      store<u32>(op, <u32>blockLen | UNCOMPRESSED_BIT);
      memory.copy(op + 4, ip, blockLen);
      op += 4 + blockLen;
    }
    ip += blockLen;
  }
  store<u32>(op, 0);
  return <i32>(op + 4 - dst);
}

// Frame descriptor flags.
const FLG_BLOCK_INDEPENDENT: u32 = 0x20;
const FLG_BLOCK_CHECKSUM: u32 = 0x10;
const FLG_CONTENT_SIZE: u32 = 0x08;
const FLG_CONTENT_CHECKSUM: u32 = 0x04;
const FLG_RESERVED: u32 = 0x02;
const FLG_DICT_ID: u32 = 0x01;

/** State of the frame being read, shared by the helpers below. */
let frameIn: usize = 0;
let frameOut: usize = 0;

/** Declared content size of the frame being read (when FLG has C.Size). */
let frameContentSize: f64 = 0;

/**
 * Parses and checks a frame header at frameIn; returns FLG | BD << 8, or an error. A declared
 * content size above capBytes gives ERR_OUTPUT_FULL. Checks run in the JS reference's order.
 */
function readFrameHeader(end: usize, capBytes: f64): i32 {
  const start = frameIn;
  if (end - start < 6) return ERR_TRUNCATED;
  const flg = <u32>load<u8>(start, 4);
  const bd = <u32>load<u8>(start, 5);
  if (flg >> 6 != 1 || (flg & FLG_RESERVED) != 0 || (bd & 0x8f) != 0) return ERR_CORRUPT;
  if ((flg & FLG_DICT_ID) != 0) return ERR_UNSUPPORTED;
  if ((bd >> 4) < 4) return ERR_CORRUPT;
  const descriptorLen: usize = 2 + ((flg & FLG_CONTENT_SIZE) != 0 ? 8 : 0);
  frameContentSize = 0;
  if ((flg & FLG_CONTENT_SIZE) != 0) {
    if (end - start < 14) return ERR_TRUNCATED;
    frameContentSize = <f64>load<u64>(start, 6);
    if (frameContentSize > capBytes) return ERR_OUTPUT_FULL;
  }
  if (end - start < 4 + descriptorLen + 1) return ERR_TRUNCATED;
  const stored = <u32>load<u8>(start + 4 + descriptorLen);
  const standard = (xxh32(start + 4, descriptorLen, 0) >> 8) & 0xff;
  // KAFKA-3160: Kafka clients before 0.10 hashed the magic bytes too.
  const oldKafka = (xxh32(start, 4 + descriptorLen, 0) >> 8) & 0xff;
  if (stored != standard && stored != oldKafka) return ERR_HEADER_CHECKSUM;
  frameIn = start + 4 + descriptorLen + 1;
  return <i32>(flg | (bd << 8));
}

/** Reads one data block at frameIn, appending to frameOut. Returns 1 at the end mark, 0 or error. */
function readBlock(end: usize, outEnd: usize, flg: u32, blockMax: usize, frameStart: usize): i32 {
  if (end - frameIn < 4) return ERR_TRUNCATED;
  const header = load<u32>(frameIn);
  frameIn += 4;
  if (header == 0) return 1;
  const size = <usize>(header & ~UNCOMPRESSED_BIT);
  if (size > blockMax) return ERR_CORRUPT;
  const checksumLen: usize = (flg & FLG_BLOCK_CHECKSUM) != 0 ? 4 : 0;
  if (end - frameIn < size + checksumLen) return ERR_TRUNCATED;
  if (checksumLen != 0 && xxh32(frameIn, size, 0) != load<u32>(frameIn + size)) return ERR_CHECKSUM;
  if ((header & UNCOMPRESSED_BIT) != 0) {
    if (size > outEnd - frameOut) return ERR_OUTPUT_FULL;
    memory.copy(frameOut, frameIn, size);
    frameOut += size;
  } else {
    const blockLimited = outEnd - frameOut > blockMax;
    const blockEnd = blockLimited ? frameOut + blockMax : outEnd;
    const window = (flg & FLG_BLOCK_INDEPENDENT) != 0 ? frameOut : frameStart;
    const written = lz4DecompressBlock(frameIn, size, frameOut, blockEnd, window);
    if (written == ERR_OUTPUT_FULL && blockLimited) return ERR_CORRUPT;
    if (written < 0) return written;
    frameOut += <usize>written;
  }
  frameIn += size + checksumLen;
  return 0;
}

/** Reads one frame (header at frameIn) to frameOut. Returns 0 or an error. */
function readFrame(end: usize, outEnd: usize): i32 {
  const header = readFrameHeader(end, Infinity);
  if (header < 0) return header;
  const flg = <u32>header & 0xff;
  const blockMax = <usize>1 << (8 + 2 * ((<u32>header >> 12) & 7));
  const frameStart = frameOut;
  for (;;) {
    const status = readBlock(end, outEnd, flg, blockMax, frameStart);
    if (status < 0) return status;
    if (status == 1) break;
  }
  if ((flg & FLG_CONTENT_CHECKSUM) != 0) {
    if (end - frameIn < 4) return ERR_TRUNCATED;
    if (xxh32(frameStart, frameOut - frameStart, 0) != load<u32>(frameIn)) return ERR_CHECKSUM;
    frameIn += 4;
  }
  return 0;
}

/**
 * Decompresses the LZ4 frames (and skippable frames) in [src, src + srcLen) to
 * [dst, dst + dstCap). Returns the bytes written or an error code. A content size in the
 * header is not trusted for allocation here (the caller sizes dst) but is checked.
 */
export function lz4FrameDecompress(src: usize, srcLen: usize, dst: usize, dstCap: usize): i32 {
  const end = src + srcLen;
  const outEnd = dst + dstCap;
  frameIn = src;
  frameOut = dst;
  if (srcLen == 0) return ERR_TRUNCATED;
  while (frameIn < end) {
    if (end - frameIn < 4) return frameIn == src ? ERR_TRUNCATED : ERR_CORRUPT;
    const magic = load<u32>(frameIn);
    if ((magic & SKIPPABLE_MAGIC_MASK) == SKIPPABLE_MAGIC) {
      if (end - frameIn < 8) return ERR_TRUNCATED;
      const skip = <usize>load<u32>(frameIn, 4);
      if (end - frameIn - 8 < skip) return ERR_TRUNCATED;
      frameIn += 8 + skip;
      continue;
    }
    if (magic != FRAME_MAGIC) return ERR_CORRUPT;
    const contentStart = frameOut;
    const hasSize = (load<u8>(frameIn, 4) & FLG_CONTENT_SIZE) != 0 && end - frameIn >= 14;
    const contentSize = hasSize ? load<u64>(frameIn, 6) : 0;
    const status = readFrame(end, outEnd);
    if (status < 0) return status;
    if (hasSize && <u64>(frameOut - contentStart) != contentSize) return ERR_CORRUPT;
  }
  return <i32>(frameOut - dst);
}

/**
 * Walks the sequences of one compressed block without writing anything; returns the bytes it
 * decodes to, stopping early once past limitBytes, or ERR_CORRUPT.
 */
function blockDecodedSize(src: usize, srcLen: usize, limitBytes: f64): f64 {
  let ip = src;
  const end = src + srcLen;
  let total: f64 = 0;
  while (ip < end) {
    const token = <usize>load<u8>(ip);
    ip++;
    let literalLength = token >> 4;
    if (literalLength == 15) {
      const length = readLengthTail(ip, end, 15);
      if (length < 0) return ERR_CORRUPT;
      literalLength = <usize>length;
      ip = lengthCursor;
    }
    if (literalLength > end - ip) return ERR_CORRUPT;
    ip += literalLength;
    total += <f64>literalLength;
    if (ip == end) return total;
    if (end - ip < 2) return ERR_CORRUPT;
    ip += 2;
    let matchLength = token & 15;
    if (matchLength == 15) {
      const length = readLengthTail(ip, end, 15);
      if (length < 0) return ERR_CORRUPT;
      matchLength = <usize>length;
      ip = lengthCursor;
    }
    total += <f64>(matchLength + <usize>MIN_MATCH);
    if (total > limitBytes) return total;
  }
  return ERR_CORRUPT;
}

/**
 * Walks one frame's blocks at frameIn (after its header): returns the bytes they decode to,
 * ERR_OUTPUT_FULL once the running total passes capBytes, or another error.
 */
function blocksDecodedSize(end: usize, flg: u32, blockMax: usize, capBytes: f64): f64 {
  const checksumLen: usize = (flg & FLG_BLOCK_CHECKSUM) != 0 ? 4 : 0;
  let total: f64 = 0;
  for (;;) {
    if (end - frameIn < 4) return ERR_TRUNCATED;
    const header = load<u32>(frameIn);
    frameIn += 4;
    if (header == 0) return total;
    const size = <usize>(header & ~UNCOMPRESSED_BIT);
    if (end - frameIn < size + checksumLen) return ERR_TRUNCATED;
    if (size > blockMax) return ERR_CORRUPT;
    let decoded = <f64>size;
    if ((header & UNCOMPRESSED_BIT) == 0) {
      decoded = blockDecodedSize(frameIn, size, min<f64>(<f64>blockMax, capBytes - total + 1));
      if (decoded < 0) return decoded;
    }
    if (decoded > <f64>blockMax) return ERR_CORRUPT;
    total += decoded;
    if (total > capBytes) return ERR_OUTPUT_FULL;
    frameIn += size + checksumLen;
  }
  return ERR_CORRUPT; // not reached: the loop returns
}

/** Checks one frame's structure at frameIn; returns the exact bytes it decodes to, or an error. */
function frameDecodedSize(end: usize, capBytes: f64): f64 {
  const header = readFrameHeader(end, capBytes);
  if (header < 0) return <f64>header;
  const flg = <u32>header & 0xff;
  const contentSize = frameContentSize;
  const blockMax = <usize>1 << (8 + 2 * ((<u32>header >> 12) & 7));
  const total = blocksDecodedSize(end, flg, blockMax, capBytes);
  if (total < 0) return total;
  if ((flg & FLG_CONTENT_CHECKSUM) != 0) {
    if (end - frameIn < 4) return ERR_TRUNCATED;
    frameIn += 4;
  }
  if ((flg & FLG_CONTENT_SIZE) != 0 && contentSize != total) return ERR_CORRUPT;
  return total;
}

/**
 * Pass 1 of decompression: checks the structure of the frames in [src, src + srcLen) (magic,
 * descriptor, header checksum, block sizes, sequence lengths, truncation) and returns the
 * exact number of bytes they decode to. Past capBytes: ERR_OUTPUT_FULL. Offsets and
 * checksums are checked by pass 2 (lz4FrameDecompress).
 */
export function lz4FrameDecodedSize(src: usize, srcLen: usize, capBytes: f64): f64 {
  const end = src + srcLen;
  frameIn = src;
  if (srcLen < 4) return ERR_TRUNCATED;
  let total: f64 = 0;
  while (frameIn < end) {
    if (end - frameIn < 4) return ERR_TRUNCATED;
    const magic = load<u32>(frameIn);
    if ((magic & SKIPPABLE_MAGIC_MASK) == SKIPPABLE_MAGIC) {
      if (end - frameIn < 8) return ERR_TRUNCATED;
      const skip = <usize>load<u32>(frameIn, 4);
      if (end - frameIn - 8 < skip) return ERR_TRUNCATED;
      frameIn += 8 + skip;
      continue;
    }
    if (magic != FRAME_MAGIC) return ERR_CORRUPT;
    const size = frameDecodedSize(end, capBytes - total);
    if (size < 0) return size;
    total += size;
  }
  return total;
}
