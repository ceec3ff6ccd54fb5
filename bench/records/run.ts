// Micro-benchmark of the record-batch path per accel implementation: build, validate (CRC32C)
// and decode a 100-record batch of realistic log lines.
// Reproduce: npm run build:ts && node dist/bench/records/run.js [--time-ms=N] [--rounds=N]
import { Bench } from 'tinybench';
import { loadAccelImplementation, type Accel, type AccelImplementation, type RecordInput } from '../../src/accel/index.js';
import { RecordBatchView, validateBatch, type CompressionName } from '../../src/protocol/records/batch.js';
import { downConvertToLegacy } from '../../src/protocol/records/legacy.js';
import { buildBatch, decodeBatchRecords } from '../../src/protocol/records/records.js';
import { validateProduceRecords, type ProducePolicy } from '../../src/protocol/records/validate-produce.js';
import { logCorpus } from '../lib/corpus.js';
import { machineInfo } from '../lib/machine.js';
import { formatNumber, markdownTable, median, megabytesPerSecond, writeResults } from '../lib/results.js';

const RECORDS_PER_BATCH = 100;
const CORPUS_BYTES = 64 * 1024;

interface Options {
  timeMs: number;
  rounds: number;
}

interface TaskResult {
  accel: AccelImplementation;
  task: string;
  /** Bytes of the batch the task builds, validates or decodes. */
  batchBytes: number;
  /** Median over rounds of each round's p50 latency, microseconds. */
  latencyUsP50: number;
  opsPerSecond: number;
  megabytesPerSecond: number;
}

function parseOptions(argv: readonly string[]): Options {
  const value = (name: string, fallback: number): number => {
    const arg = argv.find((a) => a.startsWith(`--${name}=`));
    const parsed = arg === undefined ? fallback : Number(arg.slice(name.length + 3));
    if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`--${name} must be a positive number, got ${arg}`);
    return parsed;
  };
  return { timeMs: value('time-ms', 400), rounds: value('rounds', 3) };
}

function sampleRecords(): RecordInput[] {
  const lines = logCorpus(CORPUS_BYTES, 7).toString('utf8').split('\n');
  return lines.slice(0, RECORDS_PER_BATCH).map((line, i) => ({
    key: Buffer.from(`u-${i % 17}`),
    value: Buffer.from(line),
    headers: [],
    timestampDelta: i,
  }));
}

function loadedAccels(): Accel[] {
  const out: Accel[] = [];
  for (const impl of ['js', 'wasm', 'native'] as AccelImplementation[]) {
    try {
      out.push(loadAccelImplementation(impl));
    } catch (err) {
      process.stderr.write(`bench/records: ${impl} not available: ${(err as Error).message}\n`);
    }
  }
  return out;
}

function codecs(hot: Accel): CompressionName[] {
  return hot.implementation === 'native' ? ['none', 'lz4', 'zstd'] : ['none', 'lz4'];
}

const headerOnlyPolicy: ProducePolicy = {
  maxMessageBytes: 1_048_588,
  compacted: false,
  timestampType: 'CreateTime',
  timestampBeforeMaxMs: Number.MAX_SAFE_INTEGER,
  timestampAfterMaxMs: Number.MAX_SAFE_INTEGER,
  compressionType: 'producer',
};
/** Kafka 4.0 defaults for a compacted topic: keys checked, CreateTime at most 1 h ahead. */
const recordPassPolicy: ProducePolicy = { ...headerOnlyPolicy, compacted: true, timestampAfterMaxMs: 3_600_000 };

interface TaskSpec {
  name: string;
  batchBytes: number;
  run: () => void;
}

function tasksFor(hot: Accel, records: RecordInput[]): TaskSpec[] {
  const tasks: TaskSpec[] = [];
  for (const compression of codecs(hot)) {
    const built = buildBatch({ records, compression, baseTimestamp: 1_700_000_000_000 }, hot);
    const view = new RecordBatchView(built);
    tasks.push({ name: `build ${compression}`, batchBytes: built.length, run: () => void buildBatch({ records, compression, baseTimestamp: 1_700_000_000_000 }, hot) });
    if (compression === 'none') {
      tasks.push({ name: 'validate (crc32c)', batchBytes: built.length, run: () => void validateBatch(built, 0, built.length, hot) });
      tasks.push(...produceTasks(hot, built));
    }
    tasks.push({ name: `decode ${compression}`, batchBytes: built.length, run: () => void decodeBatchRecords(view, { hot }) });
  }
  return tasks;
}

