// Test helpers: a storage context on the TypeScript accel, temp dirs, and minimal valid v2 batches.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJsAccel } from '../../../src/accel/js/index.js';
import type { RecordInput } from '../../../src/accel/types.js';
import type { StorageContext } from '../../../src/log/context.js';
import { FileHandleCache } from '../../../src/log/file-handles.js';

export const jsAccel = createJsAccel();

export interface TestContext extends StorageContext {
  warnings: string[];
  clock: { nowMs: number };
}

export function testContext(options: { handlesMax?: number; nowMs?: number } = {}): TestContext {
  const warnings: string[] = [];
  const clock = { nowMs: options.nowMs ?? 1_700_000_000_000 };
  return {
    io: jsAccel.file,
    crc32c: jsAccel.crc32c,
    records: jsAccel,
    handles: new FileHandleCache(jsAccel.file, options.handlesMax ?? 64),
    nowMs: () => clock.nowMs,
    warn: (line) => warnings.push(line),
    warnings,
    clock,
  };
}

export function tempDir(prefix = 'rill-log-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface BatchSpec {
  records?: readonly RecordInput[];
  /** Shortcut: this many records with values of valueBytes bytes. */
  count?: number;
  valueBytes?: number;
  baseTimestamp?: number;
  /** Default: baseTimestamp + the largest timestampDelta. */
  maxTimestamp?: number;
  seed?: number;
  compression?: 'gzip';
}

/** A valid v2 batch (baseOffset 0, CRC32C set) built without the protocol layer. */
export function makeBatch(spec: BatchSpec = {}): Buffer {
  const records = spec.records ?? makeRecords(spec.count ?? 1, spec.valueBytes ?? 16, spec.seed ?? 0);
  const plain = jsAccel.encodeRecords(records);
  const body = spec.compression === 'gzip' ? jsAccel.compress('gzip', plain) : plain;
  const out = Buffer.alloc(61 + body.length);
  body.copy(out, 61);
  const baseTimestamp = spec.baseTimestamp ?? 1_700_000_000_000;
  let maxDelta = 0;
  for (const record of records) maxDelta = Math.max(maxDelta, record.timestampDelta ?? 0);
  writeInt64(out, 0, 0);
  out.writeInt32BE(out.length - 12, 8);
  out.writeInt32BE(-1, 12);
  out.writeInt8(2, 16);
  out.writeInt16BE(spec.compression === 'gzip' ? 1 : 0, 21);
  out.writeInt32BE(records.length - 1, 23);
  writeInt64(out, 27, baseTimestamp);
  writeInt64(out, 35, spec.maxTimestamp ?? baseTimestamp + maxDelta);
  writeInt64(out, 43, -1);
  out.writeInt16BE(-1, 51);
  out.writeInt32BE(-1, 53);
  out.writeInt32BE(records.length, 57);
  out.writeUInt32BE(jsAccel.crc32c(out, 21, out.length) >>> 0, 17);
  return out;
}

export function makeRecords(count: number, valueBytes: number, seed: number): RecordInput[] {
  const records: RecordInput[] = [];
  for (let i = 0; i < count; i++) {
    const value = Buffer.alloc(valueBytes);
    for (let b = 0; b < valueBytes; b++) value[b] = (seed * 31 + i * 7 + b) & 0xff;
    records.push({ key: Buffer.from(`k${seed}-${i}`), value, timestampDelta: i });
  }
  return records;
}

function writeInt64(buf: Buffer, at: number, value: number): void {
  buf.writeBigInt64BE(BigInt(value), at);
}

/** Splits concatenated batches into [baseOffset, bytes] pairs. */
export function splitBatches(buf: Buffer): { baseOffset: number; lastOffset: number; bytes: Buffer }[] {
  const out: { baseOffset: number; lastOffset: number; bytes: Buffer }[] = [];
  let at = 0;
  while (at < buf.length) {
    const size = buf.readInt32BE(at + 8) + 12;
    const baseOffset = Number(buf.readBigInt64BE(at));
    out.push({ baseOffset, lastOffset: baseOffset + buf.readInt32BE(at + 23), bytes: buf.subarray(at, at + size) });
    at += size;
  }
  return out;
}

/** The batch with baseOffset and partitionLeaderEpoch zeroed (what a producer sent). */
export function bodyOf(batch: Buffer): string {
  const copy = Buffer.from(batch);
  copy.fill(0, 0, 8);
  copy.fill(0, 12, 16);
  return copy.toString('hex');
}
