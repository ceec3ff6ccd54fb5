import { describe, expect, it } from 'vitest';
import type { RecordInput } from '../../../src/accel/types.js';
import { BatchField, RecordBatchView, validateBatch } from '../../../src/protocol/records/batch.js';
import { writeInt64 } from '../../../src/protocol/records/int64.js';
import { buildBatch, buildControlBatch, decodeBatchRecords, readBatchRecords } from '../../../src/protocol/records/records.js';
import { validateProducePartition, validateProduceRecords, type ProduceAccepted, type ProducePolicy, type ProduceValidation } from '../../../src/protocol/records/validate-produce.js';
import { availableAccels } from './accels.js';
import { gzipSync } from 'node:zlib';
import { fuzzRounds, handBuildMessage, seededRandom, type HandMessage } from './helpers.js';

const hot = availableAccels()[0]!;
const NOW_MS = 1_750_000_000_000;
const HOUR_MS = 3_600_000;

const basePolicy: ProducePolicy = {
  maxMessageBytes: 1_048_588,
  compacted: false,
  timestampType: 'CreateTime',
  timestampBeforeMaxMs: Number.MAX_SAFE_INTEGER,
  timestampAfterMaxMs: Number.MAX_SAFE_INTEGER,
  compressionType: 'producer',
};

function records(count: number, keyless: readonly number[] = []): RecordInput[] {
  return Array.from({ length: count }, (_v, i) => ({ key: keyless.includes(i) ? null : Buffer.from(`key-${i}`), value: Buffer.from(`value-${i}`.repeat(5)), timestampDelta: i * 1000 }));
}

function batch(overrides: Parameters<typeof buildBatch>[0] | Record<string, unknown> = {}): Buffer {
  return buildBatch({ records: records(5), baseTimestamp: NOW_MS - 10_000, producerId: 12, producerEpoch: 1, baseSequence: 0, ...overrides } as Parameters<typeof buildBatch>[0], hot);
}

function run(recordSet: Buffer, policy: Partial<ProducePolicy> = {}, produceVersion = 9): ProduceValidation {
  return validateProducePartition(recordSet, { ...basePolicy, ...policy }, { produceVersion, nowMs: NOW_MS, hot });
}

function expectAccepted(result: ProduceValidation): ProduceAccepted {
  if (!result.ok) throw new Error(`rejected: ${result.problem.errorName} ${result.problem.message}`);
  return result;
}

function errorOf(result: ProduceValidation): string | null {
  return result.ok ? null : result.problem.errorName;
}

/** Patches a header field and fixes the CRC, so only the patched rule can fail. */
function patched(buf: Buffer, patch: (b: Buffer) => void): Buffer {
  const copy = Buffer.from(buf);
  patch(copy);
  new RecordBatchView(copy).updateCrc(hot);
  return copy;
}

