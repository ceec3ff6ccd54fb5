// Produce validation through accel.scanRecords: a batch that needs only record checks (keys on
// compacted topics, CreateTime bounds, offsetDeltas of compressed batches) is scanned,
// not decoded, and the answer is the one the decode path gives: the same acceptance, the same
// problem, the same record_errors, for random, violating and malformed batches, in every
// implementation.
import { describe, expect, it } from 'vitest';
import { CODEC_IDS, type Accel, type Codec } from '../../../src/accel/types.js';
import { iterateBatches, type RecordBatchView } from '../../../src/protocol/records/batch.js';
import { RecordFormatError, recordProblem } from '../../../src/protocol/records/errors.js';
import { decodeBatchRecords } from '../../../src/protocol/records/records.js';
import { checkRecords, needsRecordPass, validateProducePartition, type ProducePolicy } from '../../../src/protocol/records/validate-produce.js';
import { referenceVarlong } from '../accel/record-bodies.js';
import { availableAccels } from './accels.js';
import { handBuildBatch, seededRandom } from './helpers.js';

const NOW_MS = 1_750_000_000_000;
const HOUR_MS = 3_600_000;
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

const basePolicy: ProducePolicy = {
  maxMessageBytes: 16 << 20,
  compacted: false,
  timestampType: 'CreateTime',
  timestampBeforeMaxMs: UNBOUNDED,
  timestampAfterMaxMs: HOUR_MS,
  compressionType: 'producer',
};

interface RawRecord {
  key: Buffer | null;
  timestampDelta: number;
  offsetDelta: number;
}

function fieldBytes(bytes: Buffer | null): number[] {
  return bytes === null ? referenceVarlong(-1) : [...referenceVarlong(bytes.length), ...bytes];
}

/** A record body written field by field (so offsetDelta can be anything). */
function rawBody(records: readonly RawRecord[]): Buffer {
  const out: number[] = [];
  for (const record of records) {
    const body = [0, ...referenceVarlong(record.timestampDelta), ...referenceVarlong(record.offsetDelta), ...fieldBytes(record.key), ...fieldBytes(Buffer.from('value')), 0];
    out.push(...referenceVarlong(body.length), ...body);
  }
  return Buffer.from(out);
}

interface BatchSpec {
  records: readonly RawRecord[];
  baseTimestamp: number;
  codec?: Codec;
  /** Changes the (uncompressed) body before compression and the CRC. */
  mutate?: (body: Buffer) => void;
}

function batchOf(spec: BatchSpec, hot: Accel): Buffer {
  const body = rawBody(spec.records);
  spec.mutate?.(body);
  const count = spec.records.length;
  const maxDelta = Math.max(...spec.records.map((record) => record.timestampDelta));
  return handBuildBatch(
    {
      baseOffset: 0n, partitionLeaderEpoch: -1, attributes: spec.codec === undefined ? 0 : CODEC_IDS[spec.codec],
      lastOffsetDelta: count - 1, baseTimestamp: BigInt(spec.baseTimestamp), maxTimestamp: BigInt(spec.baseTimestamp + maxDelta),
      producerId: -1n, producerEpoch: -1, baseSequence: -1, recordCount: count,
    },
    spec.codec === undefined ? body : hot.compress(spec.codec, body),
  );
}

function inOrder(keys: readonly (Buffer | null)[], timestampDeltas: readonly number[]): RawRecord[] {
  return keys.map((key, index) => ({ key, timestampDelta: timestampDeltas[index] ?? 0, offsetDelta: index }));
}

/** What the decode path answers for a one-batch record set that passes the header checks. */
function decodePathAnswer(view: RecordBatchView, policy: ProducePolicy, hot: Accel): unknown {
  if (!needsRecordPass(policy, view)) return { ok: true };
  let records;
  try {
    records = decodeBatchRecords(view, { hot });
  } catch (err) {
    if (!(err instanceof RecordFormatError)) throw err;
    return { ok: false, problem: recordProblem(err.errorName, err.message), recordErrors: [] };
  }
  const rejected = checkRecords(view, records, policy, NOW_MS);
  return rejected ?? { ok: true };
}

