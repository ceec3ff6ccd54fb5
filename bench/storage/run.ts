// Storage benchmark: PartitionLog append/read against raw sequential I/O on the same disk, group
// commit (flush.messages=1, 64 concurrent appenders) against one fdatasync per write, and memory
// per idle partition with 10,000 partitions. Medians over rounds; ratios are the result.
// Reproduce: npm run build:ts && node dist/bench/storage/run.js [--rounds=3] [--mib=128] [--partitions=10000] [--dir=/tmp]
import { spawnSync } from 'node:child_process';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, read as fsRead, readdirSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { accel } from '../../src/accel/index.js';
import { LogManager } from '../../src/log/log-manager.js';
import { createStorageContext } from '../../src/log/io.js';
import { PartitionLog } from '../../src/log/partition-log.js';
import { buildBatch } from '../../src/protocol/records/records.js';
import { limits } from '../../src/config/limits.js';
import { machineInfo } from '../lib/machine.js';
import { formatNumber, markdownTable, median, writeResults } from '../lib/results.js';

interface Options {
  rounds: number;
  totalBytes: number;
  partitions: number;
  baseDir: string;
  groupCommitMs: number;
}

function parseOptions(argv: readonly string[]): Options {
  const value = (name: string, fallback: string): string => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  const positive = (name: string, fallback: number): number => {
    const parsed = Number(value(name, String(fallback)));
    if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`--${name} must be a positive number`);
    return parsed;
  };
  return {
    rounds: positive('rounds', 3),
    totalBytes: positive('mib', 128) * 2 ** 20,
    partitions: positive('partitions', 10_000),
    baseDir: value('dir', tmpdir()),
    groupCommitMs: positive('group-commit-ms', 2000),
  };
}

/** Distinct batches of about batchBytes each (64 of them, reused round-robin). */
function makeBatches(batchBytes: number): Buffer[] {
  const recordBytes = 1000;
  const perBatch = Math.max(1, Math.round(batchBytes / (recordBytes + 20)));
  return Array.from({ length: 64 }, (_, b) =>
    buildBatch({ records: Array.from({ length: perBatch }, (_, i) => ({ key: null, value: Buffer.alloc(recordBytes, (b + i) & 0xff), timestampDelta: i })) }),
  );
}

const READ_PASSES = 4;

const secondsSince = (startMs: number): number => (performance.now() - startMs) / 1000;

async function appendRun(dir: string, batches: readonly Buffer[], totalBytes: number): Promise<{ mbps: number; log: PartitionLog; dir: string }> {
  const logDir = join(dir, 'bench-0');
  const log = PartitionLog.open({ dir: logDir, context: createStorageContext(64), config: { segmentBytes: 512 * 2 ** 20 } });
  let warmBytes = 0;
  for (let i = 0; warmBytes < totalBytes / 8; i++) {
    const batch = batches[i % batches.length]!;
    await log.append(batch);
    warmBytes += batch.length;
  }
  let written = 0;
  const start = performance.now();
  for (let i = 0; written < totalBytes; i++) {
    const batch = batches[i % batches.length]!;
    await log.append(batch);
    written += batch.length;
  }
  return { mbps: written / secondsSince(start) / 1e6, log, dir: logDir };
}

function rawWriteRun(path: string, batches: readonly Buffer[], totalBytes: number): number {
  const fd = openSync(path, 'w');
  let written = 0;
  for (let i = 0; written < totalBytes / 8; i++) written += writeSync(fd, batches[i % batches.length]!, 0, batches[i % batches.length]!.length, written);
  const warmBytes = written;
  const start = performance.now();
  for (let i = 0; written < warmBytes + totalBytes; i++) {
    const batch = batches[i % batches.length]!;
    written += writeSync(fd, batch, 0, batch.length, written);
  }
  const seconds = secondsSince(start);
  closeSync(fd);
  return (written - warmBytes) / seconds / 1e6;
}

function ddRun(path: string, blockBytes: number, totalBytes: number): number {
  const count = Math.ceil(totalBytes / blockBytes);
  const start = performance.now();
  const result = spawnSync('dd', ['if=/dev/zero', `of=${path}`, `bs=${blockBytes}`, `count=${count}`], { stdio: 'ignore' });
  const seconds = secondsSince(start);
  if (result.status !== 0) return Number.NaN;
  return (count * blockBytes) / seconds / 1e6;
}

async function logReadRun(log: PartitionLog, chunkBytes: number): Promise<number> {
  let offset = log.logStartOffset;
  let bytes = 0;
  const start = performance.now();
  while (offset < log.logEndOffset) {
    const result = await log.read(offset, chunkBytes);
    bytes += result.records.length;
    const last = result.records;
    // The last batch's lastOffset + 1 is the next fetch offset (header fields only).
    let at = 0;
    let next = offset;
    while (at < last.length) {
      next = Number(last.readBigInt64BE(at)) + last.readInt32BE(at + 23) + 1;
      at += last.readInt32BE(at + 8) + 12;
    }
    offset = next;
  }
  return bytes / secondsSince(start) / 1e6;
}

