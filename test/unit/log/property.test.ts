// Random append/read/roll/truncate/delete/restart sequences checked against an in-memory model.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OffsetOutOfRangeError } from '../../../src/log/errors.js';
import { PartitionLog } from '../../../src/log/partition-log.js';
import { bodyOf, makeBatch, splitBatches, tempDir, testContext, type TestContext } from './helpers.js';

interface ModelBatch {
  baseOffset: number;
  lastOffset: number;
  body: string;
  sizeBytes: number;
}

class Model {
  batches: ModelBatch[] = [];
  logStartOffset = 0;
  logEndOffset = 0;

  append(batch: Buffer): ModelBatch {
    const count = batch.readInt32BE(23) + 1;
    const entry = { baseOffset: this.logEndOffset, lastOffset: this.logEndOffset + count - 1, body: bodyOf(batch), sizeBytes: batch.length };
    this.batches.push(entry);
    this.logEndOffset += count;
    return entry;
  }

  truncateTo(offset: number): void {
    if (offset >= this.logEndOffset) return;
    if (offset <= this.logStartOffset) {
      this.batches = [];
      this.logStartOffset = offset;
      this.logEndOffset = offset;
      return;
    }
    const firstRemoved = this.batches.findIndex((b) => b.lastOffset >= offset);
    this.logEndOffset = this.batches[firstRemoved]!.baseOffset;
    this.batches = this.batches.slice(0, firstRemoved);
  }

  deleteRecordsBefore(offset: number): void {
    this.logStartOffset = Math.max(this.logStartOffset, offset);
  }

  /** Batches a read at offset with maxBytes must return (as Kafka would). */
  expectedRead(offset: number, maxBytes: number): ModelBatch[] {
    const start = this.batches.findIndex((b) => b.lastOffset >= offset);
    if (start < 0) return [];
    const out = [this.batches[start]!];
    let total = out[0]!.sizeBytes;
    for (let i = start + 1; i < this.batches.length && total + this.batches[i]!.sizeBytes <= maxBytes; i++) {
      out.push(this.batches[i]!);
      total += this.batches[i]!.sizeBytes;
    }
    return out;
  }
}

function prng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}

let root: string;
let cleanup: () => void;
let ctx: TestContext;
beforeEach(() => {
  ({ dir: root, cleanup } = tempDir());
  ctx = testContext({ handlesMax: 4 });
});
afterEach(() => cleanup());

async function runSequence(seed: number, steps: number): Promise<void> {
  const random = prng(seed);
  const int = (below: number): number => Math.floor(random() * below);
  const dir = join(root, `prop-${seed}`);
  const config = { segmentBytes: 600 + int(2000), indexIntervalBytes: int(400), segmentIndexBytes: 48 + 8 * int(20), fileDeleteDelayMs: 0 };
  const model = new Model();
  let log = PartitionLog.open({ dir, context: ctx, config });
  const trace: string[] = [];
  const check = async (what: string): Promise<void> => {
    expect(log.logEndOffset, `${what} LEO`).toBe(model.logEndOffset);
    expect(log.logStartOffset, `${what} log start`).toBe(model.logStartOffset);
    expect(log.highWatermark).toBe(log.logEndOffset);
  };
  try {
    for (let step = 0; step < steps; step++) {
      const op = random();
      if (op < 0.45) {
        const batch = makeBatch({ count: 1 + int(4), valueBytes: int(300), seed: step });
        const expected = model.append(batch);
        trace.push(`append ${expected.baseOffset}`);
        const result = await log.append(batch);
        expect(result.baseOffset).toBe(expected.baseOffset);
        expect(result.lastOffset).toBe(expected.lastOffset);
      } else if (op < 0.75) {
        const offset = model.logStartOffset + int(model.logEndOffset - model.logStartOffset + 1);
        const maxBytes = int(1500);
        trace.push(`read ${offset} ${maxBytes}`);
        const result = await log.read(offset, maxBytes);
        const got = splitBatches(result.records).map((b) => [b.baseOffset, bodyOf(b.bytes)]);
        const wanted = model.expectedRead(offset, maxBytes).map((b) => [b.baseOffset, b.body]);
        if (wanted.length === 0) expect(got, trace.slice(-12).join(', ')).toEqual([]);
        else {
          expect(got[0], trace.slice(-8).join(', ')).toEqual(wanted[0]);
          expect(got.length).toBeLessThanOrEqual(wanted.length);
          expect(got).toEqual(wanted.slice(0, got.length));
        }
      } else if (op < 0.8) {
        trace.push('roll');
        log.roll();
      } else if (op < 0.86) {
        const offset = model.logStartOffset + int(model.logEndOffset - model.logStartOffset + 2);
        trace.push(`truncateTo ${offset}`);
        model.truncateTo(offset);
        log.truncateTo(offset);
      } else if (op < 0.9) {
        const offset = model.logStartOffset + int(model.logEndOffset - model.logStartOffset + 1);
        trace.push(`deleteRecordsBefore ${offset}`);
        model.deleteRecordsBefore(offset);
        log.deleteRecordsBefore(offset);
        if (model.logStartOffset > 0) await expect(log.read(model.logStartOffset - 1, 100)).rejects.toBeInstanceOf(OffsetOutOfRangeError);
      } else {
        const clean = random() < 0.5;
        trace.push(clean ? 'restart clean' : 'restart unclean');
        if (clean) await log.close();
        else log.closeWithoutFlush();
        log = PartitionLog.open({ dir, context: ctx, config, cleanShutdown: clean, logStartOffset: model.logStartOffset });
      }
      await check(trace[trace.length - 1]!);
    }
  } finally {
    await log.close();
  }
  expect(ctx.warnings.filter((w) => !w.includes('overlaps'))).toEqual([]);
}

describe('PartitionLog against an in-memory model', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`random operation sequence, seed ${seed}`, async () => {
      await runSequence(seed * 7919, 250);
    });
  }
});
