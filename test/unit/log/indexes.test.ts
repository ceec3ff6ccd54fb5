import { writeFileSync, statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OffsetIndex } from '../../../src/log/offset-index.js';
import { TimeIndex } from '../../../src/log/time-index.js';
import { jsAccel, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

describe('OffsetIndex', () => {
  it('preallocates the file, looks up the floor entry, persists and trims', () => {
    const path = join(dir, 'a.index');
    const index = new OffsetIndex(jsAccel.file, path, 100, 80);
    index.createFile();
    expect(statSync(path).size).toBe(80);
    index.append(105, 4100);
    index.append(110, 8300);
    index.append(120, 12_500);
    expect(index.lookup(99)).toEqual({ offset: 100, position: 0 });
    expect(index.lookup(104)).toEqual({ offset: 100, position: 0 });
    expect(index.lookup(105)).toEqual({ offset: 105, position: 4100 });
    expect(index.lookup(119)).toEqual({ offset: 110, position: 8300 });
    expect(index.lookup(1000)).toEqual({ offset: 120, position: 12_500 });
    index.persist({ trim: true, sync: true });
    const bytes = readFileSync(path);
    expect(bytes.length).toBe(24);
    expect(bytes.readInt32BE(8)).toBe(10);
    expect(bytes.readInt32BE(12)).toBe(8300);

    const loaded = new OffsetIndex(jsAccel.file, path, 100, 80);
    expect(loaded.loadFor(20_000)).toBe(true);
    expect(loaded.entries).toBe(3);
    expect(loaded.lookup(111)).toEqual({ offset: 110, position: 8300 });
  });

  it('refuses to trust a torn, non-monotonic or out-of-file index', () => {
    const path = join(dir, 'b.index');
    const index = new OffsetIndex(jsAccel.file, path, 0, 800);
    index.append(5, 100);
    index.append(9, 300);
    index.persist({ trim: true, sync: false });
    expect(new OffsetIndex(jsAccel.file, path, 0, 800).loadFor(301)).toBe(true);
    expect(new OffsetIndex(jsAccel.file, path, 0, 800).loadFor(300)).toBe(false);
    writeFileSync(path, readFileSync(path).subarray(0, 13));
    expect(new OffsetIndex(jsAccel.file, path, 0, 800).loadFor(1000)).toBe(false);
    const swapped = Buffer.alloc(16);
    swapped.writeInt32BE(9, 0);
    swapped.writeInt32BE(300, 4);
    swapped.writeInt32BE(5, 8);
    swapped.writeInt32BE(100, 12);
    writeFileSync(path, swapped);
    expect(new OffsetIndex(jsAccel.file, path, 0, 800).loadFor(1000)).toBe(false);
    writeFileSync(path, Buffer.alloc(16));
    expect(new OffsetIndex(jsAccel.file, path, 0, 800).loadFor(1000)).toBe(false);
  });

  it('truncates entries at and after an offset and reports fullness', () => {
    const index = new OffsetIndex(jsAccel.file, join(dir, 'c.index'), 0, 24);
    index.append(2, 10);
    index.append(4, 20);
    index.append(6, 30);
    expect(index.isFull).toBe(true);
    expect(() => index.append(8, 40)).toThrow(/full/);
    index.truncateToOffset(4);
    expect(index.entries).toBe(1);
    expect(index.lookup(100)).toEqual({ offset: 2, position: 10 });
  });
});

describe('TimeIndex', () => {
  it('appends only growing timestamps and finds the floor entry', () => {
    const path = join(dir, 'a.timeindex');
    const index = new TimeIndex(jsAccel.file, path, 50, 120);
    index.createFile();
    expect(statSync(path).size).toBe(120);
    expect(index.maybeAppend(1000, 52)).toBe(true);
    expect(index.maybeAppend(1000, 55)).toBe(false);
    expect(index.maybeAppend(2000, 58)).toBe(true);
    expect(index.lookup(999)).toEqual({ timestamp: -1, offset: 50 });
    expect(index.lookup(1500)).toEqual({ timestamp: 1000, offset: 52 });
    expect(index.lookup(5000)).toEqual({ timestamp: 2000, offset: 58 });
    index.persist({ trim: true, sync: false });
    expect(statSync(path).size).toBe(24);
    const loaded = new TimeIndex(jsAccel.file, path, 50, 120);
    expect(loaded.loadFor(59)).toBe(true);
    expect(loaded.lastEntry()).toEqual({ timestamp: 2000, offset: 58 });
    expect(new TimeIndex(jsAccel.file, path, 50, 120).loadFor(58)).toBe(false);
    index.truncateToOffset(58);
    expect(index.lastEntry()).toEqual({ timestamp: 1000, offset: 52 });
  });
});

describe('log config from topic configs', () => {
  it('maps Kafka names, lists and Long.MAX_VALUE', async () => {
    const { logConfigFromTopicConfigs, NEVER } = await import('../../../src/log/config.js');
    const config = logConfigFromTopicConfigs(
      new Map<string, number | string[] | string>([
        ['segment.bytes', 4096],
        ['flush.messages', 9_223_372_036_854_775_807],
        ['cleanup.policy', ['delete', 'compact']],
        ['retention.ms', -1],
        ['unrelated', 'x'],
      ]),
    );
    expect(config.segmentBytes).toBe(4096);
    expect(config.flushMessages).toBe(NEVER);
    expect(config.cleanupPolicy).toBe('compact,delete');
    expect(config.retentionMs).toBe(-1);
    expect(logConfigFromTopicConfigs(new Map([['cleanup.policy', 'compact']])).cleanupPolicy).toBe('compact');
  });
});