function rawReadSyncRun(path: string, sizeBytes: number, chunkBytes: number): number {
  const fd = openSync(path, 'r');
  const start = performance.now();
  let position = 0;
  while (position < sizeBytes) {
    const buf = Buffer.allocUnsafe(chunkBytes);
    const got = readSync(fd, buf, 0, chunkBytes, position);
    if (got === 0) break;
    position += got;
  }
  const seconds = secondsSince(start);
  closeSync(fd);
  return position / seconds / 1e6;
}

async function rawReadAsyncRun(path: string, sizeBytes: number, chunkBytes: number): Promise<number> {
  const fd = openSync(path, 'r');
  const start = performance.now();
  let position = 0;
  while (position < sizeBytes) {
    const buf = Buffer.allocUnsafe(chunkBytes);
    const got = await new Promise<number>((resolve, reject) => fsRead(fd, buf, 0, chunkBytes, position, (err, n) => (err ? reject(err) : resolve(n))));
    if (got === 0) break;
    position += got;
  }
  const seconds = secondsSince(start);
  closeSync(fd);
  return position / seconds / 1e6;
}

async function groupCommitRun(dir: string, appenders: number, durationMs: number): Promise<number> {
  const log = PartitionLog.open({ dir: join(dir, 'gc-0'), context: createStorageContext(64), config: { flushMessages: 1 } });
  const batch = makeBatches(1024)[0]!;
  let acked = 0;
  const deadline = performance.now() + durationMs;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: appenders }, async () => {
      const mine = Buffer.from(batch);
      while (performance.now() < deadline) {
        await log.append(mine);
        acked += 1;
      }
    }),
  );
  const rate = acked / secondsSince(start);
  await log.close();
  return rate;
}

function singleFsyncRun(path: string, durationMs: number): number {
  const batch = makeBatches(1024)[0]!;
  const fd = openSync(path, 'w');
  let writes = 0;
  let position = 0;
  const deadline = performance.now() + durationMs;
  const start = performance.now();
  while (performance.now() < deadline) {
    position += writeSync(fd, batch, 0, batch.length, position);
    fdatasyncSync(fd);
    writes += 1;
  }
  const rate = writes / secondsSince(start);
  closeSync(fd);
  return rate;
}

function openFdCount(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return -1;
  }
}