/** The Produce path per partition (fresh copy each run: validation patches in place), and Fetch v0-3 down-conversion. */
function produceTasks(hot: Accel, built: Buffer): TaskSpec[] {
  const context = { produceVersion: 9, nowMs: 1_700_000_000_000, hot };
  const check = (policy: ProducePolicy) => () => {
    const result = validateProduceRecords(Buffer.from(built), policy, context);
    if (!result.ok) throw new Error(`bench/records: produce validation failed: ${result.problem.message}`);
  };
  return [
    { name: 'produce validate, header only', batchBytes: built.length, run: check(headerOnlyPolicy) },
    { name: 'produce validate, record pass', batchBytes: built.length, run: check(recordPassPolicy) },
    { name: 'down-convert to v1', batchBytes: built.length, run: () => void downConvertToLegacy(built, 1, 0, built.length, { hot }) },
  ];
}

async function runRound(hot: Accel, tasks: TaskSpec[], options: Options): Promise<Map<string, number>> {
  const bench = new Bench({ name: hot.implementation, time: options.timeMs, warmupTime: 100 });
  for (const task of tasks) bench.add(task.name, task.run);
  await bench.run();
  const p50Ms = new Map<string, number>();
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`bench/records: ${hot.implementation} ${task.name} ended ${result.state}`);
    p50Ms.set(task.name, result.latency.p50);
  }
  return p50Ms;
}

async function measure(hot: Accel, records: RecordInput[], options: Options): Promise<TaskResult[]> {
  const tasks = tasksFor(hot, records);
  const rounds: Map<string, number>[] = [];
  for (let round = 0; round < options.rounds; round++) rounds.push(await runRound(hot, tasks, options));
  return tasks.map((task) => {
    const secondsPerOp = median(rounds.map((round) => round.get(task.name)!)) / 1000;
    return {
      accel: hot.implementation,
      task: task.name,
      batchBytes: task.batchBytes,
      latencyUsP50: secondsPerOp * 1e6,
      opsPerSecond: 1 / secondsPerOp,
      megabytesPerSecond: megabytesPerSecond(task.batchBytes, secondsPerOp),
    };
  });
}

function meanValueBytes(records: readonly RecordInput[]): number {
  return Math.round(records.reduce((sum, record) => sum + (record.value?.length ?? 0), 0) / records.length);
}

function markdownBody(results: TaskResult[], options: Options, records: readonly RecordInput[]): string {
  const jsLatency = new Map(results.filter((r) => r.accel === 'js').map((r) => [r.task, r.latencyUsP50]));
  const rows = results.map((r) => {
    const js = jsLatency.get(r.task);
    return [r.accel, r.task, r.batchBytes, formatNumber(r.latencyUsP50), formatNumber(r.opsPerSecond), formatNumber(r.megabytesPerSecond), js === undefined ? 'n/a' : formatNumber(js / r.latencyUsP50)];
  });
  return [
    `One batch of ${RECORDS_PER_BATCH} records: JSON log lines, mean value ${meanValueBytes(records)} bytes, short keys, no headers.`,
    `Each task: tinybench, ${options.timeMs} ms per task per round, ${options.rounds} rounds; the figure is the median of the rounds' p50 latencies.`,
    'MB/s counts the batch bytes (compressed size for compressed batches). "x js" is the speed-up over the TypeScript reference in the same run.',
    '"produce validate" runs validateProduceRecords on a fresh copy of the uncompressed batch (the copy is included): "header only" is a topic with',
    'default policies (framing, size, CRC, client rules; no record decoding), "record pass" a compacted topic with message.timestamp.after.max.ms = 1 h',
    '(every record decoded, keys and timestamps checked). "down-convert to v1" is the Fetch v0-3 path: v2 batch to an uncompressed magic-1 message set.',
    '',
    markdownTable(['accel', 'task', 'batch bytes', 'p50 us', 'ops/s', 'MB/s', 'x js'], rows),
  ].join('\n');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = machineInfo();
  const records = sampleRecords();
  const results: TaskResult[] = [];
  for (const hot of loadedAccels()) results.push(...(await measure(hot, records, options)));
  const files = writeResults({
    scenario: 'records',
    command: `npm run build:ts && node dist/bench/records/run.js --time-ms=${options.timeMs} --rounds=${options.rounds}`,
    machine,
    results: { recordsPerBatch: RECORDS_PER_BATCH, options, tasks: results },
    markdownBody: markdownBody(results, options, records),
  });
  process.stdout.write(`${markdownBody(results, options, records)}\n\nwrote ${files.jsonPath} and ${files.markdownPath}\n`);
}

await main();
