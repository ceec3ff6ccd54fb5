// Walks the batches of a segment file by their headers, in fixed-size chunks (so a corrupt
// length field never causes an allocation). With validation it checks what recovery checks:
// the length fits the file, magic is 2, offsets only grow, and the CRC32C matches.
import type { FileIo } from '../accel/types.js';
import {
  BATCH_HEADER_BYTES,
  BATCH_LENGTH_MIN,
  CRC_START,
  Field,
  baseOffsetOf,
  batchSizeOf,
  lastOffsetDeltaOf,
  magicOf,
  maxTimestampOf,
} from './batch-header.js';

export interface ScannedBatch {
  position: number;
  sizeBytes: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}

export type ScanStop = 'end' | 'truncated' | 'bad-length' | 'bad-magic' | 'bad-offset' | 'bad-crc' | 'visitor';

export interface ScanResult {
  /** Position just after the last batch visited (the first invalid byte when stop is bad-*). */
  endPosition: number;
  stop: ScanStop;
}

export interface ScanOptions {
  io: FileIo;
  fd: number;
  startPosition: number;
  endPosition: number;
  chunkBytes: number;
  /** With a crc32c function, CRCs are checked. */
  crc32c?: (buf: Buffer, start?: number, end?: number, seed?: number) => number;
  /** Batches must have baseOffset >= this (and each later one > the previous lastOffset). */
  minBaseOffset?: number;
  /** Batches must have lastOffset <= this (relative offsets must fit an int32). */
  maxLastOffset?: number;
}

/** Visits batches; the visitor returns false to stop. */
export function scanBatches(options: ScanOptions, visit: (batch: ScannedBatch) => boolean | void): ScanResult {
  const { io, fd, endPosition, chunkBytes } = options;
  const chunk = Buffer.allocUnsafe(Math.max(chunkBytes, BATCH_HEADER_BYTES));
  let chunkStart = 0;
  let chunkLength = 0;
  let position = options.startPosition;
  let nextMinOffset = options.minBaseOffset ?? -Infinity;
  const maxLastOffset = options.maxLastOffset ?? Number.MAX_SAFE_INTEGER;
  const fill = (from: number): number => {
    chunkStart = from;
    chunkLength = io.pread(fd, chunk, 0, Math.min(chunk.length, endPosition - from), from);
    return chunkLength;
  };
  while (position < endPosition) {
    if (position + BATCH_HEADER_BYTES > chunkStart + chunkLength) {
      if (fill(position) < BATCH_HEADER_BYTES) return { endPosition: position, stop: 'truncated' };
    }
    const at = position - chunkStart;
    const batchLength = chunk.readInt32BE(at + Field.batchLength);
    if (batchLength < BATCH_LENGTH_MIN) return { endPosition: position, stop: 'bad-length' };
    const sizeBytes = batchSizeOf(chunk, at);
    if (position + sizeBytes > endPosition) return { endPosition: position, stop: 'truncated' };
    if (magicOf(chunk, at) !== 2) return { endPosition: position, stop: 'bad-magic' };
    const baseOffset = baseOffsetOf(chunk, at);
    const lastOffsetDelta = lastOffsetDeltaOf(chunk, at);
    const lastOffset = baseOffset + lastOffsetDelta;
    if (baseOffset < nextMinOffset || lastOffsetDelta < 0 || lastOffset > maxLastOffset) {
      return { endPosition: position, stop: 'bad-offset' };
    }
    const batch: ScannedBatch = { position, sizeBytes, baseOffset, lastOffset, maxTimestamp: maxTimestampOf(chunk, at) };
    if (options.crc32c !== undefined) {
      const expected = chunk.readUInt32BE(at + Field.crc);
      if (crcOfBatch(options.crc32c, position, sizeBytes) !== expected) return { endPosition: position, stop: 'bad-crc' };
    }
    if (visit(batch) === false) return { endPosition: position, stop: 'visitor' };
    position += sizeBytes;
    nextMinOffset = lastOffset + 1;
  }
  return { endPosition: position, stop: 'end' };

  function crcOfBatch(crc32c: NonNullable<ScanOptions['crc32c']>, batchPosition: number, sizeBytes: number): number {
    let from = batchPosition + CRC_START;
    const to = batchPosition + sizeBytes;
    let crc = 0;
    while (from < to) {
      if (from >= chunkStart + chunkLength || from < chunkStart) {
        if (fill(from) === 0) return -1;
      }
      const end = Math.min(to, chunkStart + chunkLength);
      crc = crc32c(chunk, from - chunkStart, end - chunkStart, crc);
      from = end;
    }
    return crc >>> 0;
  }
}
