import { readdirSync, renameSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanSegments } from '../../../src/log/cleaner.js';
import { LogCleaner } from '../../../src/log/log-cleaner.js';
import { PartitionLog } from '../../../src/log/partition-log.js';
import type { LogConfig } from '../../../src/log/config.js';
import { jsAccel, makeBatch, splitBatches, tempDir, testContext, type TestContext } from './helpers.js';

let root: string;
let cleanup: () => void;
let ctx: TestContext;
let dir: string;
beforeEach(() => {
  ({ dir: root, cleanup } = tempDir());
  ctx = testContext();
  dir = join(root, 'changelog-0');
});
afterEach(() => cleanup());

const baseConfig: Partial<LogConfig> = { cleanupPolicy: 'compact', segmentBytes: 1200, minCleanableDirtyRatio: 0.01, fileDeleteDelayMs: 0 };

interface Rec {
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
}

/** Every record in the log with its offset (the consumer's view). */
async function records(log: PartitionLog): Promise<Rec[]> {
  const out: Rec[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const read = await log.read(offset, 1 << 20);
    const batches = splitBatches(read.records);
    if (batches.length === 0) break;
    for (const batch of batches) {
      expect(jsAccel.crc32c(batch.bytes, 21, batch.bytes.length) >>> 0).toBe(batch.bytes.readUInt32BE(17));
      const count = batch.bytes.readInt32BE(57);
      const baseTimestamp = Number(batch.bytes.readBigInt64BE(27));
      for (const r of jsAccel.decodeRecords(batch.bytes, 61, batch.bytes.length, count)) {
        out.push({ offset: batch.baseOffset + r.offsetDelta, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null, timestamp: baseTimestamp + r.timestampDelta });
      }
      offset = batch.lastOffset + 1;
    }
  }
  return out;
}

/** Appends `rounds` batches of 4 records over keys k0..k5, values "v<offset>". */
async function fill(log: PartitionLog, rounds: number, baseTimestamp: number): Promise<Rec[]> {
  const written: Rec[] = [];
  for (let round = 0; round < rounds; round++) {
    const recs = Array.from({ length: 4 }, (_, i) => {
      const offset = log.logEndOffset + i;
      const key = `k${(round * 4 + i) % 6}`;
      return { key, value: `v${offset}`, offset };
    });
    await log.append(makeBatch({ records: recs.map((r, i) => ({ key: Buffer.from(r.key), value: Buffer.from(r.value), timestampDelta: i })), baseTimestamp }));
    written.push(...recs.map((r, i) => ({ ...r, timestamp: baseTimestamp + i })));
  }
  return written;
}

/** What compaction must leave: for records below cleanEnd, only the latest per key. */
function compactedView(written: readonly Rec[], cleanEnd: number): Rec[] {
  const latest = new Map<string, number>();
  for (const r of written) if (r.key !== null && r.offset < cleanEnd) latest.set(r.key, r.offset);
  return written.filter((r) => r.offset >= cleanEnd || (r.key !== null && latest.get(r.key) === r.offset));
}

