// LZ4 block format: sequences of (token, literal length, literals, offset, match length).
// The compressor is a greedy single-probe hash-table matcher; the decoder checks every bound.
import { CompressionError } from '../types.js';

const MATCH_BYTES_MIN = 4;
/** The last LAST_LITERAL_BYTES of a block are always literals. */
const LAST_LITERAL_BYTES = 5;
/** The last match starts at least MATCH_FIND_LIMIT_BYTES before the end of the block. */
const MATCH_FIND_LIMIT_BYTES = 12;
const OFFSET_MAX = 65535;
const HASH_BITS_MAX = 14;
const HASH_BITS_MIN = 8;
const SKIP_SHIFT = 6;
/** Copies shorter than this go byte by byte (Buffer.copy allocates a view per call). */
const SHORT_COPY_BYTES = 64;

export type OverrunKind = 'corrupt' | 'too-large';

/** Largest compressed size of a block of inputBytes. */
export function lz4BlockBound(inputBytes: number): number {
  return inputBytes + Math.floor(inputBytes / 255) + 16;
}


function load32(buf: Buffer, i: number): number {
  return buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
}

/** One table, reused by every call (compression is synchronous, so calls never overlap). */
const TABLE = new Int32Array(1 << HASH_BITS_MAX);

/** Smaller inputs use a smaller part of the table, so clearing it stays cheap. */
export function hashBitsFor(inputBytes: number): number {
  return Math.min(HASH_BITS_MAX, Math.max(HASH_BITS_MIN, 32 - Math.clz32(inputBytes)));
}

function writeLength(out: Buffer, at: number, extra: number): number {
  while (extra >= 255) {
    out[at++] = 255;
    extra -= 255;
  }
  out[at++] = extra;
  return at;
}

function emitSequence(
  out: Buffer,
  at: number,
  src: Buffer,
  literalStart: number,
  literalEnd: number,
  offset: number,
  matchBytes: number,
): number {
  const literalBytes = literalEnd - literalStart;
  const matchCode = matchBytes - MATCH_BYTES_MIN;
  const tokenAt = at++;
  out[tokenAt] = (Math.min(literalBytes, 15) << 4) | Math.min(matchCode, 15);
  if (literalBytes >= 15) at = writeLength(out, at, literalBytes - 15);
  copyLiterals(src, literalStart, out, at, literalBytes);
  at += literalBytes;
  out[at++] = offset & 0xff;
  out[at++] = offset >>> 8;
  if (matchCode >= 15) at = writeLength(out, at, matchCode - 15);
  return at;
}

function emitLastLiterals(out: Buffer, at: number, src: Buffer, literalStart: number, end: number): number {
  const literalBytes = end - literalStart;
  out[at++] = Math.min(literalBytes, 15) << 4;
  if (literalBytes >= 15) at = writeLength(out, at, literalBytes - 15);
  src.copy(out, at, literalStart, end);
  return at + literalBytes;
}

/**
 * Compresses src[start, end) as one independent block into out at `at` (out must have
 * lz4BlockBound(end - start) bytes free); returns the end of the compressed block.
 */
export function lz4CompressBlock(src: Buffer, start: number, end: number, out: Buffer, at: number): number {
  const hashBits = hashBitsFor(end - start);
  const hashShift = 32 - hashBits;
  const table = TABLE;
  table.fill(-1, 0, 1 << hashBits);
  const searchEnd = end - MATCH_FIND_LIMIT_BYTES;
  const matchLimit = end - LAST_LITERAL_BYTES;
  let literalStart = start;
  let i = start;
  let misses = 0;
  while (i < searchEnd) {
    const word = load32(src, i);
    const slot = Math.imul(word, 2654435761) >>> hashShift;
    const candidate = table[slot]!;
    table[slot] = i;
    if (candidate < 0 || i - candidate > OFFSET_MAX || load32(src, candidate) !== word) {
      i += 1 + (misses++ >>> SKIP_SHIFT);
      continue;
    }
    misses = 0;
    const matchEnd = extendMatch(src, i + MATCH_BYTES_MIN, candidate + MATCH_BYTES_MIN, matchLimit);
    at = emitSequence(out, at, src, literalStart, i, i - candidate, matchEnd - i);
    i = matchEnd;
    literalStart = i;
  }
  return emitLastLiterals(out, at, src, literalStart, end);
}

/** The end of the match that continues at `at` from `from`, compared 4 bytes at a time. */
function extendMatch(src: Buffer, at: number, from: number, limit: number): number {
  while (at + 4 <= limit && load32(src, at) === load32(src, from)) {
    at += 4;
    from += 4;
  }
  while (at < limit && src[at] === src[from]) {
    at++;
    from++;
  }
  return at;
}

