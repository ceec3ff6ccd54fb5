// Snappy: the raw block format (varint length, then literal and copy elements), and the
// xerial framing Kafka's Java client writes (16-byte header, then [int32 BE length][block]).
// Written from the published format description.

import { ERR_CORRUPT, ERR_OUTPUT_FULL, ERR_TRUNCATED } from './errors';
import { readPos, readUvarint, readValue, writeUvarint } from './varint';

const FRAGMENT_BYTES: usize = 65536;
const HASH_LOG: u32 = 14;
const HASH_TABLE: usize = memory.data(2 << HASH_LOG, 16);
/** Input bytes left at the end of a fragment that are never the start of a match. */
const INPUT_MARGIN: usize = 15;

const TAG_LITERAL: u32 = 0;
const TAG_COPY1: u32 = 1;
const TAG_COPY2: u32 = 2;

const XERIAL_HEADER_BYTES: usize = 16;

// @ts-ignore: decorator
@inline function hash4(sequence: u32): usize {
  return <usize>((sequence * 0x1e35a7bd) >>> (32 - HASH_LOG)) << 1;
}

/** Bytes snappyCompress may write for srcLen input bytes. */
export function snappyBound(srcLen: i32): i32 {
  return 32 + srcLen + srcLen / 6;
}

function writeLiteral(op: usize, src: usize, len: usize): usize {
  const n = len - 1;
  if (n < 60) {
    store<u8>(op, <u8>(n << 2));
    op++;
  } else {
    const extraBytes: usize = n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
    store<u8>(op, <u8>((59 + extraBytes) << 2));
    store<u32>(op + 1, <u32>n); // little endian; bytes beyond extraBytes are overwritten below
    op += 1 + extraBytes;
  }
  memory.copy(op, src, len);
  return op + len;
}

// @ts-ignore: decorator
@inline function writeCopy2(op: usize, offset: usize, len: usize): usize {
  store<u8>(op, <u8>(TAG_COPY2 | (<u32>(len - 1) << 2)));
  store<u16>(op + 1, <u16>offset);
  return op + 3;
}

function writeCopy(op: usize, offset: usize, len: usize): usize {
  while (len >= 68) {
    op = writeCopy2(op, offset, 64);
    len -= 64;
  }
  if (len > 64) {
    op = writeCopy2(op, offset, 60);
    len -= 60;
  }
  if (len >= 12 || offset >= 2048) return writeCopy2(op, offset, len);
  store<u8>(op, <u8>(TAG_COPY1 | (<u32>(len - 4) << 2) | (<u32>(offset >> 8) << 5)));
  store<u8>(op + 1, <u8>offset);
  return op + 2;
}

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

/** Compresses one fragment (<= 64 KiB; matches stay inside it) to op; returns the new op. */
function compressFragment(src: usize, len: usize, op: usize): usize {
  const end = src + len;
  let anchor = src;
  if (len >= INPUT_MARGIN) {
    memory.fill(HASH_TABLE, 0, 2 << HASH_LOG);
    const ipLimit = end - INPUT_MARGIN;
    let ip = src + 1;
    while (ip <= ipLimit) {
      const sequence = load<u32>(ip);
      const slot = HASH_TABLE + hash4(sequence);
      const candidate = src + <usize>load<u16>(slot);
      store<u16>(slot, <u16>(ip - src));
      if (candidate >= ip || load<u32>(candidate) != sequence) {
        ip += 1 + ((ip - anchor) >> 5);
        continue;
      }
      if (ip > anchor) op = writeLiteral(op, anchor, ip - anchor);
      const matchLen = <usize>4 + commonLength(ip + 4, candidate + 4, end);
      op = writeCopy(op, ip - candidate, matchLen);
      ip += matchLen;
      anchor = ip;
    }
  }
  if (end > anchor) op = writeLiteral(op, anchor, end - anchor);
  return op;
}

/**
 * Compresses [src, src + srcLen) to a raw snappy block at dst. Returns the size, or
 * ERR_OUTPUT_FULL if dstCap < snappyBound(srcLen).
 */
export function snappyCompress(src: usize, srcLen: i32, dst: usize, dstCap: i32): i32 {
  if (dstCap < snappyBound(srcLen)) return ERR_OUTPUT_FULL;
  let op = writeUvarint(dst, <u64>srcLen);
  let ip = src;
  const end = src + <usize>srcLen;
  while (ip < end) {
    const fragment = min<usize>(end - ip, FRAGMENT_BYTES);
    op = compressFragment(ip, fragment, op);
    ip += fragment;
  }
  return <i32>(op - dst);
}

