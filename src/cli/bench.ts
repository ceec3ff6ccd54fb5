// `rill bench produce|consume|e2e|micro` against any Kafka-compatible bootstrap server.
// Every run writes perf-results/<date>-<scenario>.{json,md,svg}; --json prints one JSON line
// last; --compare adds the same-run peers (loopback TCP ceiling, kcat, kafkajs).
import { parseArgs } from 'node:util';
import type { Acks } from '../client/index.js';
import type { CompressionName } from '../protocol/records/index.js';
import { UsageError } from './start-options.js';

export const benchUsage = `usage:
  rill bench produce --bootstrap HOST:PORT --topic T --records N --record-size BYTES --partitions P
                     --producers K --acks 0|1|all --compression none|gzip|snappy|lz4|zstd
                     --batch-size BYTES --linger-ms MS [--idempotence true|false] [--compare] [--json]
  rill bench consume --bootstrap HOST:PORT --topic T --records N --consumers K
                     [--fetch-max-bytes BYTES] [--partition-max-bytes BYTES] [--compare] [--json]
  rill bench e2e     --bootstrap HOST:PORT --rate R --seconds S [--topic T] [--record-size BYTES]
                     [--partitions P] [--acks 0|1|all] [--warmup-seconds S (default 2, not recorded)] [--json]
  rill bench micro   [--json]`;

/** --idempotence true|false sets enable.idempotence; unset, the client's default (on unless acks is 0 or 1). */
function parseIdempotence(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  if (text === 'true' || text === 'false') return text === 'true';
  throw new UsageError(`--idempotence expects true|false, got ${JSON.stringify(text)}`);
}

const OPTIONS = {
  bootstrap: { type: 'string', default: '127.0.0.1:9092' },
  topic: { type: 'string' },
  records: { type: 'string', default: '1000000' },
  'record-size': { type: 'string', default: '100' },
  partitions: { type: 'string', default: '6' },
  producers: { type: 'string', default: '1' },
  consumers: { type: 'string', default: '1' },
  acks: { type: 'string', default: '1' },
  compression: { type: 'string', default: 'none' },
  'batch-size': { type: 'string', default: '1048576' },
  'linger-ms': { type: 'string', default: '5' },
  idempotence: { type: 'string' },
  'fetch-max-bytes': { type: 'string', default: '52428800' },
  'partition-max-bytes': { type: 'string', default: '1048576' },
  rate: { type: 'string', default: '100000' },
  seconds: { type: 'string', default: '10' },
  'warmup-seconds': { type: 'string', default: '2' },
  compare: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  'results-dir': { type: 'string' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

function positiveInt(values: Values, name: keyof typeof OPTIONS): number {
  const text = String(values[name]);
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`--${name} expects a non-negative integer, got ${JSON.stringify(text)}`);
  return value;
}

function parseAcks(text: string): Acks {
  if (text === 'all' || text === '-1') return 'all';
  if (text === '0' || text === '1') return Number(text) as 0 | 1;
  throw new UsageError(`--acks expects 0, 1 or all, got ${JSON.stringify(text)}`);
}

function parseCompression(text: string): CompressionName {
  if (['none', 'gzip', 'snappy', 'lz4', 'zstd'].includes(text)) return text as CompressionName;
  throw new UsageError(`--compression expects none|gzip|snappy|lz4|zstd, got ${JSON.stringify(text)}`);
}

function commandLine(args: string[]): string {
  return `rill bench ${args.join(' ')}`;
}

export async function runBenchCommand(args: string[]): Promise<void> {
  const [scenario, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: OPTIONS, strict: true });
  if (scenario === 'produce') return benchProduce(values, commandLine(args));
  if (scenario === 'consume') return benchConsume(values, commandLine(args));
  if (scenario === 'e2e') return benchE2e(values, commandLine(args));
  if (scenario === 'micro') return benchMicro(values);
  throw new UsageError(`unknown bench scenario ${JSON.stringify(scenario ?? '')}\n${benchUsage}`);
}

function log(values: Values, line: string): void {
  (values.json ? process.stderr : process.stdout).write(line + '\n');
}

async function benchProduce(values: Values, command: string): Promise<void> {
  const { runProduceBench } = await import('../../bench/produce/produce.js');
  const { throughputTable, writeRunReport, summaryLine } = await import('../../bench/harness/report.js');
  const { runPeers } = await import('../../bench/harness/suite.js');
  const options = {
    bootstrap: values.bootstrap!,
    topic: values.topic ?? 'rill-bench-produce',
    records: positiveInt(values, 'records'),
    recordSizeBytes: positiveInt(values, 'record-size'),
    partitions: positiveInt(values, 'partitions'),
    producers: Math.max(1, positiveInt(values, 'producers')),
    acks: parseAcks(values.acks!),
    compression: parseCompression(values.compression!),
    batchSizeBytes: positiveInt(values, 'batch-size'),
    lingerMs: positiveInt(values, 'linger-ms'),
    idempotent: parseIdempotence(values.idempotence),
  };
  const result = await runProduceBench(options);
  const peers = values.compare ? await runPeers('produce', options) : undefined;
  const rows = [result, ...(peers?.rows ?? [])];
  const files = writeRunReport({
    scenario: 'produce',
    command,
    directory: values['results-dir'],
    results: { workload: options, results: rows, loopback: peers?.loopback },
    markdownBody: `## Workload\n\n\`\`\`json\n${JSON.stringify(options)}\n\`\`\`\n\n## Results\n\n${throughputTable(rows)}\n${peers?.markdown ?? ''}`,
    chart: { title: 'rill bench produce', latency: [{ name: 'batch ack latency (rill)', curveMs: result.latencyCurveMs ?? [] }], throughput: [{ name: 'rill records/s', points: result.throughputOverTime ?? [] }], throughputUnit: 'records/s' },
  });
  log(values, `produce: ${result.records_per_sec.toLocaleString('en-US')} records/s, ${result.mb_per_sec} MB/s, batch ack p99 ${result.latency_ms?.p99} ms -> ${files.markdownPath}`);
  if (values.json) process.stdout.write(summaryLine(result) + '\n');
}