describe('validateProducePartition: batch rules', () => {
  it('accepts a valid batch untouched, without a record pass', () => {
    const input = batch();
    const before = Buffer.from(input);
    const result = expectAccepted(run(input));
    expect(result.recordSet.equals(before)).toBe(true);
    expect(result.recordSet.buffer).toBe(input.buffer);
    expect([result.batchCount, result.recordCount, result.logAppendTimeMs, result.recompressed]).toEqual([1, 5, -1, false]);
    expect(result.maxTimestamp).toBe(NOW_MS - 10_000 + 4000);
  });

  it('enforces max.message.bytes on the whole batch', () => {
    const input = batch();
    expect(errorOf(run(input, { maxMessageBytes: input.length }))).toBeNull();
    expect(errorOf(run(input, { maxMessageBytes: input.length - 1 }))).toBe('MESSAGE_TOO_LARGE');
  });

  it('rejects corruption, a non-zero baseOffset, bad counts and control batches', () => {
    const input = batch();
    const flipped = Buffer.from(input);
    flipped[input.length - 3]! ^= 1;
    expect(errorOf(run(flipped))).toBe('CORRUPT_MESSAGE');
    expect(errorOf(run(batch({ baseOffset: 3 })))).toBe('INVALID_RECORD');
    expect(errorOf(run(patched(input, (b) => b.writeInt32BE(3, BatchField.lastOffsetDelta))))).toBe('INVALID_RECORD');
    expect(errorOf(run(patched(input, (b) => b.writeInt32BE(-1, BatchField.baseSequence))))).toBe('INVALID_RECORD');
    const control = buildControlBatch({ marker: 'commit', producerId: 1, producerEpoch: 0, coordinatorEpoch: 0 }, hot);
    expect(errorOf(run(control))).toBe('INVALID_RECORD');
  });

  it('wants exactly one batch from Produce v3+, and some batch at all', () => {
    const two = Buffer.concat([batch(), batch()]);
    expect(errorOf(run(two, {}, 3))).toBe('INVALID_RECORD');
    expect(expectAccepted(run(two, {}, 2)).batchCount).toBe(2);
    expect(errorOf(run(Buffer.alloc(0)))).toBe('INVALID_RECORD');
    expect(errorOf(run(batch().subarray(0, 40)))).toBe('CORRUPT_MESSAGE');
    const legacyMagic = patched(batch(), (b) => b.writeInt8(1, BatchField.magic));
    expect(errorOf(run(legacyMagic))).toBe('INVALID_RECORD');
  });

  it('ignores a partial trailing batch, appending only whole ones', () => {
    const input = batch();
    const withTail = Buffer.concat([input, input.subarray(0, 30)]);
    expect(expectAccepted(run(withTail)).recordSet.length).toBe(input.length);
  });

  it('refuses zstd batches before Produce v7', () => {
    const zstdMarked = patched(batch(), (b) => b.writeInt16BE(4, BatchField.attributes));
    expect(errorOf(run(zstdMarked, {}, 6))).toBe('UNSUPPORTED_COMPRESSION_TYPE');
    const zstdHot = availableAccels().find((accel) => accel.implementation === 'native');
    if (zstdHot === undefined) return; // only the native module has zstd
    const zstd = buildBatch({ records: records(5), baseTimestamp: NOW_MS - 10_000, compression: 'zstd' }, zstdHot);
    const validate = (version: number) => validateProducePartition(zstd, basePolicy, { produceVersion: version, nowMs: NOW_MS, hot: zstdHot });
    expect(errorOf(validate(6))).toBe('UNSUPPORTED_COMPRESSION_TYPE');
    expect(errorOf(validate(7))).toBeNull();
    // The body is decompressed (as Kafka does): a batch marked zstd whose body is not zstd is corrupt.
    const marked = patched(batch(), (b) => b.writeInt16BE(4, BatchField.attributes));
    expect(errorOf(validateProducePartition(marked, basePolicy, { produceVersion: 7, nowMs: NOW_MS, hot: zstdHot }))).toBe('CORRUPT_MESSAGE');
  });
});

describe('validateProducePartition: record rules', () => {
  it("sets a CreateTime batch's maxTimestamp to its records' largest timestamp, as Kafka's validator does", () => {
    const base = NOW_MS - 10_000; // records(5) carry deltas 0, 1000, ..., 4000
    for (const [compression, policy] of [['none', { timestampAfterMaxMs: HOUR_MS }], ['gzip', {}]] as const) {
      const understated = patched(batch({ compression }), (b) => writeInt64(b, BatchField.maxTimestamp, base + 1000));
      const accepted = expectAccepted(run(understated, policy));
      const view = new RecordBatchView(accepted.recordSet);
      expect(view.maxTimestamp, compression).toBe(base + 4000);
      expect(accepted.maxTimestamp, compression).toBe(base + 4000);
      expect(validateBatch(accepted.recordSet, 0, accepted.recordSet.length, hot), compression).toBeNull();
      const right = batch({ compression });
      const before = Buffer.from(right);
      expect(Buffer.compare(expectAccepted(run(right, policy)).recordSet, before), compression).toBe(0);
    }
  });

  it('requires keys on compacted topics, naming the keyless records', () => {
    const keyless = buildBatch({ records: records(6, [1, 4]), baseTimestamp: NOW_MS }, hot);
    const result = run(keyless, { compacted: true });
    expect(errorOf(result)).toBe('INVALID_RECORD');
    expect(result.ok ? [] : result.recordErrors.map((e) => e.batchIndex)).toEqual([1, 4]);
    expect(errorOf(run(batch(), { compacted: true }))).toBeNull();
    expect(errorOf(run(keyless))).toBeNull();
  });

  it('checks CreateTime against before.max.ms and after.max.ms, bounds inclusive', () => {
    const input = buildBatch({ records: records(3), baseTimestamp: NOW_MS - HOUR_MS }, hot); // records at -1h, -1h+1s, -1h+2s
    expect(errorOf(run(input, { timestampBeforeMaxMs: HOUR_MS }))).toBeNull();
    const early = run(input, { timestampBeforeMaxMs: HOUR_MS - 1500 });
    expect(errorOf(early)).toBe('INVALID_TIMESTAMP');
    expect(early.ok ? [] : early.recordErrors.map((e) => e.batchIndex)).toEqual([0, 1]);
    const future = buildBatch({ records: records(3), baseTimestamp: NOW_MS + 1000 }, hot);
    expect(errorOf(run(future, { timestampAfterMaxMs: 3000 }))).toBeNull();
    expect(errorOf(run(future, { timestampAfterMaxMs: 2999 }))).toBe('INVALID_TIMESTAMP');
    expect(errorOf(run(future, { timestampAfterMaxMs: 0, timestampType: 'LogAppendTime' }))).toBeNull();
  });

  it('lets records without a timestamp (-1, from v0 messages) through', () => {
    const noTimestamp = buildBatch({ records: records(2).map((r) => ({ ...r, timestampDelta: 0 })), baseTimestamp: -1 }, hot);
    expect(errorOf(run(noTimestamp, { timestampBeforeMaxMs: 1000, timestampAfterMaxMs: 1000 }))).toBeNull();
  });

  it('stamps LogAppendTime in place with a valid CRC', () => {
    const input = batch();
    const result = expectAccepted(run(input, { timestampType: 'LogAppendTime' }));
    expect(result.logAppendTimeMs).toBe(NOW_MS);
    const view = new RecordBatchView(result.recordSet);
    expect([view.timestampType, view.maxTimestamp]).toEqual(['LogAppendTime', NOW_MS]);
    expect(validateBatch(result.recordSet, 0, result.recordSet.length, hot)).toBeNull();
    expect(result.maxTimestamp).toBe(NOW_MS);
  });

  it('reports a malformed record body as a rejection, not an exception', () => {
    const broken = patched(batch(), (b) => b.fill(0xff, 61, 70));
    expect(errorOf(run(broken, { compacted: true }))).toBe('INVALID_RECORD');
    const badGzip = patched(batch({ compression: 'gzip' }), (b) => b.fill(0x00, 61, 75));
    expect(errorOf(run(badGzip, { compressionType: 'uncompressed' }))).toBe('CORRUPT_MESSAGE');
  });
});