function fail(kind: OverrunKind | 'truncated', message: string): never {
  throw new CompressionError('lz4', kind, message);
}

/** Reads the 255-run extension of a length field at src[at]; returns [extra, next offset]. */
function readLength(src: Buffer, at: number, end: number): [number, number] {
  let extra = 0;
  for (;;) {
    if (at >= end) fail('corrupt', 'block ends inside a length');
    const byte = src[at++]!;
    extra += byte;
    if (byte !== 255) return [extra, at];
  }
}

function copyMatch(out: Buffer, o: number, offset: number, length: number): void {
  let from = o - offset;
  if (offset >= length && length >= SHORT_COPY_BYTES) {
    out.copyWithin(o, from, from + length);
    return;
  }
  const end = o + length;
  while (o < end) out[o++] = out[from++]!;
}

function copyLiterals(src: Buffer, at: number, out: Buffer, o: number, length: number): void {
  if (length >= SHORT_COPY_BYTES) {
    src.copy(out, o, at, at + length);
    return;
  }
  for (let k = 0; k < length; k++) out[o + k] = src[at + k]!;
}

/**
 * The exact number of bytes the block src[at, end) decodes to, found by walking its sequence
 * headers without copying anything (so output can be sized and capped before allocation).
 * Stops early, returning a value above limitBytes, once the total passes limitBytes.
 */
export function lz4BlockDecodedBytes(src: Buffer, at: number, end: number, limitBytes: number): number {
  let total = 0;
  for (;;) {
    if (at >= end) fail('corrupt', 'block ends before its last literals');
    const token = src[at++]!;
    let literalBytes = token >>> 4;
    if (literalBytes === 15) {
      let extra: number;
      [extra, at] = readLength(src, at, end);
      literalBytes += extra;
    }
    if (literalBytes > end - at) fail('corrupt', 'literals run past the block');
    at += literalBytes;
    total += literalBytes;
    if (at === end) return total;
    if (at + 2 > end) fail('corrupt', 'block ends inside a match offset');
    at += 2;
    let matchBytes = (token & 15) + MATCH_BYTES_MIN;
    if (matchBytes === 15 + MATCH_BYTES_MIN) {
      let extra: number;
      [extra, at] = readLength(src, at, end);
      matchBytes += extra;
    }
    total += matchBytes;
    if (total > limitBytes) return total;
  }
}

export interface BlockTarget {
  out: Buffer;
  /** Where this block's output starts. */
  outStart: number;
  /** The block may not write at or beyond this. */
  outLimit: number;
  /** Matches may reach back to here (block start if independent, frame start if linked). */
  windowStart: number;
  /** What running into outLimit means. */
  overrunKind: OverrunKind;
}

/** Decodes the block src[at, end) into the target; returns the end of its output. */
export function lz4DecompressBlock(src: Buffer, at: number, end: number, target: BlockTarget): number {
  const { out, outLimit, windowStart, overrunKind } = target;
  let o = target.outStart;
  for (;;) {
    if (at >= end) fail('corrupt', 'block ends before its last literals');
    const token = src[at++]!;
    let literalBytes = token >>> 4;
    if (literalBytes === 15) {
      let byte = 255;
      while (byte === 255) {
        if (at >= end) fail('corrupt', 'block ends inside a literal length');
        byte = src[at++]!;
        literalBytes += byte;
      }
    }
    if (literalBytes > end - at) fail('corrupt', 'literals run past the block');
    if (literalBytes > outLimit - o) fail(overrunKind, 'literals run past the output limit');
    copyLiterals(src, at, out, o, literalBytes);
    at += literalBytes;
    o += literalBytes;
    if (at === end) return o;
    if (at + 2 > end) fail('corrupt', 'block ends inside a match offset');
    const offset = src[at]! | (src[at + 1]! << 8);
    at += 2;
    if (offset === 0 || offset > o - windowStart) fail('corrupt', `match offset ${offset} is outside the window`);
    let matchBytes = (token & 15) + MATCH_BYTES_MIN;
    if (matchBytes === 15 + MATCH_BYTES_MIN) {
      let byte = 255;
      while (byte === 255) {
        if (at >= end) fail('corrupt', 'block ends inside a match length');
        byte = src[at++]!;
        matchBytes += byte;
      }
    }
    if (matchBytes > outLimit - o) fail(overrunKind, 'match runs past the output limit');
    copyMatch(out, o, offset, matchBytes);
    o += matchBytes;
  }
}