async function idlePartitionMemory(dir: string, partitions: number): Promise<Record<string, number>> {
  const logDir = join(dir, 'many');
  const creating = LogManager.open({ logDirs: [logDir], context: createStorageContext(limits.logFileHandlesMax), scheduleTasks: false });
  const createStart = performance.now();
  for (let p = 0; p < partitions; p++) creating.getOrCreateLog('idle', p);
  const createSeconds = secondsSince(createStart);
  await creating.close();
  global.gc?.();
  const before = process.memoryUsage();
  const fdsBefore = openFdCount();
  const openStart = performance.now();
  const manager = LogManager.open({ logDirs: [logDir], context: createStorageContext(limits.logFileHandlesMax), scheduleTasks: false });
  const openSeconds = secondsSince(openStart);
  global.gc?.();
  const after = process.memoryUsage();
  const fdsOpen = openFdCount() - fdsBefore;
  const result = {
    partitions: manager.size,
    createSeconds,
    reopenSeconds: openSeconds,
    heapBytesPerPartition: (after.heapUsed - before.heapUsed) / partitions,
    rssBytesPerPartition: (after.rss - before.rss) / partitions,
    externalBytesPerPartition: (after.external + after.arrayBuffers - before.external - before.arrayBuffers) / partitions,
    openFds: fdsOpen,
    fdBound: limits.logFileHandlesMax,
  };
  await manager.close();
  return result;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = machineInfo();
  const work = mkdtempSync(join(options.baseDir, 'rill-storage-bench-'));
  const sizes = [16 * 1024, 256 * 1024];
  const rows: Record<string, number[]>[] = [];
  const results: Record<string, unknown> = { accel: accel.implementation, options };
  try {
    for (const batchBytes of sizes) {
      const batches = makeBatches(batchBytes);
      const actualBytes = batches[0]!.length;
      const samples: Record<string, number[]> = { append: [], rawWrite: [], dd: [], read: [], rawReadSync: [], rawReadAsync: [] };
      for (let round = 0; round < options.rounds; round++) {
        const roundDir = mkdtempSync(join(work, 'r-'));
        const raw = join(roundDir, 'raw.bin');
        // Writes run in a rotating order, each after `sync` and with the previous file deleted,
        // so one run's dirty pages do not throttle the next.
        const writers: Array<() => Promise<void>> = [
          async () => void samples.rawWrite!.push(rawWriteRun(raw, batches, options.totalBytes)),
          async () => {
            samples.dd!.push(ddRun(join(roundDir, 'dd.bin'), actualBytes, options.totalBytes));
            rmSync(join(roundDir, 'dd.bin'), { force: true });
          },
          async () => {
            const appended = await appendRun(roundDir, batches, options.totalBytes);
            samples.append!.push(appended.mbps);
            await appended.log.close();
          },
        ];
        for (let i = 0; i < writers.length; i++) {
          spawnSync('sync');
          await writers[(round + i) % writers.length]!();
        }
        spawnSync('sync');
        const log = PartitionLog.open({ dir: join(roundDir, 'bench-0'), context: createStorageContext(64), cleanShutdown: true });
        const readChunk = Math.max(1024 * 1024, actualBytes);
        // Reads: one warm-up pass each, then READ_PASSES timed passes, interleaved.
        await logReadRun(log, readChunk);
        rawReadSyncRun(raw, options.totalBytes, readChunk);
        await rawReadAsyncRun(raw, options.totalBytes, readChunk);
        for (let pass = 0; pass < READ_PASSES; pass++) {
          samples.read!.push(await logReadRun(log, readChunk));
          samples.rawReadSync!.push(rawReadSyncRun(raw, options.totalBytes, readChunk));
          samples.rawReadAsync!.push(await rawReadAsyncRun(raw, options.totalBytes, readChunk));
        }
        await log.close();
        rmSync(roundDir, { recursive: true, force: true });
      }
      rows.push(samples);
      results[`batch${actualBytes}`] = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, { medianMBps: median(v), samples: v }]));
    }
    const gcDir = mkdtempSync(join(work, 'gc-'));
    const groupCommit: number[] = [];
    const singleFsync: number[] = [];
    for (let round = 0; round < options.rounds; round++) {
      singleFsync.push(singleFsyncRun(join(gcDir, `single-${round}.bin`), options.groupCommitMs));
      groupCommit.push(await groupCommitRun(join(gcDir, `g${round}`), 64, options.groupCommitMs));
    }
    results.groupCommit = { appenders: 64, ackedAppendsPerSecond: median(groupCommit), samples: groupCommit };
    results.singleWriterFsync = { writesPerSecond: median(singleFsync), samples: singleFsync };
    const memory = await idlePartitionMemory(work, options.partitions);
    results.idlePartitions = memory;
    writeReport(options, machine, results, sizes, rows, { groupCommit: median(groupCommit), singleFsync: median(singleFsync) }, memory);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function writeReport(
  options: Options,
  machine: ReturnType<typeof machineInfo>,
  results: Record<string, unknown>,
  sizes: number[],
  rows: Record<string, number[]>[],
  sync: { groupCommit: number; singleFsync: number },
  memory: Record<string, number>,
): void {
  const table = rows.map((samples, i) => {
    const m = (k: string): number => median(samples[k]!);
    return [
      `${sizes[i]! / 1024} KiB`,
      formatNumber(m('append')),
      formatNumber(m('rawWrite')),
      formatNumber(m('dd')),
      `${formatNumber((100 * m('append')) / m('rawWrite'))}%`,
      formatNumber(m('read')),
      formatNumber(m('rawReadSync')),
      formatNumber(m('rawReadAsync')),
      `${formatNumber((100 * m('read')) / m('rawReadSync'))}% / ${formatNumber((100 * m('read')) / m('rawReadAsync'))}%`,
    ];
  });
  const body = [
    `Accel: ${accel.implementation}. ${options.totalBytes / 2 ** 20} MiB per run; writes: median of ${options.rounds} rounds (rotating order, \`sync\` before each); reads: median of ${options.rounds}x${READ_PASSES} warm passes, interleaved. Files under ${options.baseDir}: the page cache makes these write()/read() ceilings, not device speed. Shared, loaded machine: compare the ratios.`,
    '',
    '## Append and read (MB/s)',
    '',
    markdownTable(
      ['batch', 'PartitionLog.append', 'raw writeSync loop', 'dd', 'append / raw', 'PartitionLog.read (1 MiB)', 'raw readSync', 'raw async read', 'read / raw sync / raw async'],
      table,
    ),
    '',
    'Targets: append >= 80% of raw write, read >= 80% of raw read.',
    '',
    '## Group commit (flush.messages=1)',
    '',
    markdownTable(
      ['64 concurrent appenders: acked appends/s', 'single writer, fdatasync per write: writes/s', 'ratio'],
      [[formatNumber(sync.groupCommit), formatNumber(sync.singleFsync), `${formatNumber(sync.groupCommit / sync.singleFsync)}x`]],
    ),
    '',
    'Target: >= 10x.',
    '',
    `## ${memory.partitions} idle partitions (LogManager reopen after a clean shutdown)`,
    '',
    markdownTable(
      ['heap bytes / partition', 'RSS bytes / partition', 'external bytes / partition', 'open fds', 'fd bound', 'create s', 'reopen s'],
      [[formatNumber(memory.heapBytesPerPartition!), formatNumber(memory.rssBytesPerPartition!), formatNumber(memory.externalBytesPerPartition!), memory.openFds, memory.fdBound, formatNumber(memory.createSeconds!), formatNumber(memory.reopenSeconds!)]],
    ),
  ].join('\n');
  const files = writeResults({ scenario: 'storage', command: 'npm run build:ts && node --expose-gc dist/bench/storage/run.js', machine, results, markdownBody: body });
  process.stdout.write(`${body}\n\nwrote ${files.jsonPath} and ${files.markdownPath}\n`);
}

await main();