describe('validateProducePartition: broker-side recompression', () => {
  it.each([
    ['lz4', 'none', 'lz4'],
    ['uncompressed', 'gzip', 'none'],
    ['snappy', 'lz4', 'snappy'],
  ] as const)('compression.type=%s turns a %s batch into %s, keeping header and records', (compressionType, source, target) => {
    const input = batch({ compression: source, isTransactional: true, partitionLeaderEpoch: 4 });
    const sourceView = new RecordBatchView(Buffer.from(input));
    const result = expectAccepted(run(input, { compressionType }));
    expect(result.recompressed).toBe(true);
    expect(validateBatch(result.recordSet, 0, result.recordSet.length, hot)).toBeNull();
    const view = new RecordBatchView(result.recordSet);
    expect(view.compression).toBe(target);
    const fields = (v: RecordBatchView) => [v.producerId, v.producerEpoch, v.baseSequence, v.isTransactional, v.lastOffsetDelta, v.recordCount, v.baseTimestamp, v.maxTimestamp, v.partitionLeaderEpoch];
    expect(fields(view)).toEqual(fields(sourceView));
    const strip = (rs: ReturnType<typeof readBatchRecords>) => rs.map((r) => [r.offset, r.timestampMs, r.key, r.value]);
    expect(strip(readBatchRecords(view, { hot }))).toEqual(strip(readBatchRecords(sourceView, { hot })));
  });

  it('does not recompress when the codec already matches', () => {
    const input = batch({ compression: 'lz4' });
    expect(expectAccepted(run(input, { compressionType: 'lz4' })).recompressed).toBe(false);
  });

  it('stamps LogAppendTime into the rebuilt batch', () => {
    const result = expectAccepted(run(batch(), { compressionType: 'gzip', timestampType: 'LogAppendTime' }));
    const view = new RecordBatchView(result.recordSet);
    expect([view.compression, view.timestampType, view.maxTimestamp]).toEqual(['gzip', 'LogAppendTime', NOW_MS]);
    expect(decodeBatchRecords(view, { hot })).toHaveLength(5);
  });

  it('checks max.message.bytes again after recompression', () => {
    const repetitive = Array.from({ length: 50 }, () => ({ key: Buffer.from('k'), value: Buffer.alloc(400, 0x61) }));
    const input = buildBatch({ records: repetitive, baseTimestamp: NOW_MS, compression: 'gzip' }, hot);
    const rebuilt = expectAccepted(run(Buffer.from(input), { compressionType: 'uncompressed' })).recordSet;
    expect(rebuilt.length).toBeGreaterThan(input.length);
    expect(errorOf(run(Buffer.from(input), { compressionType: 'uncompressed', maxMessageBytes: input.length }))).toBe('MESSAGE_TOO_LARGE');
    expect(errorOf(run(Buffer.from(input), { compressionType: 'producer', maxMessageBytes: input.length }))).toBeNull();
  });
});