describe('log compaction', () => {
  it('keeps the latest record per key with its original offset, leaves the active segment alone', async () => {
    const log = PartitionLog.open({ dir, context: ctx, config: baseConfig });
    const written = await fill(log, 30, ctx.clock.nowMs - 1000);
    expect(log.segmentCount).toBeGreaterThanOrEqual(3);
    const cleanEnd = log.activeSegment.baseOffset;
    const cleaner = new LogCleaner({ context: ctx, useWorker: false });
    const result = await cleaner.clean(log);
    expect(result).toBeDefined();
    expect(result!.recordsRemoved).toBeGreaterThan(0);
    const after = await records(log);
    expect(after).toEqual(compactedView(written, cleanEnd));
    expect(log.logEndOffset).toBe(written.length);
    expect(log.sizeBytes).toBeLessThan(written.length * 40);
    // a fetch at a removed offset returns the next surviving batch
    const removed = written.find((r) => !after.some((a) => a.offset === r.offset))!;
    const read = await log.read(removed.offset, 1);
    expect(splitBatches(read.records)[0]!.lastOffset).toBeGreaterThanOrEqual(removed.offset);
    // nothing dirty now: no second pass
    expect(await cleaner.clean(log)).toBeUndefined();
    await log.close();
    const reopened = PartitionLog.open({ dir, context: ctx, config: baseConfig, cleanShutdown: true });
    expect(await records(reopened)).toEqual(after);
    expect(ctx.warnings).toEqual([]);
    await reopened.close();
  });

  it('drops tombstones only after delete.retention.ms, and keyless records', async () => {
    const config = { ...baseConfig, deleteRetentionMs: 60_000 };
    const log = PartitionLog.open({ dir, context: ctx, config });
    const t0 = ctx.clock.nowMs;
    await log.append(makeBatch({ records: [{ key: Buffer.from('a'), value: Buffer.from('1') }, { key: null, value: Buffer.from('nokey') }], baseTimestamp: t0 }));
    await log.append(makeBatch({ records: [{ key: Buffer.from('a'), value: null }, { key: Buffer.from('b'), value: Buffer.from('2') }], baseTimestamp: t0 }));
    log.roll();
    await log.append(makeBatch({ records: [{ key: Buffer.from('c'), value: Buffer.from('3') }], baseTimestamp: t0 }));
    const cleaner = new LogCleaner({ context: ctx, useWorker: false });
    await cleaner.clean(log, t0 + 1000);
    expect((await records(log)).map((r) => [r.offset, r.key, r.value])).toEqual([[2, 'a', null], [3, 'b', '2'], [4, 'c', '3']]);
    log.roll();
    await log.append(makeBatch({ records: [{ key: Buffer.from('d'), value: Buffer.from('4') }], baseTimestamp: t0 }));
    await cleaner.clean(log, t0 + 120_000);
    expect((await records(log)).map((r) => [r.offset, r.key, r.value])).toEqual([[3, 'b', '2'], [4, 'c', '3'], [5, 'd', '4']]);
    await log.close();
  });

  it('honours min.cleanable.dirty.ratio and min.compaction.lag.ms', async () => {
    const now = ctx.clock.nowMs;
    const lagged = PartitionLog.open({ dir, context: ctx, config: { ...baseConfig, minCompactionLagMs: 10_000 } });
    await fill(lagged, 20, now - 1000);
    const cleaner = new LogCleaner({ context: ctx, useWorker: false });
    expect(await cleaner.clean(lagged, now)).toBeUndefined();
    expect(await cleaner.clean(lagged, now + 20_000)).toBeDefined();
    await lagged.close();

    const ratioDir = join(root, 'ratio-0');
    const log = PartitionLog.open({ dir: ratioDir, context: ctx, config: { ...baseConfig, minCleanableDirtyRatio: 0.3 } });
    const unique = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i++) {
        const key = `u${log.logEndOffset}`;
        await log.append(makeBatch({ records: [{ key: Buffer.from(key), value: Buffer.alloc(100, 1) }], baseTimestamp: now - 1000 }));
      }
    };
    await unique(40);
    const first = await cleaner.clean(log, now);
    expect(first).toBeDefined();
    expect(first!.recordsRemoved).toBe(0);
    await unique(2);
    log.roll();
    await unique(1);
    expect(await cleaner.clean(log, now)).toBeUndefined();
    log.config = { ...log.config, minCleanableDirtyRatio: 0.01 };
    expect(await cleaner.clean(log, now)).toBeDefined();
    await log.close();
  });

  it('discards a pass when the log changed underneath it', async () => {
    const log = PartitionLog.open({ dir, context: ctx, config: baseConfig });
    await fill(log, 20, ctx.clock.nowMs - 1000);
    const planned = log.planCleaning(ctx.clock.nowMs, 1000)!;
    const result = cleanSegments(ctx, planned.task);
    log.truncateTo(log.logEndOffset - 10);
    expect(log.swapCleaned(result, planned.generation)).toBe(false);
    expect(readdirSync(dir).some((f) => f.endsWith('.cleaned'))).toBe(false);
    await log.close();
  });

  for (const crashPoint of ['before-swap', 'after-swap-rename', 'after-old-renamed'] as const) {
    it(`a crash during the swap (${crashPoint}) leaves a valid log`, async () => {
      const log = PartitionLog.open({ dir, context: ctx, config: baseConfig });
      const written = await fill(log, 30, ctx.clock.nowMs - 1000);
      const cleanEnd = log.activeSegment.baseOffset;
      const planned = log.planCleaning(ctx.clock.nowMs, 1000)!;
      const result = cleanSegments(ctx, planned.task);
      const group = result.groups[0]!;
      const logPath = join(dir, String(group.baseOffset).padStart(20, '0') + '.log');
      if (crashPoint !== 'before-swap') renameSync(group.cleanedPath, logPath + '.swap');
      if (crashPoint === 'after-old-renamed') renameSync(logPath, logPath + '.deleted');
      log.closeWithoutFlush();
      const reopened = PartitionLog.open({ dir, context: ctx, config: baseConfig });
      const after = await records(reopened);
      if (crashPoint === 'before-swap') expect(after).toEqual(written);
      else {
        const groupEnd = result.groups.length > 1 ? result.groups[1]!.baseOffset : cleanEnd;
        const expected = compactedView(written, result.cleanedUpTo).filter((r) => r.offset < groupEnd).concat(written.filter((r) => r.offset >= groupEnd));
        expect(after).toEqual(expected);
      }
      expect(reopened.logEndOffset).toBe(written.length);
      expect(readdirSync(dir).filter((f) => /\.(cleaned|swap|deleted)$/.test(f))).toEqual([]);
      expect(existsSync(logPath)).toBe(true);
      await reopened.close();
    });
  }
});
