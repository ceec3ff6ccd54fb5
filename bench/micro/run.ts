// Micro-benchmarks of every Accel function x implementation x size on a JSON log-line corpus
// (tinybench), with the lz4/zstd C tools' own benchmarks as anchors. `npm run bench` runs
// it; `rill bench micro` calls runMicroBenchmarks(). Writes perf-results/<date>-micro.{json,md}.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { CompressionError, loadAccelImplementation, type Accel, type AccelImplementation, type Codec } from '../../src/accel/index.js';
import { machineInfo, type MachineInfo } from '../lib/machine.js';
import { median, megabytesPerSecond, writeResults, type ResultFiles } from '../lib/results.js';
import { runToolAnchors, type AnchorRun } from './anchors.js';
import { microMarkdown } from './report.js';
import { evaluateTargets, type TargetResult } from './targets.js';
import { buildCorpus, ScratchFiles, workloadsFor, type Workload } from './workloads.js';

export const DEFAULT_SIZES_BYTES: readonly number[] = [1024, 64 * 1024, 1024 * 1024];
const ALL_IMPLEMENTATIONS: readonly AccelImplementation[] = ['native', 'wasm', 'js'];
const ALL_CODECS: readonly Codec[] = ['gzip', 'snappy', 'lz4', 'zstd'];
const CORPUS_SEED = 2026;
/** zstd levels the anchors cover: 1 (the -b1 anchor) and 3 (Kafka's default level). */
const ZSTD_ANCHOR_LEVELS = [1, 3];
export const REPRODUCE_COMMAND = 'npm run build && npm run bench';

export interface MicroBenchOptions {
  sizesBytes?: readonly number[];
  implementations?: readonly AccelImplementation[];
  /** Time budget per task and round, ms (tinybench `time`). */
  timeMs?: number;
  /**
   * Rounds over all workloads (default 5). Within a round the implementations of one
   * function and size run back to back, in an order rotated every round, so load swings on a
   * shared machine hit them alike; a row reports the median of its rounds.
   */
  rounds?: number;
  /** Only functions whose name contains this string. */
  filter?: string;
  /** Run the lz4/zstd C tools as anchors (default true). */
  anchors?: boolean;
  /** Write perf-results files (default true). */
  write?: boolean;
  /** Directory for results (default perf-results/). */
  directory?: string;
  log?: (line: string) => void;
}

export interface MicroRow {
  fn: string;
  implementation: string;
  sizeBytes: number;
  bytesPerCall: number;
  /** Median throughput over the samples, MB/s (10^6 bytes per second). */
  medianMBps: number;
  medianCallsPerSecond: number;
  /** Each round's median MB/s. */
  roundsMBps: number[];
  /** Samples over all rounds. */
  samples: number;
  /** Largest relative margin of error of a round's latency mean, percent. */
  rmePercent: number;
  /** Set when the workload threw in some round (its throughput is then NaN). */
  error?: string;
}

export interface CompressionRatio {
  implementation: string;
  codec: Codec;
  sizeBytes: number;
  ratio: number;
}

export interface MicroReport {
  machine: MachineInfo;
  implementations: { loaded: string[]; skipped: string[] };
  corpus: { description: string; seed: number; sizesBytes: number[]; ratios: CompressionRatio[] };
  rows: MicroRow[];
  anchors: AnchorRun | undefined;
  /** The zstd level whose output size is closest to native's, used for the zstd comparison. */
  nativeZstdLevelGuess: number | undefined;
  targets: TargetResult[];
  options: { timeMs: number; rounds: number; sizesBytes: number[] };
  files?: ResultFiles;
}

function loadImplementations(wanted: readonly AccelImplementation[]): { accels: Accel[]; skipped: string[] } {
  const accels: Accel[] = [];
  const skipped: string[] = [];
  for (const impl of wanted) {
    try {
      accels.push(loadAccelImplementation(impl));
    } catch (err) {
      skipped.push(`${impl}: ${(err as Error).message}`);
    }
  }
  return { accels, skipped };
}

function supportedCodecs(accel: Accel): Codec[] {
  return ALL_CODECS.filter((codec) => {
    try {
      accel.compress(codec, Buffer.from('probe'));
      return true;
    } catch (err) {
      if (err instanceof CompressionError && err.kind === 'unsupported') return false;
      throw err;
    }
  });
}

function taskName(workload: Workload): string {
  return `${workload.fn} | ${workload.implementation} | ${workload.sizeBytes}`;
}

