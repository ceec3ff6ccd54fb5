// What the micro-benchmarks run: one workload per Accel function x implementation x size,
// each a closure over prepared inputs, with the bytes it processes per call.
import { constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Accel, Codec, RecordInput } from '../../src/accel/index.js';
import { logCorpus, SeededRandom } from '../lib/corpus.js';

export interface Workload {
  /** 'crc32c', 'compress lz4', 'decodeRecords', 'pwrite', ... */
  fn: string;
  implementation: string;
  sizeBytes: number;
  /** Bytes processed by one call of run (what MB/s is computed from). */
  bytesPerCall: number;
  /** Calls per timed sample, so tiny inputs are not dominated by timer overhead. */
  callsPerSample: number;
  run: () => unknown;
  runAsync?: () => Promise<unknown>;
}

/** Each timed sample covers at least this many bytes, in several calls for small sizes. */
const SAMPLE_BYTES_MIN = 256 * 1024;
/** Async variants are measured only from this size up (the thread-pool threshold region). */
const ASYNC_SIZE_BYTES_MIN = 64 * 1024;

export function callsPerSample(sizeBytes: number): number {
  return Math.max(1, Math.floor(SAMPLE_BYTES_MIN / Math.max(1, sizeBytes)));
}

export interface Corpus {
  bySize: Map<number, Buffer>;
  seed: number;
}

export function buildCorpus(sizesBytes: readonly number[], seed: number): Corpus {
  return { bySize: new Map(sizesBytes.map((sizeBytes) => [sizeBytes, logCorpus(sizeBytes, seed)])), seed };
}

/** Records built from corpus lines (key = user id, value = the line, a header on every 4th). */
export function corpusRecords(data: Buffer, targetBytes: number): RecordInput[] {
  const lines = data.toString('latin1').split('\n');
  const records: RecordInput[] = [];
  let approxBytes = 0;
  for (let i = 0; approxBytes < targetBytes; i++) {
    const line = Buffer.from(lines[i % lines.length]!, 'latin1');
    const key = Buffer.from(`u-${(i * 7919) % 50_000}`);
    const headers = i % 4 === 0 ? [{ key: Buffer.from('trace'), value: Buffer.from(`t-${i}`) }] : [];
    records.push({ key, value: line, headers, timestampDelta: i * 3 });
    approxBytes += line.length + key.length + 8 + (headers.length > 0 ? 16 : 0);
  }
  return records;
}

/** Varint values shaped like Kafka's: small deltas, lengths, the odd large id. */
export function varintValues(targetBytes: number, seed: number): number[] {
  const random = new SeededRandom(seed);
  const values: number[] = [];
  for (let approxBytes = 0; approxBytes < targetBytes; ) {
    const shape = random.below(10);
    const value = shape < 5 ? random.below(64) : shape < 8 ? random.below(20_000) : random.below(2 ** 31) * 4096;
    values.push(random.below(8) === 0 ? -value : value);
    approxBytes += shape < 5 ? 1 : shape < 8 ? 3 : 6;
  }
  return values;
}

function codecWorkloads(accel: Accel, codecs: readonly Codec[], data: Buffer, sizeBytes: number): Workload[] {
  const base = { implementation: accel.implementation, sizeBytes, bytesPerCall: data.length, callsPerSample: callsPerSample(sizeBytes) };
  const workloads: Workload[] = [];
  for (const codec of codecs) {
    const compressed = accel.compress(codec, data);
    workloads.push({ ...base, fn: `compress ${codec}`, run: () => accel.compress(codec, data) });
    workloads.push({ ...base, fn: `decompress ${codec}`, run: () => accel.decompress(codec, compressed) });
    if (sizeBytes < ASYNC_SIZE_BYTES_MIN) continue;
    workloads.push({ ...base, fn: `compressAsync ${codec}`, run: () => undefined, runAsync: () => accel.compressAsync(codec, data) });
    workloads.push({ ...base, fn: `decompressAsync ${codec}`, run: () => undefined, runAsync: () => accel.decompressAsync(codec, compressed) });
  }
  return workloads;
}

function encodingWorkloads(accel: Accel, data: Buffer, sizeBytes: number, seed: number): Workload[] {
  const calls = callsPerSample(sizeBytes);
  const values = varintValues(sizeBytes, seed);
  const varints = accel.encodeVarints(values);
  const records = corpusRecords(data, sizeBytes);
  const body = accel.encodeRecords(records);
  const base = { implementation: accel.implementation, sizeBytes, callsPerSample: calls };
  return [
    { ...base, fn: 'crc32c', bytesPerCall: data.length, run: () => accel.crc32c(data) },
    { ...base, fn: 'encodeVarints', bytesPerCall: varints.length, run: () => accel.encodeVarints(values) },
    { ...base, fn: 'decodeVarints', bytesPerCall: varints.length, run: () => accel.decodeVarints(varints, 0, values.length) },
    { ...base, fn: 'encodeRecords', bytesPerCall: body.length, run: () => accel.encodeRecords(records) },
    { ...base, fn: 'decodeRecords', bytesPerCall: body.length, run: () => accel.decodeRecords(body, 0, body.length, records.length) },
  ];
}

/** A scratch file per implementation for the FileIo workloads; close() removes them. */
export class ScratchFiles {
  private readonly directory = mkdtempSync(join(tmpdir(), 'rill-bench-micro-'));
  private readonly open: { accel: Accel; fd: number }[] = [];

  fileWorkloads(accel: Accel, data: Buffer, sizeBytes: number): Workload[] {
    const io = accel.file;
    const fd = io.open(join(this.directory, `${accel.implementation}-${sizeBytes}.bin`), constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC);
    this.open.push({ accel, fd });
    io.pwrite(fd, data, 0);
    const quarter = Math.ceil(data.length / 4);
    const pieces = [0, 1, 2, 3].map((k) => data.subarray(k * quarter, (k + 1) * quarter));
    const readInto = Buffer.allocUnsafe(data.length);
    const base = { implementation: accel.implementation, sizeBytes, bytesPerCall: data.length, callsPerSample: callsPerSample(sizeBytes) };
    return [
      { ...base, fn: 'pwrite', run: () => io.pwrite(fd, data, 0) },
      { ...base, fn: 'pwritev (4 buffers)', run: () => io.pwritev(fd, pieces, 0) },
      { ...base, fn: 'pread', run: () => io.pread(fd, readInto, 0, data.length, 0) },
      { ...base, fn: 'pwrite + fdatasync', callsPerSample: 1, run: () => (io.pwrite(fd, data, 0), io.fdatasync(fd)) },
      { ...base, fn: 'pwriteAsync', run: () => undefined, runAsync: () => io.pwriteAsync(fd, data, 0) },
      { ...base, fn: 'preadAsync', run: () => undefined, runAsync: () => io.preadAsync(fd, readInto, 0, data.length, 0) },
    ];
  }

  close(): void {
    for (const { accel, fd } of this.open) accel.file.close(fd);
    rmSync(this.directory, { recursive: true, force: true });
  }
}

export function workloadsFor(accel: Accel, codecs: readonly Codec[], corpus: Corpus, files: ScratchFiles): Workload[] {
  const workloads: Workload[] = [];
  for (const [sizeBytes, data] of corpus.bySize) {
    workloads.push(...encodingWorkloads(accel, data, sizeBytes, corpus.seed));
    workloads.push(...codecWorkloads(accel, codecs, data, sizeBytes));
    workloads.push(...files.fileWorkloads(accel, data, sizeBytes));
  }
  return workloads;
}
