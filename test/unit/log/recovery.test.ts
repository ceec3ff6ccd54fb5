import { appendFileSync, readFileSync, readdirSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PartitionLog } from '../../../src/log/partition-log.js';
import { bodyOf, makeBatch, splitBatches, tempDir, testContext, type TestContext } from './helpers.js';

let root: string;
let dir: string;
let cleanup: () => void;
let ctx: TestContext;
const config = { segmentBytes: 2000, indexIntervalBytes: 150 };

beforeEach(() => {
  ({ dir: root, cleanup } = tempDir());
  dir = join(root, 'events-3');
  ctx = testContext();
});
afterEach(() => cleanup());

/** Writes `count` batches and stops without a clean close (as a crash would leave it). */
async function writeAndCrash(count: number): Promise<Buffer[]> {
  const log = PartitionLog.open({ dir, context: ctx, config });
  const batches: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    batches.push(makeBatch({ count: 1 + (i % 4), valueBytes: 30, seed: i }));
    await log.append(batches[i]!);
  }
  log.closeWithoutFlush();
  return batches;
}

async function readAll(log: PartitionLog): Promise<Buffer[]> {
  const out: Buffer[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const result = await log.read(offset, 1 << 20);
    const batches = splitBatches(result.records);
    if (batches.length === 0) break;
    for (const batch of batches) {
      expect(ctx.crc32c(batch.bytes, 21, batch.bytes.length) >>> 0).toBe(batch.bytes.readUInt32BE(17));
      out.push(batch.bytes);
    }
    offset = batches[batches.length - 1]!.lastOffset + 1;
  }
  return out;
}

function lastSegmentPath(suffix: string): string {
  const logs = readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
  return join(dir, logs[logs.length - 1]!.replace(/\.log$/, suffix));
}

function recoverAndRead(): Promise<{ log: PartitionLog; batches: Buffer[] }> {
  const log = PartitionLog.open({ dir, context: ctx, config });
  return readAll(log).then((batches) => ({ log, batches }));
}

describe('recovery after an unclean stop', () => {
  it('keeps every batch when nothing is damaged', async () => {
    const written = await writeAndCrash(40);
    const { log, batches } = await recoverAndRead();
    expect(batches.map(bodyOf)).toEqual(written.map(bodyOf));
    expect(ctx.warnings).toEqual([]);
    await log.close();
  });

  it('a torn last batch is cut; appends continue after the last valid batch', async () => {
    const written = await writeAndCrash(40);
    const path = lastSegmentPath('.log');
    truncateSync(path, statSync(path).size - 7);
    const { log, batches } = await recoverAndRead();
    expect(batches.map(bodyOf)).toEqual(written.slice(0, 39).map(bodyOf));
    expect(ctx.warnings.some((w) => w.includes('truncated'))).toBe(true);
    const next = splitBatches(batches[batches.length - 1]!)[0]!.lastOffset + 1;
    expect(log.logEndOffset).toBe(next);
    expect(await log.append(makeBatch())).toMatchObject({ baseOffset: next });
    await log.close();
  });

  it('a bit flip inside a batch truncates there and drops later segments', async () => {
    const written = await writeAndCrash(60);
    const first = join(dir, '00000000000000000000.log');
    const bytes = readFileSync(first);
    const batchSizes = splitBatches(bytes).map((b) => b.bytes.length);
    const flipAt = batchSizes[0]! + batchSizes[1]! + 70;
    bytes[flipAt] = bytes[flipAt]! ^ 0x10;
    writeFileSync(first, bytes);
    const { log, batches } = await recoverAndRead();
    expect(batches.map(bodyOf)).toEqual(written.slice(0, 2).map(bodyOf));
    expect(log.segmentCount).toBe(1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.log'))).toEqual(['00000000000000000000.log']);
    await log.close();
  });

  it('a zeroed tail (preallocated or lost pages) is cut away', async () => {
    const written = await writeAndCrash(25);
    appendFileSync(lastSegmentPath('.log'), Buffer.alloc(4096));
    const { log, batches } = await recoverAndRead();
    expect(batches.map(bodyOf)).toEqual(written.map(bodyOf));
    expect(statSync(lastSegmentPath('.log')).size).toBe(log.activeSegment.sizeBytes);
    await log.close();
  });

  it('a corrupted length field truncates at that batch', async () => {
    const written = await writeAndCrash(10);
    const path = lastSegmentPath('.log');
    const bytes = readFileSync(path);
    const sizes = splitBatches(bytes).map((b) => b.bytes.length);
    const at = sizes.slice(0, sizes.length - 2).reduce((a, b) => a + b, 0);
    bytes.writeInt32BE(0x7fff_0000, at + 8);
    writeFileSync(path, bytes);
    const { log, batches } = await recoverAndRead();
    expect(batches.length).toBe(written.length - 2);
    await log.close();
  });

  it('a torn or garbage index is rebuilt even after a clean shutdown', async () => {
    const log = PartitionLog.open({ dir, context: ctx, config });
    const written: Buffer[] = [];
    for (let i = 0; i < 30; i++) {
      written.push(makeBatch({ count: 2, valueBytes: 30, seed: i }));
      await log.append(written[i]!);
    }
    await log.close();
    const first = join(dir, '00000000000000000000.index');
    const size = statSync(first).size;
    expect(size).toBeGreaterThan(8);
    truncateSync(first, size - 3);
    const garbage = lastSegmentPath('.index');
    writeFileSync(garbage, Buffer.from('ffffffff00000010ffffffff00000020', 'hex'));
    const reopened = PartitionLog.open({ dir, context: ctx, config, cleanShutdown: true });
    expect(ctx.warnings.filter((w) => w.includes('rebuilding')).length).toBe(2);
    expect((await readAll(reopened)).map(bodyOf)).toEqual(written.map(bodyOf));
    for (let offset = 0; offset < 60; offset += 7) {
      const read = await reopened.read(offset, 1);
      const batch = splitBatches(read.records)[0]!;
      expect(batch.baseOffset <= offset && offset <= batch.lastOffset).toBe(true);
    }
    await reopened.close();
    expect(statSync(first).size % 8).toBe(0);
  });

  it('a log start offset checkpoint beyond what survived restarts the log there', async () => {
    await writeAndCrash(5);
    const log = PartitionLog.open({ dir, context: ctx, config, logStartOffset: 100 });
    expect(log.logStartOffset).toBe(100);
    expect(log.logEndOffset).toBe(100);
    expect(await log.append(makeBatch())).toMatchObject({ baseOffset: 100 });
    await log.close();
  });
});