async function benchConsume(values: Values, command: string): Promise<void> {
  const { runConsumeBench } = await import('../../bench/produce/consume.js');
  const { throughputTable, writeRunReport, summaryLine } = await import('../../bench/harness/report.js');
  const { runPeers } = await import('../../bench/harness/suite.js');
  const options = {
    bootstrap: values.bootstrap!,
    topic: values.topic ?? 'rill-bench-produce',
    records: positiveInt(values, 'records'),
    consumers: Math.max(1, positiveInt(values, 'consumers')),
    fetchMaxBytes: positiveInt(values, 'fetch-max-bytes'),
    partitionMaxBytes: positiveInt(values, 'partition-max-bytes'),
    recordSizeBytes: positiveInt(values, 'record-size'),
    partitions: positiveInt(values, 'partitions'),
  };
  const result = await runConsumeBench(options);
  const peers = values.compare ? await runPeers('consume', { ...options, producers: 1, acks: 1, compression: 'none', batchSizeBytes: 1048576, lingerMs: 5 }) : undefined;
  const rows = [result, ...(peers?.rows ?? [])];
  const files = writeRunReport({
    scenario: 'consume',
    command,
    directory: values['results-dir'],
    results: { workload: options, results: rows, loopback: peers?.loopback },
    markdownBody: `## Workload\n\n\`\`\`json\n${JSON.stringify(options)}\n\`\`\`\n\n## Results\n\n${throughputTable(rows)}\n${peers?.markdown ?? ''}`,
    chart: { title: 'rill bench consume', latency: [], throughput: [{ name: 'rill records/s', points: result.throughputOverTime ?? [] }], throughputUnit: 'records/s' },
  });
  log(values, `consume: ${result.records_per_sec.toLocaleString('en-US')} records/s, ${result.mb_per_sec} MB/s -> ${files.markdownPath}`);
  if (values.json) process.stdout.write(summaryLine(result) + '\n');
}

async function benchE2e(values: Values, command: string): Promise<void> {
  const { runE2eBench } = await import('../../bench/e2e/e2e.js');
  const { writeRunReport, summaryLine } = await import('../../bench/harness/report.js');
  const { e2eMarkdown } = await import('../../bench/harness/suite.js');
  const options = {
    bootstrap: values.bootstrap!,
    topic: values.topic ?? 'rill-bench-e2e',
    ratePerSec: positiveInt(values, 'rate'),
    seconds: positiveInt(values, 'seconds'),
    recordSizeBytes: positiveInt(values, 'record-size'),
    partitions: positiveInt(values, 'partitions'),
    acks: parseAcks(values.acks!),
    warmupSeconds: positiveInt(values, 'warmup-seconds'),
  };
  const result = await runE2eBench(options);
  const files = writeRunReport({
    scenario: 'e2e',
    command,
    directory: values['results-dir'],
    results: { workload: options, result },
    markdownBody: `## Workload\n\n\`\`\`json\n${JSON.stringify(options)}\n\`\`\`\n\n## Results\n\n${e2eMarkdown(result)}`,
    chart: { title: `rill bench e2e at ${options.ratePerSec} records/s`, latency: [{ name: 'end-to-end latency', curveMs: result.latencyCurveMs }], throughput: [{ name: 'records/s received', points: result.throughputOverTime }], throughputUnit: 'records/s' },
  });
  const l = result.latency_ms;
  log(values, `e2e at ${options.ratePerSec}/s: p50 ${l.p50} p99 ${l.p99} p99.9 ${l.p999} max ${l.max} ms -> ${files.markdownPath}`);
  if (values.json) process.stdout.write(summaryLine(result) + '\n');
}

async function benchMicro(values: Values): Promise<void> {
  const { runMicroBenchmarks } = await import('../../bench/micro/run.js');
  const report = await runMicroBenchmarks(values.json ? { log: (line: string) => process.stderr.write(line + '\n') } : {});
  if (values.json) {
    const targets = report.targets.map((t) => ({ target: t.target, measured: t.measured, threshold: t.threshold, unit: t.unit, status: t.status }));
    process.stdout.write(JSON.stringify({ scenario: 'micro', implementations: report.implementations.loaded, rows: report.rows.length, targets, files: report.files }) + '\n');
  }
}