describe('validateProducePartition: robustness', () => {
  it('never throws on mutated record sets', () => {
    const random = seededRandom(41);
    const originals = [batch(), batch({ compression: 'snappy' }), Buffer.concat([batch(), batch()])];
    for (let round = 0; round < fuzzRounds(300); round++) {
      const buf = Buffer.from(originals[round % originals.length]!);
      for (let flips = 0; flips < 2; flips++) buf[Math.floor(random() * buf.length)] = Math.floor(random() * 256);
      const fixCrc = random() < 0.5 && buf.length >= 61 && new RecordBatchView(buf).end <= buf.length && new RecordBatchView(buf).end > 21;
      if (fixCrc) new RecordBatchView(buf).updateCrc(hot);
      const result = run(buf, { compacted: round % 3 === 0, compressionType: round % 2 === 0 ? 'lz4' : 'producer' }, 2);
      expect(typeof result.ok).toBe('boolean');
    }
  });
});

describe('validateProduceRecords: Produce v0-2 message sets', () => {
  const v1Messages: HandMessage[] = [0, 1, 2].map((i) => ({ offset: BigInt(i), magic: 1, timestampMs: BigInt(NOW_MS - 1000 + i), key: i === 1 ? null : Buffer.from(`k${i}`), value: Buffer.from(`legacy-${i}`) }));
  const plainSet = Buffer.concat(v1Messages.map(handBuildMessage));
  const gzipWrapper = handBuildMessage({ offset: 2n, magic: 1, attributes: 1, timestampMs: BigInt(NOW_MS), key: null, value: gzipSync(plainSet) });
  const runAny = (recordSet: Buffer, policy: Partial<ProducePolicy> = {}, produceVersion = 2) =>
    validateProduceRecords(recordSet, { ...basePolicy, ...policy }, { produceVersion, nowMs: NOW_MS, hot });

  it('converts a compressed v1 set to one v2 batch keeping the producer codec', () => {
    const result = expectAccepted(runAny(gzipWrapper));
    const view = new RecordBatchView(result.recordSet);
    expect([result.recordCount, result.batchCount, view.compression, view.magic]).toEqual([3, 1, 'gzip', 2]);
    expect(readBatchRecords(view, { hot }).map((r) => [r.offset, r.timestampMs, r.value?.toString()])).toEqual(
      v1Messages.map((m, i) => [i, Number(m.timestampMs), `legacy-${i}`]),
    );
  });

  it('applies compression.type, timestamps and keys to the converted batch', () => {
    expect(new RecordBatchView(expectAccepted(runAny(plainSet, { compressionType: 'lz4' })).recordSet).compression).toBe('lz4');
    expect(errorOf(runAny(gzipWrapper, { compacted: true }))).toBe('INVALID_RECORD');
    expect(errorOf(runAny(plainSet, { timestampBeforeMaxMs: 500 }))).toBe('INVALID_TIMESTAMP');
    const stamped = expectAccepted(runAny(plainSet, { timestampType: 'LogAppendTime' }));
    expect(new RecordBatchView(stamped.recordSet).maxTimestamp).toBe(NOW_MS);
  });

  it('accepts v0 messages (no timestamps) under CreateTime bounds', () => {
    const v0 = Buffer.concat(v1Messages.map((m) => handBuildMessage({ ...m, magic: 0, key: Buffer.from('k') })));
    expect(expectAccepted(runAny(v0, { timestampBeforeMaxMs: 10, timestampAfterMaxMs: 10 }, 0)).recordCount).toBe(3);
  });

  it('rejects legacy sets in Produce v3+, oversize messages and bad CRCs', () => {
    expect(errorOf(runAny(plainSet, {}, 3))).toBe('INVALID_RECORD');
    expect(errorOf(runAny(gzipWrapper, { maxMessageBytes: gzipWrapper.length - 1 }))).toBe('MESSAGE_TOO_LARGE');
    expect(errorOf(runAny(gzipWrapper, { maxMessageBytes: gzipWrapper.length }))).toBeNull();
    const corrupt = Buffer.from(plainSet);
    corrupt[20]! ^= 0x40;
    expect(errorOf(runAny(corrupt))).toBe('CORRUPT_MESSAGE');
  });

  it('never throws on mutated message sets', () => {
    const random = seededRandom(77);
    const originals = [plainSet, gzipWrapper, Buffer.concat([gzipWrapper, plainSet])];
    for (let round = 0; round < fuzzRounds(300); round++) {
      const buf = Buffer.from(originals[round % originals.length]!);
      for (let flips = 0; flips < 2; flips++) buf[Math.floor(random() * buf.length)] = Math.floor(random() * 256);
      const result = runAny(buf, { compacted: round % 2 === 0, compressionType: round % 3 === 0 ? 'snappy' : 'producer' }, round % 3);
      expect(typeof result.ok).toBe('boolean');
    }
  });

  it('sends v2 batches down the v2 path at any version', () => {
    expect(expectAccepted(runAny(batch(), {}, 9)).recompressed).toBe(false);
    expect(expectAccepted(runAny(batch(), {}, 2)).recordCount).toBe(5);
  });
});
