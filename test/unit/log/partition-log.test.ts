import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidBatchError, OffsetOutOfRangeError } from '../../../src/log/errors.js';
import { PartitionLog, type PartitionLogOptions } from '../../../src/log/partition-log.js';
import { bodyOf, makeBatch, splitBatches, tempDir, testContext, type TestContext } from './helpers.js';

let root: string;
let cleanup: () => void;
let ctx: TestContext;
const opened: PartitionLog[] = [];

beforeEach(() => {
  ({ dir: root, cleanup } = tempDir());
  ctx = testContext();
});
afterEach(async () => {
  for (const log of opened.splice(0)) await log.close();
  cleanup();
});

function open(options: Partial<PartitionLogOptions> = {}): PartitionLog {
  const log = PartitionLog.open({ dir: join(root, 'orders-0'), context: ctx, ...options });
  opened.push(log);
  return log;
}

async function reopen(log: PartitionLog, options: Partial<PartitionLogOptions> = {}): Promise<PartitionLog> {
  await log.close();
  return open({ cleanShutdown: true, config: log.config, ...options });
}

async function readAll(log: PartitionLog, from = log.logStartOffset): Promise<{ baseOffset: number; lastOffset: number; bytes: Buffer }[]> {
  const out: { baseOffset: number; lastOffset: number; bytes: Buffer }[] = [];
  let offset = from;
  while (offset < log.logEndOffset) {
    const result = await log.read(offset, 1 << 20);
    if (result.records.length === 0) break;
    const batches = splitBatches(result.records);
    out.push(...batches);
    offset = batches[batches.length - 1]!.lastOffset + 1;
  }
  return out;
}

describe('PartitionLog append and read', () => {
  it('assigns offsets by patching baseOffset and leader epoch in place and reads the bytes back', async () => {
    const log = open();
    expect(log.topic).toBe('orders');
    expect(log.partition).toBe(0);
    const first = makeBatch({ count: 3, seed: 1 });
    const second = makeBatch({ count: 2, seed: 2 });
    expect(await log.append(first)).toMatchObject({ baseOffset: 0, lastOffset: 2 });
    expect(await log.append([second])).toMatchObject({ baseOffset: 3, lastOffset: 4 });
    expect(second.readBigInt64BE(0)).toBe(3n);
    expect(second.readInt32BE(12)).toBe(0);
    expect(log.logEndOffset).toBe(5);
    expect(log.highWatermark).toBe(5);
    expect(log.lastStableOffset).toBe(5);
    const read = await log.read(0, 1 << 20);
    expect(Buffer.compare(read.records, Buffer.concat([first, second]))).toBe(0);
    expect(read.firstOffset).toBe(0);
    const segmentFile = join(root, 'orders-0', '00000000000000000000.log');
    expect(Buffer.compare(readFileSync(segmentFile), Buffer.concat([first, second]))).toBe(0);
  });

  it('appends several batches in one buffer and several buffers in one call', async () => {
    const log = open();
    const a = makeBatch({ count: 2, seed: 1 });
    const b = makeBatch({ count: 1, seed: 2 });
    const c = makeBatch({ count: 4, seed: 3 });
    const result = await log.append([Buffer.concat([a, b]), c]);
    expect(result).toMatchObject({ baseOffset: 0, lastOffset: 6 });
    const batches = await readAll(log);
    expect(batches.map((x) => [x.baseOffset, x.lastOffset])).toEqual([[0, 1], [2, 2], [3, 6]]);
  });

  it('returns the whole batch holding a fetch offset inside it, and at least one batch beyond maxBytes', async () => {
    const log = open();
    await log.append(makeBatch({ count: 10, seed: 1 }));
    const big = makeBatch({ count: 5, valueBytes: 3000, seed: 2 });
    await log.append(big);
    const inside = await log.read(4, 1 << 20);
    expect(splitBatches(inside.records).map((b) => b.baseOffset)).toEqual([0, 10]);
    const tiny = await log.read(12, 10);
    expect(splitBatches(tiny.records).map((b) => b.baseOffset)).toEqual([10]);
    expect(tiny.records.length).toBe(big.length);
    const huge = await log.read(0, Number.MAX_SAFE_INTEGER);
    expect(huge.records.length).toBe(log.sizeBytes);
    const bounded = await log.read(0, 100);
    expect(splitBatches(bounded.records).map((b) => b.baseOffset)).toEqual([0]);
  });

  it('reads at the log end offset return nothing; outside the log throw OffsetOutOfRange', async () => {
    const log = open();
    await log.append(makeBatch({ count: 2 }));
    expect((await log.read(2, 1000)).records.length).toBe(0);
    await expect(log.read(3, 1000)).rejects.toBeInstanceOf(OffsetOutOfRangeError);
    await expect(log.read(-1, 1000)).rejects.toBeInstanceOf(OffsetOutOfRangeError);
  });

  it('stops before maxOffset', async () => {
    const log = open();
    await log.append(makeBatch({ count: 2, seed: 1 }));
    await log.append(makeBatch({ count: 2, seed: 2 }));
    const read = await log.read(0, 1 << 20, { maxOffset: 2 });
    expect(splitBatches(read.records).map((b) => b.baseOffset)).toEqual([0]);
    expect((await log.read(2, 1 << 20, { maxOffset: 2 })).records.length).toBe(0);
  });

  it('rejects malformed input with a typed error and writes nothing', async () => {
    const log = open();
    const good = makeBatch({ count: 1 });
    await expect(log.append(Buffer.alloc(0))).rejects.toBeInstanceOf(InvalidBatchError);
    await expect(log.append(good.subarray(0, 40))).rejects.toBeInstanceOf(InvalidBatchError);
    const longer = Buffer.from(good);
    longer.writeInt32BE(good.length, 8);
    await expect(log.append(longer)).rejects.toBeInstanceOf(InvalidBatchError);
    const v1 = Buffer.from(good);
    v1.writeInt8(1, 16);
    await expect(log.append([good, v1])).rejects.toMatchObject({ errorCode: 2 });
    expect(log.logEndOffset).toBe(0);
    expect(log.sizeBytes).toBe(0);
  });
});

