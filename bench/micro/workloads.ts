// What the micro-benchmarks run: one workload per Accel function x implementation x size,
// each a closure over prepared inputs, with the bytes it processes per call.
import { constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordDecodeError, type Accel, type Codec, type RecordInput } from '../../src/accel/index.js';
import { buildBatch } from '../../src/protocol/records/records.js';
import { validateProduceRecords, type ProducePolicy } from '../../src/protocol/records/validate-produce.js';
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
    { ...base, fn: 'scanRecords', bytesPerCall: body.length, run: () => accel.scanRecords(body, 0, body.length, records.length) },
  ];
}

/** The bytes of one record in the Produce workloads (what `rill bench produce --record-size` sends). */
export const PRODUCE_RECORD_VALUE_BYTES = 100;
const BATCH_OVERHEAD_BYTES = 61;

/** Kafka's topic defaults: not compacted, CreateTime, after.max.ms 1 h, max.message.bytes 1048588. */
export const DEFAULT_PRODUCE_POLICY: ProducePolicy = {
  maxMessageBytes: 1_048_588,
  compacted: false,
  timestampType: 'CreateTime',
  timestampBeforeMaxMs: Number.MAX_SAFE_INTEGER,
  timestampAfterMaxMs: 3_600_000,
  compressionType: 'producer',
};

/** Keyless records of 100 random bytes, as many as fit sizeBytes (and max.message.bytes) in one batch. */
function produceRecords(sizeBytes: number, seed: number): RecordInput[] {
  const random = new SeededRandom(seed);
  /** value + length 2, attributes 1, timestampDelta 1, offsetDelta <= 3, key 1, value length 2, headers 1. */
  const recordBytesApprox = PRODUCE_RECORD_VALUE_BYTES + 11;
  const budgetBytes = Math.min(sizeBytes, DEFAULT_PRODUCE_POLICY.maxMessageBytes) - BATCH_OVERHEAD_BYTES;
  const count = Math.max(1, Math.floor(budgetBytes / recordBytesApprox));
  return Array.from({ length: count }, (_, i) => ({ key: null, value: random.bytes(PRODUCE_RECORD_VALUE_BYTES), timestampDelta: i % 5 }));
}

/**
 * accel whose scanRecords reports every body as malformed at once: validation then takes the
 * decode path (decodeRecords + per-record checks), i.e. the Produce path before scanRecords.
 */
export function decodePathAccel(accel: Accel): Accel {
  return new Proxy(accel, {
    get(target, property) {
      if (property === 'scanRecords') {
        return () => {
          throw new RecordDecodeError('benchmark: take the decode path');
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Produce validation of one batch of 100-byte records with the default policy: scan vs decode path. */
function produceWorkloads(accel: Accel, sizeBytes: number, seed: number): Workload[] {
  const nowMs = Date.now();
  const records = produceRecords(sizeBytes, seed);
  const batch = buildBatch({ records, baseTimestamp: nowMs }, accel);
  const body = batch.subarray(BATCH_OVERHEAD_BYTES);
  const oldPath = decodePathAccel(accel);
  const validate = (hot: Accel): boolean => validateProduceRecords(batch, DEFAULT_PRODUCE_POLICY, { produceVersion: 9, nowMs, hot }).ok;
  if (!validate(accel) || !validate(oldPath)) throw new Error(`produce workload: a batch of ${batch.length} bytes (${records.length} records) was not accepted`);
  const base = { implementation: accel.implementation, sizeBytes, callsPerSample: callsPerSample(sizeBytes) };
  return [
    { ...base, fn: 'scanRecords 100B records', bytesPerCall: body.length, run: () => accel.scanRecords(body, 0, body.length, records.length) },
    { ...base, fn: 'decodeRecords 100B records', bytesPerCall: body.length, run: () => accel.decodeRecords(body, 0, body.length, records.length) },
    { ...base, fn: 'validateProduce scan', bytesPerCall: batch.length, run: () => validate(accel) },
    { ...base, fn: 'validateProduce decode path', bytesPerCall: batch.length, run: () => validate(oldPath) },
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
    workloads.push(...produceWorkloads(accel, sizeBytes, corpus.seed));
    workloads.push(...codecWorkloads(accel, codecs, data, sizeBytes));
    workloads.push(...files.fileWorkloads(accel, data, sizeBytes));
  }
  return workloads;
}
