// The shared benchmark helpers (bench/lib) and the micro-benchmark's tool-output parser: other
// benchmarks build on them, so their behaviour is pinned here.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { logCorpus, SeededRandom } from '../../../bench/lib/corpus.js';
import { machineInfo } from '../../../bench/lib/machine.js';
import { formatBytes, markdownTable, median, megabytesPerSecond, writeResults } from '../../../bench/lib/results.js';
import { parseToolBenchmark } from '../../../bench/micro/anchors.js';

const workDir = mkdtempSync(join(tmpdir(), 'rill-bench-lib-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('bench/lib', () => {
  it('generates the same corpus for the same seed, exactly sized', () => {
    const corpus = logCorpus(10_000, 7);
    expect(corpus.length).toBe(10_000);
    expect(logCorpus(10_000, 7).equals(corpus)).toBe(true);
    expect(logCorpus(10_000, 8).equals(corpus)).toBe(false);
    const firstLine = corpus.toString().split('\n')[0]!;
    expect(JSON.parse(firstLine)).toMatchObject({ level: expect.any(String), traceId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const random = new SeededRandom(1);
    expect(Array.from({ length: 5 }, () => random.below(10)).every((value) => value >= 0 && value < 10)).toBe(true);
  });

  it('computes medians and throughput', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(megabytesPerSecond(2_000_000, 0.5)).toBe(4);
    expect(formatBytes(1024)).toBe('1 KiB');
    expect(formatBytes(3 * 1_048_576)).toBe('3 MiB');
    expect(formatBytes(1000)).toBe('1000 B');
  });

  it('writes <date>-<scenario>.json and .md with the machine and the command', () => {
    const machine = machineInfo();
    expect(machine.coreCount).toBeGreaterThan(0);
    const files = writeResults({ scenario: 'unit', command: 'npm run x', machine, results: { value: 42 }, markdownBody: markdownTable(['a', 'b'], [[1, 2]]), directory: workDir });
    expect(files.jsonPath).toBe(join(workDir, `${machine.startedAt.slice(0, 10)}-unit.json`));
    const json = JSON.parse(readFileSync(files.jsonPath, 'utf8'));
    expect(json).toMatchObject({ scenario: 'unit', command: 'npm run x', results: { value: 42 }, machine: { nodeVersion: process.version } });
    const markdown = readFileSync(files.markdownPath, 'utf8');
    expect(markdown).toContain('`npm run x`');
    expect(markdown).toContain('| a | b |\n| --- | --- |\n| 1 | 2 |');
  });
});

describe('C tool benchmark output', () => {
  it('parses the last complete result of lz4 -b and zstd -b, through their \\r redraws', () => {
    const lz4 = '\r |-corpus.bin : 1048576 ->\r /-corpus.bin : 1048576 ->  167648 (6.255),1383.2 MB/s ,4831.0 MB/s\r 1#\n';
    expect(parseToolBenchmark(lz4)).toEqual({ inputBytes: 1_048_576, compressedBytes: 167_648, compressMBps: 1383.2, decompressMBps: 4831 });
    const zstd = 'Loading corpus.bin...\r |-corpus.bin : 1048576 ->  82260 (x12.75),  348.3 MB/s \r |-corpus.bin : 1048576 ->  82260 (x12.75),  348.3 MB/s,  562.5 MB/s\r 1#\n';
    expect(parseToolBenchmark(zstd)).toEqual({ inputBytes: 1_048_576, compressedBytes: 82_260, compressMBps: 348.3, decompressMBps: 562.5 });
    expect(parseToolBenchmark('lz4: command not found')).toBeUndefined();
  });
});
