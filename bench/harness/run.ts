// The full benchmark suite in one command: starts `rill start` as a child process, runs the
// issue's scenarios (100-byte records, 1 topic x 6 partitions, acks=1, no compression) with
// Rill's client, kcat (librdkafka) and kafkajs against that one broker, measures the raw
// loopback TCP ceiling in the same run, samples the broker's RSS, checks the targets and writes
// perf-results/<date>-produce-consume-e2e.{json,md,svg}.
//
//   npm run build:ts && npm run bench:suite -- [--records N] [--rounds K] [--e2e-seconds S] [--e2e-rate R]
// Rill's produce and consume runs are repeated --rounds times (default 3); the median by
// records/s is reported, every round is kept in the JSON.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../../src/util/package-root.js';
import { runE2eBench, type E2eResult } from '../e2e/e2e.js';
import { machineInfo } from '../lib/machine.js';
import { markdownTable } from '../lib/results.js';
import { runConsumeBench } from '../produce/consume.js';
import { runProduceBench, type ProduceBenchOptions, type ThroughputResult } from '../produce/produce.js';
import { writeRunReport } from './report.js';
import { throughputTable } from './report.js';
import { e2eMarkdown, kafkajsRecords } from './suite.js';
import { kafkajsConsume, kafkajsProduce, kcatAvailable, kcatConsume, kcatProduce, measureDiskWriteCeiling, measureLoopbackCeiling, type PeerWorkload } from './peers.js';

export const SUITE_COMMAND = 'npm run build:ts && npm run bench:suite --';

interface BrokerChild {
  child: ChildProcess;
  bootstrap: string;
  dataDir: string;
}

async function startBrokerChild(): Promise<BrokerChild> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rill-bench-broker-'));
  const main = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
  const child = spawn(process.execPath, [main, 'start', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.on('data', () => undefined);
  const bootstrap = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /ready, bootstrap (\S+)/.exec(text);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`rill start exited with ${code}`)));
  });
  return { child, bootstrap, dataDir };
}

async function stopBrokerChild(broker: BrokerChild): Promise<void> {
  const exited = new Promise((resolve) => broker.child.once('exit', resolve));
  broker.child.kill('SIGTERM');
  await exited;
  rmSync(broker.dataDir, { recursive: true, force: true });
}