describe('PartitionLog segments and indexes', () => {
  it('rolls by segment.bytes and reads across segments', async () => {
    const log = open({ config: { segmentBytes: 1024, indexIntervalBytes: 100 } });
    const batches: Buffer[] = [];
    for (let i = 0; i < 40; i++) {
      const batch = makeBatch({ count: 1 + (i % 3), valueBytes: 50, seed: i });
      batches.push(batch);
      await log.append(batch);
    }
    expect(log.segmentCount).toBeGreaterThan(3);
    for (const base of log.segmentBaseOffsets().slice(1)) {
      expect(existsSync(join(root, 'orders-0', String(base).padStart(20, '0') + '.log'))).toBe(true);
    }
    const read = await readAll(log);
    expect(read.map((b) => bodyOf(b.bytes))).toEqual(batches.map(bodyOf));
    const sealedIndex = join(root, 'orders-0', '00000000000000000000.index');
    expect(statSync(sealedIndex).size % 8).toBe(0);
    expect(statSync(sealedIndex).size).toBeGreaterThan(0);
    for (const batch of read) {
      const single = await log.read(batch.lastOffset, 1);
      expect(splitBatches(single.records)[0]!.baseOffset).toBe(batch.baseOffset);
    }
  });

  it('rolls by segment.ms and when the index is full', async () => {
    const log = open({ config: { segmentMs: 1000, segmentIndexBytes: 48, indexIntervalBytes: 0 } });
    const now = ctx.clock.nowMs;
    await log.append(makeBatch({ baseTimestamp: now }));
    ctx.clock.nowMs += 500;
    await log.append(makeBatch({ baseTimestamp: now + 500 }));
    expect(log.segmentCount).toBe(1);
    ctx.clock.nowMs += 1000;
    await log.append(makeBatch({ baseTimestamp: now + 1500 }));
    expect(log.segmentBaseOffsets()).toEqual([0, 2]);
    for (let i = 0; i < 12; i++) await log.append(makeBatch({ baseTimestamp: now + 1500 }));
    expect(log.segmentCount).toBeGreaterThan(2);
    expect((await readAll(log)).length).toBe(15);
  });

  it('keeps everything across a clean close and reopen', async () => {
    let log = open({ config: { segmentBytes: 2048, indexIntervalBytes: 200 } });
    const batches: Buffer[] = [];
    for (let i = 0; i < 30; i++) {
      batches.push(makeBatch({ count: 2, valueBytes: 40, seed: i }));
      await log.append(batches[i]!);
    }
    const before = log.segmentBaseOffsets();
    log = await reopen(log);
    expect(log.segmentBaseOffsets()).toEqual(before);
    expect(log.logEndOffset).toBe(60);
    expect(ctx.warnings).toEqual([]);
    expect((await readAll(log)).map((b) => bodyOf(b.bytes))).toEqual(batches.map(bodyOf));
    expect(await log.append(makeBatch())).toMatchObject({ baseOffset: 60 });
  });
});