function addTask(bench: Bench, workload: Workload): void {
  const calls = workload.callsPerSample;
  const runAsync = workload.runAsync;
  if (runAsync) {
    bench.add(taskName(workload), async () => {
      for (let i = 0; i < calls; i++) await runAsync();
    });
    return;
  }
  const run = workload.run;
  bench.add(taskName(workload), () => {
    for (let i = 0; i < calls; i++) run();
  });
}

interface RoundResult {
  medianMBps: number;
  samples: number;
  rmePercent: number;
  error?: string;
}

/** A round's result; a workload that throws is recorded with its error, not fatal to the run. */
function roundResultOf(bench: Bench, workload: Workload): RoundResult {
  const result = bench.getTask(taskName(workload))?.result;
  if (!result || result.state !== 'completed') {
    const why = result && result.state === 'errored' ? result.error.message : (result?.state ?? 'missing');
    return { medianMBps: Number.NaN, samples: 0, rmePercent: Number.NaN, error: why };
  }
  const sampleBytes = workload.bytesPerCall * workload.callsPerSample;
  return {
    medianMBps: megabytesPerSecond(sampleBytes, result.latency.p50 / 1000),
    samples: result.latency.samplesCount,
    rmePercent: result.latency.rme,
  };
}

async function measureOnce(workload: Workload, timeMs: number): Promise<RoundResult> {
  const bench = new Bench({ time: timeMs, iterations: 3, warmupTime: Math.min(50, timeMs / 4), warmupIterations: 2 });
  addTask(bench, workload);
  await bench.run();
  return roundResultOf(bench, workload);
}

function rowOf(workload: Workload, rounds: RoundResult[]): MicroRow {
  const error = rounds.find((round) => round.error !== undefined)?.error;
  const medianMBps = error === undefined ? median(rounds.map((round) => round.medianMBps)) : Number.NaN;
  return {
    fn: workload.fn,
    implementation: workload.implementation,
    sizeBytes: workload.sizeBytes,
    bytesPerCall: workload.bytesPerCall,
    medianMBps,
    medianCallsPerSecond: (medianMBps * 1e6) / workload.bytesPerCall,
    roundsMBps: rounds.map((round) => round.medianMBps),
    samples: rounds.reduce((sum, round) => sum + round.samples, 0),
    rmePercent: Math.max(...rounds.map((round) => round.rmePercent)),
    ...(error === undefined ? {} : { error }),
  };
}

/** Workloads grouped by function and size, implementations side by side. */
function groupByFunction(workloads: Workload[]): Workload[][] {
  const groups = new Map<string, Workload[]>();
  for (const workload of workloads) {
    const key = `${workload.sizeBytes} ${workload.fn}`;
    groups.set(key, [...(groups.get(key) ?? []), workload]);
  }
  return [...groups.values()];
}

function rotated<T>(items: readonly T[], by: number): T[] {
  const shift = by % Math.max(1, items.length);
  return [...items.slice(shift), ...items.slice(0, shift)];
}

async function measure(workloads: Workload[], timeMs: number, roundCount: number, log: (line: string) => void): Promise<MicroRow[]> {
  const results = new Map<Workload, RoundResult[]>(workloads.map((workload) => [workload, []]));
  const groups = groupByFunction(workloads);
  for (let round = 0; round < roundCount; round++) {
    log(`round ${round + 1} of ${roundCount}`);
    for (const group of groups) {
      for (const workload of rotated(group, round)) {
        const result = await measureOnce(workload, timeMs);
        results.get(workload)!.push(result);
        const outcome = result.error ?? `${result.medianMBps.toFixed(1).padStart(10)} MB/s (${result.samples} samples)`;
        log(`${taskName(workload).padEnd(44)} ${outcome}`);
      }
    }
  }
  return workloads.map((workload) => rowOf(workload, results.get(workload)!));
}

function compressionRatios(accels: Accel[], corpus: Map<number, Buffer>): CompressionRatio[] {
  const ratios: CompressionRatio[] = [];
  for (const accel of accels) {
    for (const codec of supportedCodecs(accel)) {
      for (const [sizeBytes, data] of corpus) {
        ratios.push({ implementation: accel.implementation, codec, sizeBytes, ratio: data.length / accel.compress(codec, data).length });
      }
    }
  }
  return ratios;
}