/** Samples a process's resident set size from /proc every intervalMs. */
class RssSampler {
  peakBytes = 0;
  readonly points: Array<[number, number]> = [];
  private readonly startMs = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number, intervalMs = 200) {
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      if (match === null) return;
      const bytes = Number(match[1]) * 1024;
      this.peakBytes = Math.max(this.peakBytes, bytes);
      this.points.push([(performance.now() - this.startMs) / 1000, bytes / 2 ** 20]);
    } catch {
      // the process is gone
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

interface Target {
  name: string;
  target: string;
  measured: string;
  met: boolean | undefined;
}

interface Ceiling {
  bytes_per_sec: number;
  mb_per_sec: number;
  seconds: number;
}

interface SuiteResults {
  loopback: Ceiling;
  /** Sequential 1 MiB writes into the broker's data directory (page cache), same run. */
  diskWrite: Ceiling;
  produce: ThroughputResult[];
  consume: ThroughputResult[];
  e2e: E2eResult | undefined;
  brokerRssPeakBytes: number;
  targets: Target[];
  failures: string[];
}

/**
 * Each scenario starts with the page cache written back (`sync`): otherwise the kernel's
 * deferred writeback of the previous scenario's gigabytes lands inside the next measurement.
 */
function settleWriteback(): void {
  spawnSync('sync', [], { stdio: 'ignore' });
}

async function attempt<T>(failures: string[], label: string, run: () => Promise<T>): Promise<T | undefined> {
  settleWriteback();
  process.stderr.write(`suite: ${label}\n`);
  try {
    return await run();
  } catch (err) {
    failures.push(`${label}: ${(err as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

function target(name: string, targetText: string, measured: number | undefined, unit: string, met: (v: number) => boolean): Target {
  if (measured === undefined) return { name, target: targetText, measured: 'not measured', met: undefined };
  return { name, target: targetText, measured: `${measured.toLocaleString('en-US', { maximumFractionDigits: 2 })} ${unit}`, met: met(measured) };
}

function evaluateTargets(r: Omit<SuiteResults, 'targets'>): Target[] {
  const rillProduce = r.produce.find((x) => x.client === 'rill');
  const rillConsume = r.consume.find((x) => x.client === 'rill');
  const kcatProduceRow = r.produce.find((x) => x.client.startsWith('kcat'));
  const produceShare = rillProduce === undefined ? undefined : (rillProduce.mb_per_sec / r.loopback.mb_per_sec) * 100;
  return [
    target('produce records/s (rill client)', '>= 2,000,000', rillProduce?.records_per_sec, 'records/s', (v) => v >= 2_000_000),
    target('consume records/s (rill client)', '>= 4,000,000', rillConsume?.records_per_sec, 'records/s', (v) => v >= 4_000_000),
    target('produce bytes/s vs loopback ceiling', '>= 30%', produceShare, '%', (v) => v >= 30),
    target('e2e p99 at 100,000 records/s', '<= 3 ms', r.e2e?.latency_ms.p99, 'ms', (v) => v <= 3),
    target('e2e p99.9 at 100,000 records/s', '<= 10 ms', r.e2e?.latency_ms.p999, 'ms', (v) => v <= 10),
    target('broker RSS during the run', '<= 300 MB', r.brokerRssPeakBytes / 1e6, 'MB', (v) => v <= 300),
    target('librdkafka (kcat) producer records/s', '>= 500,000', kcatProduceRow?.records_per_sec, 'records/s', (v) => v >= 500_000),
  ];
}

function suiteMarkdown(r: SuiteResults, workload: ProduceBenchOptions): string {
  const metText = (met: boolean | undefined) => (met === undefined ? 'n/a' : met ? 'met' : 'MISSED');
  return [
    '## Workload',
    '',
    `${workload.recordSizeBytes}-byte records, 1 topic x ${workload.partitions} partitions, acks=${workload.acks}, compression ${workload.compression}, batch.size ${workload.batchSizeBytes}, linger.ms ${workload.lingerMs}; one broker from \`rill start\` (child process) and the load generator on the same machine.`,
    '',
    '## Targets',
    '',
    markdownTable(['target', 'goal', 'measured', 'verdict'], r.targets.map((t) => [t.name, t.target, t.measured, metText(t.met)])),
    '',
    '## Produce (same broker, same run)',
    '',
    throughputTable(r.produce),
    '',
    `Raw Node loopback TCP ceiling in this run: ${r.loopback.mb_per_sec} MB/s (one Node process writing 1 MiB chunks to another that discards them).`,
    '',
    largeRecordShareText(r),
    '',
    '## Consume',
    '',
    throughputTable(r.consume),
    '',
    '## End-to-end latency',
    '',
    r.e2e === undefined ? 'not measured' : e2eMarkdown(r.e2e),
    '',
    `Broker RSS peak: ${(r.brokerRssPeakBytes / 1e6).toFixed(0)} MB.`,
    '',
    ...(r.failures.length > 0 ? ['## Failures', '', ...r.failures.map((f) => `- ${f}`), ''] : []),
  ].join('\n');
}

/** Runs a scenario rounds times; returns every round and the one with the median of key. */
async function roundsOf<T>(rounds: number, run: () => Promise<T>, key: (result: T) => number): Promise<{ all: T[]; median: T }> {
  const all: T[] = [];
  for (let i = 0; i < rounds; i++) all.push(await run());
  const median = [...all].sort((a, b) => key(a) - key(b))[(all.length - 1) >> 1]!;
  return { all, median };
}

/** Runs a measurement rounds times; returns the median row by records/s, with every round's rate noted. */
async function medianOf(rounds: number, run: () => Promise<ThroughputResult>): Promise<ThroughputResult> {
  const { all, median } = await roundsOf(rounds, run, (row) => row.records_per_sec);
  return { ...median, note: `median of ${rounds} rounds: ${all.map((r) => r.records_per_sec.toLocaleString('en-US')).join(', ')} records/s` };
}

/**
 * Runs the e2e scenario rounds times; returns the round with the median p99, every round's
 * p99 and p99.9 noted (a shared VM's scheduling jitter moves one round's tail by 2-3x).
 */
async function medianE2e(rounds: number, run: () => Promise<E2eResult>): Promise<E2eResult> {
  const { all, median } = await roundsOf(rounds, run, (result) => result.latency_ms.p99);
  const ms = (values: number[]) => values.map((v) => v.toFixed(2)).join(', ');
  const note = `median of ${rounds} rounds by p99: p99 ${ms(all.map((r) => r.latency_ms.p99))} ms; p99.9 ${ms(all.map((r) => r.latency_ms.p999))} ms`;
  return { ...median, note };
}

/** Large records: the bytes path (copies, CRC, socket, pwrite) with per-record costs out of the way. */
const LARGE_RECORD_BYTES = 16 * 1024;
const LARGE_RECORD_TOTAL_BYTES = 1024 * 1024 * 1024;
const LARGE_RECORD_CLIENT = 'rill, 16 KiB records';

async function runLargeRecordProduce(workload: ProduceBenchOptions): Promise<ThroughputResult> {
  const records = LARGE_RECORD_TOTAL_BYTES / LARGE_RECORD_BYTES;
  const row = await runProduceBench({ ...workload, topic: 'suite-produce-large', records, recordSizeBytes: LARGE_RECORD_BYTES });
  return { ...row, client: LARGE_RECORD_CLIENT };
}

function largeRecordShareText(r: SuiteResults): string {
  const row = r.produce.find((x) => x.client === LARGE_RECORD_CLIENT);
  if (row === undefined) return '';
  const share = (row.mb_per_sec / r.loopback.mb_per_sec) * 100;
  const diskShare = (row.mb_per_sec / r.diskWrite.mb_per_sec) * 100;
  return [
    `Storage ceiling in this run: ${r.diskWrite.mb_per_sec} MB/s (1 MiB writeSync appends to a new file in the broker's data directory, no fsync).`,
    '',
    `Bytes path (not the targets' workload): Rill's producer with ${LARGE_RECORD_BYTES}-byte records moved ${row.mb_per_sec} MB/s = ${share.toFixed(1)}% of the loopback ceiling and ${diskShare.toFixed(1)}% of the storage ceiling.`,
  ].join('\n');
}

async function runScenarios(bootstrap: string, dataDir: string, records: number, rounds: number, e2eSeconds: number, e2eRate: number): Promise<Omit<SuiteResults, 'targets' | 'brokerRssPeakBytes'> & { workload: ProduceBenchOptions }> {
  const failures: string[] = [];
  const workload: ProduceBenchOptions = { bootstrap, topic: 'suite-produce', records, recordSizeBytes: 100, partitions: 6, producers: 1, acks: 1, compression: 'none', batchSizeBytes: 1_048_576, lingerMs: 5, progress: false };
  const peer = (topic: string, count: number): PeerWorkload => ({ bootstrap, topic, records: count, recordSizeBytes: 100, partitions: 6, acks: '1', lingerMs: 5, batchSizeBytes: 1_000_000 });
  const loopback = await measureLoopbackCeiling();
  const diskWrite = measureDiskWriteCeiling(dataDir);
  const produce: ThroughputResult[] = [];
  const consume: ThroughputResult[] = [];
  const push = (list: ThroughputResult[], row: ThroughputResult | undefined) => row !== undefined && list.push(row);
  push(produce, await attempt(failures, 'rill produce', () => medianOf(rounds, () => runProduceBench(workload))));
  push(produce, await attempt(failures, 'rill produce, large records', () => medianOf(rounds, () => runLargeRecordProduce(workload))));
  push(consume, await attempt(failures, 'rill consume', () => medianOf(rounds, () => runConsumeBench({ bootstrap, topic: workload.topic, records, consumers: 1, progress: false }))));
  const e2e = await attempt(failures, 'rill e2e', () => medianE2e(rounds, () => runE2eBench({ bootstrap, topic: 'suite-e2e', ratePerSec: e2eRate, seconds: e2eSeconds, recordSizeBytes: 100, partitions: 6, acks: 1, progress: false })));
  if (kcatAvailable()) {
    push(produce, await attempt(failures, 'kcat produce', () => kcatProduce(peer('suite-kcat', records))));
    push(consume, await attempt(failures, 'kcat consume', () => kcatConsume(peer(workload.topic, records))));
  } else failures.push('kcat not installed: librdkafka comparison skipped');
  push(produce, await attempt(failures, 'kafkajs produce', () => kafkajsProduce(peer('suite-kafkajs', kafkajsRecords(records)))));
  push(consume, await attempt(failures, 'kafkajs consume', () => kafkajsConsume(peer(workload.topic, kafkajsRecords(records)))));
  return { loopback, diskWrite, produce, consume, e2e, failures, workload };
}

export async function runSuite(args: string[]): Promise<SuiteResults> {
  const { values } = parseArgs({ args, options: { records: { type: 'string', default: '2000000' }, rounds: { type: 'string', default: '3' }, 'e2e-seconds': { type: 'string', default: '10' }, 'e2e-rate': { type: 'string', default: '100000' }, 'results-dir': { type: 'string' } } });
  const machine = machineInfo();
  const broker = await startBrokerChild();
  const rss = new RssSampler(broker.child.pid!);
  let scenario;
  try {
    scenario = await runScenarios(broker.bootstrap, broker.dataDir, Number(values.records), Math.max(1, Number(values.rounds)), Number(values['e2e-seconds']), Number(values['e2e-rate']));
  } finally {
    rss.stop();
    await stopBrokerChild(broker);
  }
  const { workload, ...measured } = scenario;
  const partial = { ...measured, brokerRssPeakBytes: rss.peakBytes };
  const results: SuiteResults = { ...partial, targets: evaluateTargets(partial) };
  const rillProduce = results.produce.find((x) => x.client === 'rill');
  const rillConsume = results.consume.find((x) => x.client === 'rill');
  const files = writeRunReport({
    scenario: 'produce-consume-e2e',
    command: SUITE_COMMAND + (args.length > 0 ? ` ${args.join(' ')}` : ''),
    machine,
    directory: values['results-dir'],
    results: { workload: { ...workload, bootstrap: undefined }, ...results, brokerRss: rss.points },
    markdownBody: suiteMarkdown(results, workload),
    chart: {
      title: 'Rill: produce, consume and end-to-end (100-byte records, 6 partitions, acks=1)',
      latency: [
        { name: `e2e latency at ${values['e2e-rate']} records/s`, curveMs: results.e2e?.latencyCurveMs ?? [] },
        { name: 'produce batch ack latency', curveMs: rillProduce?.latencyCurveMs ?? [] },
      ],
      throughput: [
        { name: 'produce records/s', points: rillProduce?.throughputOverTime ?? [] },
        { name: 'consume records/s', points: rillConsume?.throughputOverTime ?? [] },
      ],
      throughputUnit: 'records/s',
    },
  });
  process.stdout.write(`suite: wrote ${files.markdownPath}\n`);
  for (const t of results.targets) process.stdout.write(`  ${t.met === undefined ? 'n/a   ' : t.met ? 'met   ' : 'MISSED'} ${t.name}: ${t.measured} (goal ${t.target})\n`);
  return results;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly) {
  runSuite(process.argv.slice(2)).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`suite failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