describe('PartitionLog offsets by timestamp', () => {
  it('answers earliest, latest, max timestamp and first offset with timestamp >= target', async () => {
    const log = open({ config: { segmentBytes: 600, indexIntervalBytes: 50 } });
    // batch i: records at t0 + 100*i + j (j = 0..2), so record offsets 3i+j have timestamp t0+100i+j
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 20; i++) await log.append(makeBatch({ count: 3, baseTimestamp: t0 + 100 * i, seed: i }));
    expect(log.segmentCount).toBeGreaterThan(2);
    expect(log.offsetForTimestamp(-2)).toEqual({ offset: 0, timestamp: -1 });
    expect(log.offsetForTimestamp(-1)).toEqual({ offset: 60, timestamp: -1 });
    expect(log.offsetForTimestamp(-3)).toEqual({ offset: 59, timestamp: t0 + 1902 });
    expect(log.offsetForTimestamp(t0)).toEqual({ offset: 0, timestamp: t0 });
    expect(log.offsetForTimestamp(t0 + 501)).toEqual({ offset: 16, timestamp: t0 + 501 });
    expect(log.offsetForTimestamp(t0 + 503)).toEqual({ offset: 18, timestamp: t0 + 600 });
    expect(log.offsetForTimestamp(t0 - 5000)).toEqual({ offset: 0, timestamp: t0 });
    expect(log.offsetForTimestamp(t0 + 1903)).toBeUndefined();
    const reopened = await reopen(log);
    expect(reopened.offsetForTimestamp(t0 + 1001)).toEqual({ offset: 31, timestamp: t0 + 1001 });
    expect(reopened.offsetForTimestamp(-3)).toEqual({ offset: 59, timestamp: t0 + 1902 });
  });

  it('finds records inside compressed batches', async () => {
    const log = open();
    const t0 = 1_700_000_000_000;
    await log.append(makeBatch({ count: 5, baseTimestamp: t0, compression: 'gzip' }));
    expect(log.offsetForTimestamp(t0 + 3)).toEqual({ offset: 3, timestamp: t0 + 3 });
  });
});

describe('PartitionLog truncation and deletion', () => {
  it('truncateTo removes later segments and whole batches, then appends continue from there', async () => {
    const log = open({ config: { segmentBytes: 700, indexIntervalBytes: 50 } });
    for (let i = 0; i < 20; i++) await log.append(makeBatch({ count: 2, seed: i }));
    const segmentsBefore = log.segmentCount;
    log.truncateTo(15);
    expect(log.logEndOffset).toBe(14);
    expect(log.segmentCount).toBeLessThan(segmentsBefore);
    const after = await readAll(log);
    expect(after[after.length - 1]!.lastOffset).toBe(13);
    expect(await log.append(makeBatch({ count: 1 }))).toMatchObject({ baseOffset: 14 });
    log.truncateTo(0);
    expect(log.logEndOffset).toBe(0);
    expect((await log.read(0, 1000)).records.length).toBe(0);
    const reopened = await reopen(log);
    expect(reopened.logEndOffset).toBe(0);
  });

  it('deleteRecordsBefore moves the log start offset and deletes whole segments (files renamed, then unlinked)', async () => {
    const log = open({ config: { segmentBytes: 500, fileDeleteDelayMs: 60_000 } });
    for (let i = 0; i < 20; i++) await log.append(makeBatch({ count: 2, seed: i }));
    const inFlight = log.read(0, 1 << 20);
    expect(log.deleteRecordsBefore(25)).toBe(25);
    expect(log.logStartOffset).toBe(25);
    expect(log.segmentBaseOffsets()[0]).toBeLessThanOrEqual(25);
    expect((await inFlight).records.length).toBeGreaterThan(0);
    const dirFiles = readdirSync(join(root, 'orders-0'));
    expect(dirFiles.some((f) => f.endsWith('.log.deleted'))).toBe(true);
    await expect(log.read(10, 100)).rejects.toBeInstanceOf(OffsetOutOfRangeError);
    const read = await log.read(25, 100);
    expect(splitBatches(read.records)[0]!.baseOffset).toBe(24);
    expect(() => log.deleteRecordsBefore(41)).toThrow(OffsetOutOfRangeError);
    const reopened = await reopen(log, { logStartOffset: 25 });
    expect(readdirSync(join(root, 'orders-0')).some((f) => f.endsWith('.deleted'))).toBe(false);
    expect(reopened.logStartOffset).toBe(25);
  });

  it('retention.ms deletes old segments (rolling an expired active one), retention.bytes keeps the newest', async () => {
    const t0 = ctx.clock.nowMs;
    const log = open({ config: { segmentBytes: 400, retentionMs: 10_000, fileDeleteDelayMs: 0 } });
    for (let i = 0; i < 10; i++) await log.append(makeBatch({ count: 2, baseTimestamp: t0 - 20_000, seed: i }));
    for (let i = 0; i < 10; i++) await log.append(makeBatch({ count: 2, baseTimestamp: t0, seed: i }));
    const segments = log.segmentCount;
    expect(log.enforceRetention(t0)).toBeGreaterThan(0);
    expect(log.segmentCount).toBeLessThan(segments);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(readdirSync(join(root, 'orders-0')).filter((f) => f.endsWith('.deleted'))).toEqual([]);
    expect(log.offsetForTimestamp(t0 - 20_000)!.offset).toBeGreaterThanOrEqual(log.logStartOffset);
    expect((await log.read(log.logStartOffset, 1 << 20)).records.length).toBeGreaterThan(0);
    expect(log.enforceRetention(t0 + 20_000)).toBeGreaterThan(0);
    expect(log.logStartOffset).toBe(40);
    expect(log.logEndOffset).toBe(40);
    expect(await log.append(makeBatch())).toMatchObject({ baseOffset: 40 });

    log.config = { ...log.config, retentionMs: -1, retentionBytes: 1000 };
    for (let i = 0; i < 20; i++) await log.append(makeBatch({ count: 2, baseTimestamp: t0 + 30_000, seed: i }));
    log.enforceRetention(t0 + 30_000);
    expect(log.sizeBytes).toBeLessThanOrEqual(1000 + 400);
    expect(log.sizeBytes).toBeGreaterThan(1000 - 400);
  });
});

