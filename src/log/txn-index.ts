// The aborted-transaction index beside each segment, `<segmentBase>.txnindex`, in Kafka's
// layout: 34-byte entries of version int16 (0), producerId int64, firstOffset int64, lastOffset
// int64 (the abort marker's offset), lastStableOffset int64. An entry goes into the file of the
// segment holding its abort marker. Read at load (aborted transactions below the rebuild scan),
// rewritten for markers the scan finds missing, and removed with their segment (orphans).
import { appendFileSync, existsSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { AbortedTxn } from './producer-state.js';

export const TXN_INDEX_SUFFIX = '.txnindex';
export const TXN_INDEX_ENTRY_BYTES = 34;
const ENTRY_VERSION = 0;

export function txnIndexName(segmentBase: number): string {
  return String(segmentBase).padStart(20, '0') + TXN_INDEX_SUFFIX;
}

export function encodeTxnIndexEntry(entry: AbortedTxn, lastStableOffset: number): Buffer {
  const out = Buffer.allocUnsafe(TXN_INDEX_ENTRY_BYTES);
  out.writeInt16BE(ENTRY_VERSION, 0);
  out.writeBigInt64BE(BigInt(entry.producerId), 2);
  out.writeBigInt64BE(BigInt(entry.firstOffset), 10);
  out.writeBigInt64BE(BigInt(entry.lastOffset), 18);
  out.writeBigInt64BE(BigInt(lastStableOffset), 26);
  return out;
}

/** Entries of one file; a torn tail (partial entry) or an unknown version ends the read. */
export function decodeTxnIndex(buf: Buffer): AbortedTxn[] {
  const entries: AbortedTxn[] = [];
  for (let at = 0; at + TXN_INDEX_ENTRY_BYTES <= buf.length; at += TXN_INDEX_ENTRY_BYTES) {
    if (buf.readInt16BE(at) !== ENTRY_VERSION) break;
    entries.push({
      producerId: Number(buf.readBigInt64BE(at + 2)),
      firstOffset: Number(buf.readBigInt64BE(at + 10)),
      lastOffset: Number(buf.readBigInt64BE(at + 18)),
    });
  }
  return entries;
}

/**
 * Appends one entry to the segment's index (not fsynced: an entry lost in a crash is rewritten
 * from the log scan at the next load, as the log itself follows its flush policy).
 */
export function appendTxnIndexEntry(dir: string, segmentBase: number, entry: AbortedTxn, lastStableOffset: number): void {
  appendFileSync(join(dir, txnIndexName(segmentBase)), encodeTxnIndexEntry(entry, lastStableOffset));
}

/** Every entry of the indexes of the given segments, ordered by lastOffset. */
export function readTxnIndexes(dir: string, segmentBases: readonly number[]): AbortedTxn[] | undefined {
  const present = segmentBases.filter((base) => existsSync(join(dir, txnIndexName(base))));
  if (present.length === 0) return undefined;
  const entries = present.flatMap((base) => decodeTxnIndex(readFileSync(join(dir, txnIndexName(base)))));
  return entries.sort((a, b) => a.lastOffset - b.lastOffset);
}

/** Removes indexes whose segment is gone (retention, compaction swaps). */
export function removeOrphanTxnIndexes(dir: string, segmentBases: readonly number[]): number {
  if (!existsSync(dir)) return 0;
  const live = new Set(segmentBases.map(txnIndexName));
  let removed = 0;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(TXN_INDEX_SUFFIX) || live.has(name)) continue;
    unlinkSync(join(dir, name));
    removed++;
  }
  return removed;
}

/** The base of the segment holding `offset` (bases ascending). */
export function segmentBaseFor(segmentBases: readonly number[], offset: number): number {
  let found = segmentBases[0] ?? 0;
  for (const base of segmentBases) {
    if (base > offset) break;
    found = base;
  }
  return found;
}