/** The anchor zstd level whose compressed size is closest to what native writes. */
function guessNativeZstdLevel(accels: Accel[], anchors: AnchorRun | undefined, corpus: Buffer): number | undefined {
  const native = accels.find((accel) => accel.implementation === 'native');
  const zstdAnchors = anchors?.anchors.filter((anchor) => anchor.tool === 'zstd') ?? [];
  if (!native || zstdAnchors.length === 0 || !supportedCodecs(native).includes('zstd')) return undefined;
  const nativeBytes = native.compress('zstd', corpus).length;
  const distance = (bytes: number): number => Math.abs(bytes - nativeBytes);
  return zstdAnchors.reduce((best, anchor) => (distance(anchor.compressedBytes) < distance(best.compressedBytes) ? anchor : best)).level;
}

export async function runMicroBenchmarks(options: MicroBenchOptions = {}): Promise<MicroReport> {
  const log = options.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const sizesBytes = [...(options.sizesBytes ?? DEFAULT_SIZES_BYTES)];
  const timeMs = options.timeMs ?? 150;
  const roundCount = options.rounds ?? 5;
  const machine = machineInfo();
  const { accels, skipped } = loadImplementations(options.implementations ?? ALL_IMPLEMENTATIONS);
  for (const line of skipped) log(`skipped ${line}`);
  const corpus = buildCorpus(sizesBytes, CORPUS_SEED);
  const files = new ScratchFiles();
  let rows: MicroRow[];
  try {
    const workloads = accels
      .flatMap((accel) => workloadsFor(accel, supportedCodecs(accel), corpus, files))
      .filter((workload) => options.filter === undefined || workload.fn.includes(options.filter));
    rows = await measure(workloads, timeMs, roundCount, log);
  } finally {
    files.close();
  }
  const largest = corpus.bySize.get(Math.max(...sizesBytes))!;
  const anchors = options.anchors === false ? undefined : runToolAnchors(largest, ZSTD_ANCHOR_LEVELS);
  for (const anchor of anchors?.anchors ?? []) log(`anchor ${anchor.command}: ${anchor.compressMBps} / ${anchor.decompressMBps} MB/s`);
  const nativeZstdLevelGuess = guessNativeZstdLevel(accels, anchors, largest);
  const report: MicroReport = {
    machine,
    implementations: { loaded: accels.map((accel) => accel.implementation), skipped },
    corpus: {
      description: 'JSON log lines (ISO timestamp, level, service, 32-hex trace id, method, path, status, duration, user id, message), generated from a seeded PRNG (bench/lib/corpus.ts)',
      seed: CORPUS_SEED,
      sizesBytes,
      ratios: compressionRatios(accels, corpus.bySize),
    },
    rows,
    anchors,
    nativeZstdLevelGuess,
    targets: [],
    options: { timeMs, rounds: roundCount, sizesBytes },
  };
  report.targets = evaluateTargets(report);
  if (options.write !== false) {
    report.files = writeResults({
      scenario: 'micro',
      command: REPRODUCE_COMMAND,
      machine,
      results: report,
      markdownBody: microMarkdown(report),
      directory: options.directory,
    });
    log(`wrote ${report.files.jsonPath} and ${report.files.markdownPath}`);
  }
  return report;
}

/** Median MB/s of a function/implementation/size, if measured. */
export function throughputOf(rows: readonly MicroRow[], fn: string, implementation: string, sizeBytes: number): number | undefined {
  const matching = rows.filter((row) => row.fn === fn && row.implementation === implementation && row.sizeBytes === sizeBytes);
  return matching.length === 0 ? undefined : median(matching.map((row) => row.medianMBps));
}

function parseArgs(argv: readonly string[]): MicroBenchOptions {
  const options: MicroBenchOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--no-write') options.write = false;
    else if (flag === '--no-anchors') options.anchors = false;
    else if (flag === '--time-ms' && value !== undefined) (options.timeMs = Number(value)), i++;
    else if (flag === '--rounds' && value !== undefined) (options.rounds = Number(value)), i++;
    else if (flag === '--sizes' && value !== undefined) (options.sizesBytes = value.split(',').map(Number)), i++;
    else if (flag === '--impl' && value !== undefined) (options.implementations = value.split(',') as AccelImplementation[]), i++;
    else if (flag === '--filter' && value !== undefined) (options.filter = value), i++;
    else if (flag === '--directory' && value !== undefined) (options.directory = value), i++;
    else throw new Error(`unknown argument ${flag}; use --time-ms N --rounds N --sizes a,b --impl js,wasm,native --filter S --directory D --no-anchors --no-write`);
  }
  return options;
}

function isMain(): boolean {
  const script = process.argv[1];
  return script !== undefined && realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
}

if (isMain()) {
  runMicroBenchmarks(parseArgs(process.argv.slice(2))).catch((err: unknown) => {
    process.stderr.write(`bench micro failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  });
}