/** Copies length bytes from op - offset to op; the regions may overlap (offset < length). */
// @ts-ignore: decorator
@inline function copyBack(op: usize, offset: usize, length: usize, room: usize): void {
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

/** Reads the literal length that follows a tag with a 60..63 length code; -1 if truncated. */
let literalCursor: usize = 0;
function readLongLiteralLength(ip: usize, end: usize, code: u32): i64 {
  const extraBytes = <usize>(code - 59);
  if (end - ip < extraBytes) return -1;
  let n: u64 = 0;
  for (let i: usize = 0; i < extraBytes; i++) n |= <u64>load<u8>(ip + i) << (<u64>i << 3);
  literalCursor = ip + extraBytes;
  return <i64>n + 1;
}

/**
 * Decompresses a raw snappy block [src, src + srcLen) to [dst, dst + dstCap). Returns the
 * bytes written (exactly the length the block declares) or an error code.
 */
export function snappyDecompress(src: usize, srcLen: usize, dst: usize, dstCap: usize): i32 {
  const end = src + srcLen;
  readUvarint(src, end, 5);
  if (readPos < 0) return <i32>readPos;
  if (readValue > 0xffffffff) return ERR_CORRUPT;
  if (<u64>readValue > <u64>dstCap) return ERR_OUTPUT_FULL;
  let ip = <usize>readPos;
  let op = dst;
  const opEnd = dst + <usize>readValue;
  while (ip < end) {
    const tag = <u32>load<u8>(ip);
    ip++;
    const kind = tag & 3;
    if (kind == TAG_LITERAL) {
      let len = <i64>(tag >> 2) + 1;
      if (len > 60) {
        len = readLongLiteralLength(ip, end, tag >> 2);
        if (len < 0) return ERR_TRUNCATED;
        ip = literalCursor;
      }
      if (<u64>len > <u64>(end - ip)) return ERR_TRUNCATED;
      if (<u64>len > <u64>(opEnd - op)) return ERR_CORRUPT;
      if (len <= 16 && end - ip >= 16 && opEnd - op >= 16) {
        v128.store(op, v128.load(ip));
      } else {
        memory.copy(op, ip, <usize>len);
      }
      op += <usize>len;
      ip += <usize>len;
      continue;
    }
    let len: usize;
    let offset: usize;
    if (kind == TAG_COPY1) {
      if (ip >= end) return ERR_TRUNCATED;
      len = 4 + ((tag >> 2) & 7);
      offset = (<usize>(tag >> 5) << 8) | <usize>load<u8>(ip);
      ip++;
    } else if (kind == TAG_COPY2) {
      if (end - ip < 2) return ERR_TRUNCATED;
      len = (tag >> 2) + 1;
      offset = <usize>load<u16>(ip);
      ip += 2;
    } else {
      if (end - ip < 4) return ERR_TRUNCATED;
      len = (tag >> 2) + 1;
      offset = <usize>load<u32>(ip);
      ip += 4;
    }
    if (offset == 0 || offset > op - dst) return ERR_CORRUPT;
    if (len > opEnd - op) return ERR_CORRUPT;
    copyBack(op, offset, len, opEnd - op);
    op += len;
  }
  if (op != opEnd) return ERR_TRUNCATED;
  return <i32>(op - dst);
}

/** True if [src, src + srcLen) starts with the xerial header magic (0x82 'SNAPPY' 0x00). */
export function isXerial(src: usize, srcLen: usize): bool {
  if (srcLen < 8) return false;
  return load<u32>(src) == 0x414e5382 && load<u32>(src, 4) == 0x00595050;
}

// @ts-ignore: decorator
@inline function loadU32BE(p: usize): u32 {
  return bswap<u32>(load<u32>(p));
}

/**
 * Sums the uncompressed lengths that the blocks of a xerial stream declare, checking the
 * framing. Returns the total (capped at 0x7fffffff) or an error code.
 */
export function xerialLength(src: usize, srcLen: usize): i32 {
  if (srcLen < XERIAL_HEADER_BYTES) return ERR_TRUNCATED;
  const end = src + srcLen;
  let ip = src + XERIAL_HEADER_BYTES;
  let total: u64 = 0;
  while (ip < end) {
    if (end - ip < 4) return ERR_TRUNCATED;
    const blockLen = loadU32BE(ip);
    ip += 4;
    if (<usize>blockLen > end - ip) return ERR_TRUNCATED;
    readUvarint(ip, ip + <usize>blockLen, 5);
    if (readPos < 0) return <i32>readPos;
    total += <u64>readValue;
    if (total > 0x7fffffff) return 0x7fffffff;
    ip += <usize>blockLen;
  }
  return <i32>total;
}

/** Decompresses a xerial stream whose blocks xerialLength accepted. Returns bytes written. */
export function xerialDecompress(src: usize, srcLen: usize, dst: usize, dstCap: usize): i32 {
  const end = src + srcLen;
  let ip = src + XERIAL_HEADER_BYTES;
  let op = dst;
  const opEnd = dst + dstCap;
  while (ip < end) {
    if (end - ip < 4) return ERR_TRUNCATED;
    const blockLen = loadU32BE(ip);
    ip += 4;
    if (<usize>blockLen > end - ip) return ERR_TRUNCATED;
    const written = snappyDecompress(ip, <usize>blockLen, op, opEnd - op);
    if (written < 0) return written;
    op += <usize>written;
    ip += <usize>blockLen;
  }
  return <i32>(op - dst);
}