function answer(recordSet: Buffer, policy: ProducePolicy, hot: Accel): unknown {
  const result = validateProducePartition(recordSet, policy, { produceVersion: 9, nowMs: NOW_MS, hot });
  return result.ok ? { ok: true } : result;
}

/** hot with its record calls counted (a Proxy: class-based implementations keep their methods). */
function counting(hot: Accel): { accel: Accel; calls: { scanRecords: number; decodeRecords: number } } {
  const calls = { scanRecords: 0, decodeRecords: 0 };
  const accel = new Proxy(hot, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function') return value;
      if (property === 'scanRecords' || property === 'decodeRecords') calls[property]++;
      return (value as (...args: unknown[]) => unknown).bind(target);
    },
  });
  return { accel, calls };
}

function codecsOf(hot: Accel): Codec[] {
  return hot.implementation === 'native' ? ['gzip', 'snappy', 'lz4', 'zstd'] : ['gzip', 'snappy', 'lz4'];
}

describe.each(availableAccels().map((hot) => [hot.implementation, hot] as const))('Produce validation by scan [%s]', (_name, hot) => {
  it('accepts a clean batch on a compacted, time-bounded topic with one scan and no decode', () => {
    for (const codec of [undefined, ...codecsOf(hot)]) {
      const { accel, calls } = counting(hot);
      const batch = batchOf({ records: inOrder([Buffer.from('a'), Buffer.from('b')], [0, 5]), baseTimestamp: NOW_MS - 1000, codec }, hot);
      const result = validateProducePartition(batch, { ...basePolicy, compacted: true, timestampBeforeMaxMs: HOUR_MS }, { produceVersion: 9, nowMs: NOW_MS, hot: accel });
      expect(result.ok, String(codec)).toBe(true);
      expect(calls, String(codec)).toEqual({ scanRecords: 1, decodeRecords: 0 });
    }
  });

  it('rejects a null key on a compacted topic with the decode path answer', () => {
    const { accel, calls } = counting(hot);
    const batch = batchOf({ records: inOrder([Buffer.from('a'), null, Buffer.from('c'), null], [0, 1, 2, 3]), baseTimestamp: NOW_MS }, hot);
    const result = validateProducePartition(batch, { ...basePolicy, compacted: true }, { produceVersion: 9, nowMs: NOW_MS, hot: accel });
    expect(result.ok ? null : [result.problem.errorName, result.recordErrors.map((error) => error.batchIndex)]).toEqual(['INVALID_RECORD', [1, 3]]);
    expect(calls.decodeRecords).toBe(1);
    expect(answer(batch, { ...basePolicy, compacted: false }, hot)).toEqual({ ok: true });
  });

  it('rejects a timestamp one millisecond past either bound, whichever record holds it', () => {
    const keys = [Buffer.from('a'), Buffer.from('b'), Buffer.from('c')];
    const base = NOW_MS - 500;
    const late = batchOf({ records: inOrder(keys, [0, HOUR_MS + 501, 3]), baseTimestamp: base }, hot);
    const lateResult = validateProducePartition(late, basePolicy, { produceVersion: 9, nowMs: NOW_MS, hot });
    expect(lateResult.ok ? null : [lateResult.problem.errorName, lateResult.recordErrors.map((error) => error.batchIndex)]).toEqual(['INVALID_TIMESTAMP', [1]]);
    const onBound = batchOf({ records: inOrder(keys, [0, HOUR_MS + 500, 3]), baseTimestamp: base }, hot);
    expect(answer(onBound, basePolicy, hot)).toEqual({ ok: true });
    const early = batchOf({ records: inOrder(keys, [7, -1001, 0]), baseTimestamp: NOW_MS }, hot);
    expect(answer(early, { ...basePolicy, timestampBeforeMaxMs: 1000 }, hot)).toMatchObject({ ok: false, problem: { errorName: 'INVALID_TIMESTAMP' }, recordErrors: [{ batchIndex: 1 }] });
    expect(answer(early, { ...basePolicy, timestampBeforeMaxMs: 1001 }, hot)).toEqual({ ok: true });
  });

  it('lets a -1 timestamp through while still catching an old one beside it', () => {
    const keys = [Buffer.from('a'), Buffer.from('b'), Buffer.from('c')];
    const policy = { ...basePolicy, timestampBeforeMaxMs: HOUR_MS };
    const noTimestamp = batchOf({ records: inOrder(keys, [0, 0, 0]), baseTimestamp: -1 }, hot);
    expect(answer(noTimestamp, policy, hot)).toEqual({ ok: true });
    const mixed = batchOf({ records: inOrder(keys, [NOW_MS + 1, 0, NOW_MS - HOUR_MS * 2]), baseTimestamp: -1 }, hot);
    expect(answer(mixed, policy, hot)).toMatchObject({ ok: false, problem: { errorName: 'INVALID_TIMESTAMP' }, recordErrors: [{ batchIndex: 2 }] });
  });

  it('renumbers non-incremental offsetDeltas of compressed batches (as Kafka rewrites them) and keeps plain ones as they are', () => {
    const records: RawRecord[] = [0, 1, 3, 2].map((offsetDelta) => ({ key: Buffer.from(`k${offsetDelta}`), timestampDelta: 0, offsetDelta }));
    const plain = batchOf({ records, baseTimestamp: NOW_MS }, hot);
    const plainResult = validateProducePartition(plain, basePolicy, { produceVersion: 9, nowMs: NOW_MS, hot });
    expect(plainResult.ok && plainResult.recompressed).toBe(false);
    for (const codec of codecsOf(hot)) {
      for (const policy of [basePolicy, { ...basePolicy, timestampAfterMaxMs: UNBOUNDED }]) {
        const compressed = batchOf({ records, baseTimestamp: NOW_MS, codec }, hot);
        const result = validateProducePartition(compressed, policy, { produceVersion: 9, nowMs: NOW_MS, hot });
        expect(result.ok, codec).toBe(true);
        if (!result.ok) continue;
        expect(result.recompressed, codec).toBe(true);
        const view = [...iterateBatches(result.recordSet)][0]!;
        expect(view.compression, codec).toBe(codec);
        const rebuilt = decodeBatchRecords(view, { hot });
        expect(rebuilt.map((record) => record.offsetDelta), codec).toEqual([0, 1, 2, 3]);
        expect(rebuilt.map((record) => String(record.key)), codec).toEqual(['k0', 'k1', 'k3', 'k2']);
      }
      const inOrderBatch = batchOf({ records: inOrder([Buffer.from('a'), Buffer.from('b')], [0, 1]), baseTimestamp: NOW_MS, codec }, hot);
      const kept = validateProducePartition(inOrderBatch, basePolicy, { produceVersion: 9, nowMs: NOW_MS, hot });
      expect(kept.ok && kept.recompressed, codec).toBe(false);
    }
  });

  it('answers random, violating and malformed batches exactly as the decode path does', () => {
    const random = seededRandom(hot.implementation.length * 7919);
    const below = (n: number): number => Math.floor(random() * n);
    const codecs: (Codec | undefined)[] = [undefined, undefined, ...codecsOf(hot)];
    const bounds = [UNBOUNDED, HOUR_MS, 1000, 0];
    for (let round = 0; round < 400; round++) {
      const count = 1 + below(30);
      const spread = [10, 5000, 2 * HOUR_MS, 2 ** 40][below(4)]!;
      const records: RawRecord[] = Array.from({ length: count }, (_, index) => ({
        key: below(12) === 0 ? null : Buffer.from(`k${index}`),
        timestampDelta: below(spread) - (below(2) ? below(spread) : 0),
        offsetDelta: below(40) === 0 ? index + 1 : index,
      }));
      const baseTimestamp = below(10) === 0 ? -1 : NOW_MS - below(2 * HOUR_MS);
      const mutate = below(6) === 0 ? (body: Buffer) => void (body[below(body.length)] = below(256)) : undefined;
      const batch = batchOf({ records, baseTimestamp, codec: codecs[below(codecs.length)], mutate }, hot);
      const policy: ProducePolicy = {
        ...basePolicy,
        compacted: below(2) === 0,
        timestampBeforeMaxMs: bounds[below(bounds.length)]!,
        timestampAfterMaxMs: bounds[below(bounds.length)]!,
      };
      const view = [...iterateBatches(batch)][0]!;
      expect(answer(batch, policy, hot), `round ${round}`).toEqual(decodePathAnswer(view, policy, hot));
    }
  });
});
