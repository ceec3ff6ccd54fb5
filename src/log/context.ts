// What every storage object needs from its surroundings: the file functions, CRC32C, the shared
// file-handle cache and a clock. Passed explicitly so tests can use their own.
import type { Accel, FileIo } from '../accel/types.js';
import type { FileHandleCache } from './file-handles.js';

export type Crc32c = (buf: Buffer, start?: number, end?: number, seed?: number) => number;

export interface StorageContext {
  io: FileIo;
  crc32c: Crc32c;
  /** Record decoding and encoding, for offset-by-timestamp lookups and compaction (never on append/read). */
  records: Pick<Accel, 'decodeRecords' | 'decompress' | 'compress'>;
  handles: FileHandleCache;
  /** Wall clock in ms (segment.ms, retention.ms, flush.ms). */
  nowMs: () => number;
  /** Warnings (recovery truncations, rebuilt indexes): one line each. */
  warn: (line: string) => void;
}

/** Chunk size of recovery and header scans. */
export const SCAN_CHUNK_BYTES = 256 * 1024;

export function segmentFileName(baseOffset: number, suffix: string): string {
  return String(baseOffset).padStart(20, '0') + suffix;
}