describe('PartitionLog leader epochs and checkpoints', () => {
  it('records epoch start offsets in leader-epoch-checkpoint (Kafka text format) and answers OffsetForLeaderEpoch', async () => {
    const log = open();
    await log.append(makeBatch({ count: 3 }));
    log.becomeLeader(2);
    const batch = makeBatch({ count: 2 });
    await log.append(batch);
    expect(batch.readInt32BE(12)).toBe(2);
    log.becomeLeader(5);
    await log.append(makeBatch({ count: 1 }));
    const text = readFileSync(join(root, 'orders-0', 'leader-epoch-checkpoint'), 'utf8');
    expect(text).toBe('0\n3\n0 0\n2 3\n5 5\n');
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 3 });
    expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 2, endOffset: 5 });
    expect(log.endOffsetForEpoch(9)).toEqual({ epoch: 5, endOffset: 6 });
    log.truncateTo(5);
    expect(log.logEndOffset).toBe(5);
    expect(log.leaderEpochEntries).toEqual([{ epoch: 0, startOffset: 0 }, { epoch: 2, startOffset: 3 }]);
    const reopened = await reopen(log);
    expect(reopened.leaderEpoch).toBe(2);
    expect(reopened.leaderEpochEntries.length).toBe(2);
  });
});

describe('PartitionLog flush (group commit)', () => {
  it('with flush.messages=1 concurrent appends share fdatasync calls', async () => {
    let syncs = 0;
    const io = ctx.io;
    ctx.io = { ...io, fdatasyncAsync: async (fd) => { syncs++; await io.fdatasyncAsync(fd); } };
    const log = open({ config: { flushMessages: 1 } });
    const results = await Promise.all(Array.from({ length: 64 }, (_, i) => log.append(makeBatch({ seed: i }))));
    expect(new Set(results.map((r) => r.baseOffset)).size).toBe(64);
    expect(log.recoveryPoint).toBe(64);
    expect(syncs).toBeGreaterThan(0);
    expect(syncs).toBeLessThan(64);
  });

  it('an append with flush.messages=1 resolves only after its fdatasync completed', async () => {
    const io = ctx.io;
    let release: (() => void) | undefined;
    ctx.io = { ...io, fdatasyncAsync: (fd) => new Promise<void>((resolve) => { release = () => { io.fdatasync(fd); resolve(); }; }) };
    const log = open({ config: { flushMessages: 1 } });
    let done = false;
    const pending = log.append(makeBatch()).then(() => { done = true; });
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    expect(release).toBeDefined();
    release!();
    await pending;
    expect(done).toBe(true);
  });

  it('a failed fdatasync rejects the waiting appends and takes the log offline', async () => {
    const io = ctx.io;
    ctx.io = { ...io, fdatasyncAsync: async () => { throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }); } };
    const log = open({ config: { flushMessages: 1 } });
    await expect(log.append(makeBatch())).rejects.toThrow(/EIO/);
    await expect(log.append(makeBatch())).rejects.toMatchObject({ errorCode: 56 });
    opened.pop();
    log.closeWithoutFlush();
  });

  it('flush.messages=N waits only on every Nth message; flush.ms flushes when due', async () => {
    const log = open({ config: { flushMessages: 5, flushMs: 1000 } });
    await log.append(makeBatch({ count: 2 }));
    expect(log.recoveryPoint).toBe(0);
    await log.append(makeBatch({ count: 3 }));
    expect(log.recoveryPoint).toBe(5);
    await log.append(makeBatch({ count: 1 }));
    expect(log.recoveryPoint).toBe(5);
    ctx.clock.nowMs += 2000;
    log.flushIfDue(ctx.clock.nowMs);
    await log.flush();
    expect(log.recoveryPoint).toBe(6);
  });
});
