import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLEAN_SHUTDOWN_FILE, LogManager, RECOVERY_POINT_CHECKPOINT, LOG_START_OFFSET_CHECKPOINT } from '../../../src/log/log-manager.js';
import { makeBatch, splitBatches, tempDir, testContext, type TestContext } from './helpers.js';

let root: string;
let cleanup: () => void;
let ctx: TestContext;
let dirs: string[];
beforeEach(() => {
  ({ dir: root, cleanup } = tempDir());
  ctx = testContext({ handlesMax: 16 });
  dirs = [join(root, 'd1'), join(root, 'd2')];
});
afterEach(() => cleanup());

function open(extra: Partial<Parameters<typeof LogManager.open>[0]> = {}): LogManager {
  return LogManager.open({ logDirs: dirs, context: ctx, scheduleTasks: false, ...extra });
}

describe('LogManager', () => {
  it('spreads partitions over log.dirs, writes Kafka checkpoints and the clean-shutdown marker', async () => {
    const manager = open();
    for (let p = 0; p < 4; p++) await manager.getOrCreateLog('clicks', p).append(makeBatch({ count: p + 1 }));
    expect(readdirSync(dirs[0]!).filter((n) => n.startsWith('clicks-')).length).toBe(2);
    expect(readdirSync(dirs[1]!).filter((n) => n.startsWith('clicks-')).length).toBe(2);
    manager.getLog('clicks', 3)!.deleteRecordsBefore(2);
    await manager.close();
    for (const dir of dirs) expect(existsSync(join(dir, CLEAN_SHUTDOWN_FILE))).toBe(true);
    const recovery = readFileSync(join(dirs[1]!, RECOVERY_POINT_CHECKPOINT), 'utf8').split('\n');
    expect(recovery.slice(0, 2)).toEqual(['0', '2']);
    expect(recovery.slice(2, 4).sort()).toEqual(['clicks 1 2', 'clicks 3 4']);
    expect(readFileSync(join(dirs[1]!, LOG_START_OFFSET_CHECKPOINT), 'utf8')).toMatch(/clicks 3 2\n/);

    const reopened = open();
    expect(reopened.size).toBe(4);
    for (const dir of dirs) expect(existsSync(join(dir, CLEAN_SHUTDOWN_FILE))).toBe(false);
    expect(reopened.getLog('clicks', 2)!.logEndOffset).toBe(3);
    expect(reopened.getLog('clicks', 3)!.logStartOffset).toBe(2);
    expect(ctx.warnings).toEqual([]);
    await reopened.close();
  });

  it('recovers after an unclean stop (no marker) and ignores a corrupt checkpoint', async () => {
    const manager = open();
    const log = manager.getOrCreateLog('orders', 0);
    for (let i = 0; i < 10; i++) await log.append(makeBatch({ count: 2, seed: i }));
    manager.checkpoint();
    log.closeWithoutFlush();
    writeFileSync(join(dirs[0]!, RECOVERY_POINT_CHECKPOINT), '0\n7\ngarbage\n');
    const reopened = open();
    expect(ctx.warnings.some((w) => w.includes('count line'))).toBe(true);
    expect(reopened.getLog('orders', 0)!.logEndOffset).toBe(20);
    await reopened.close();
  });

  it('writes the periodic checkpoint on the thread pool: one run at a time, offsets of the moment it was asked for', async () => {
    const manager = open();
    const log = manager.getOrCreateLog('bg', 0);
    await log.append(makeBatch({ count: 3 }));
    log.deleteRecordsBefore(1);
    const first = manager.checkpointInBackground();
    expect(manager.checkpointInBackground()).toBe(first);
    await first;
    const dir = dirs.find((d) => readdirSync(d).includes('bg-0'))!;
    expect(readFileSync(join(dir, LOG_START_OFFSET_CHECKPOINT), 'utf8')).toBe('0\n1\nbg 0 1\n');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    log.deleteRecordsBefore(2);
    const second = manager.checkpointInBackground();
    expect(second).not.toBe(first);
    await manager.close();
    expect(readFileSync(join(dir, LOG_START_OFFSET_CHECKPOINT), 'utf8')).toBe('0\n1\nbg 0 2\n');
  });

  it('deletes a partition log and forgets it', async () => {
    const manager = open();
    await manager.getOrCreateLog('gone', 0).append(makeBatch());
    expect(manager.deleteLog('gone', 0)).toBe(true);
    expect(manager.getLog('gone', 0)).toBeUndefined();
    expect(readdirSync(dirs[0]!).some((n) => n.startsWith('gone'))).toBe(false);
    expect(manager.deleteLog('gone', 0)).toBe(false);
    await manager.close();
  });

  it('rejects invalid partition names', () => {
    const manager = open();
    expect(() => manager.getOrCreateLog('../escape', 0)).toThrow(/invalid partition/);
    expect(() => manager.getOrCreateLog('ok', -1)).toThrow(/invalid partition/);
  });

  it('serves many partitions through a small bounded fd cache', async () => {
    const manager = open();
    for (let p = 0; p < 120; p++) await manager.getOrCreateLog('wide', p).append(makeBatch({ seed: p }));
    expect(ctx.handles.openCount).toBeLessThanOrEqual(16);
    for (let p = 0; p < 120; p++) {
      const read = await manager.getLog('wide', p)!.read(0, 1000);
      expect(splitBatches(read.records).length).toBe(1);
    }
    expect(ctx.handles.openCount).toBeLessThanOrEqual(16);
    await manager.close();
    expect(ctx.handles.openCount).toBe(0);
  });

  it('runs retention over every log with the topic configs', async () => {
    const manager = open({ configFor: (topic) => (topic === 'short' ? { retentionMs: 1000, segmentBytes: 300, fileDeleteDelayMs: 0 } : {}) });
    const t0 = ctx.clock.nowMs;
    for (let i = 0; i < 10; i++) {
      await manager.getOrCreateLog('short', 0).append(makeBatch({ baseTimestamp: t0, seed: i }));
      await manager.getOrCreateLog('long', 0).append(makeBatch({ baseTimestamp: t0, seed: i }));
    }
    expect(manager.enforceRetention(t0 + 5000)).toBeGreaterThan(0);
    expect(manager.getLog('short', 0)!.logStartOffset).toBe(10);
    expect(manager.getLog('long', 0)!.logStartOffset).toBe(0);
    await manager.close();
  });

  it('compacts topics whose cleanup.policy says so, and only those', async () => {
    const config = { cleanupPolicy: 'compact' as const, segmentBytes: 400, minCleanableDirtyRatio: 0.01, fileDeleteDelayMs: 0 };
    const manager = open({ configFor: (topic) => (topic === 'table' ? config : { ...config, cleanupPolicy: 'delete' as const }), cleanerUseWorker: false });
    const t0 = ctx.clock.nowMs - 1000;
    for (let i = 0; i < 20; i++) {
      const records = [{ key: Buffer.from('same'), value: Buffer.from(`v${i}`) }];
      await manager.getOrCreateLog('table', 0).append(makeBatch({ records, baseTimestamp: t0 }));
      await manager.getOrCreateLog('plain', 0).append(makeBatch({ records, baseTimestamp: t0 }));
    }
    const tableBefore = manager.getLog('table', 0)!.sizeBytes;
    const plainBefore = manager.getLog('plain', 0)!.sizeBytes;
    expect(await manager.runCleaner()).toBe(1);
    expect(manager.getLog('table', 0)!.sizeBytes).toBeLessThan(tableBefore);
    expect(manager.getLog('plain', 0)!.sizeBytes).toBe(plainBefore);
    const firstDirty = manager.getLog('table', 0)!.firstDirtyOffset;
    expect(firstDirty).toBeGreaterThan(0);
    await manager.close();
    const checkpoint = readdirSync(dirs[0]!).includes('cleaner-offset-checkpoint') ? dirs[0]! : dirs[1]!;
    expect(readFileSync(join(checkpoint, 'cleaner-offset-checkpoint'), 'utf8')).toBe(`0\n1\ntable 0 ${firstDirty}\n`);
    const reopened = open({ configFor: (topic) => (topic === 'table' ? config : { ...config, cleanupPolicy: 'delete' as const }), cleanerUseWorker: false });
    expect(reopened.getLog('table', 0)!.firstDirtyOffset).toBe(firstDirty);
    expect(await reopened.runCleaner()).toBe(0);
    await reopened.close();
  });
});
