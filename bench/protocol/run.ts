// Micro-benchmark of the protocol hot paths, generated codec functions called directly vs the
// registry's frame functions the broker calls, same run:
// - decode a Produce request frame of 100 partitions x 1 batch (header + body; records stay slices)
// - encode the non-record part of a Fetch response of 100 partitions (records appended by
//   reference into the chunk list, never copied), size prefix and response header included.
// Reproduce: npm run build:ts && node dist/bench/protocol/run.js [--time-ms=N] [--rounds=N]
import { Bench } from 'tinybench';
import {
  Reader,
  Writer,
  decodeRequestFrame,
  decodeRequestHeader,
  encodeResponseFrame,
  encodeResponseHeader,
  fetchApi,
  produceApi,
  readProduceRequest,
  writeFetchResponse,
} from '../../src/protocol/index.js';
import { machineInfo } from '../lib/machine.js';
import { formatNumber, markdownTable, median, writeResults } from '../lib/results.js';
import { fetchResponse, produceFrame } from './workloads.js';

const PARTITIONS = 100;
const BATCH_BYTES = 1024;
const TARGET_US = 20;
const TARGET_GROUPS = new Set(['produce decode', 'fetch encode, no records']);
const PRODUCE_VERSIONS = [3, 7, 9, 12];
const FETCH_VERSIONS = [4, 11, 12, 16];

interface Options {
  timeMs: number;
  rounds: number;
}

interface TaskSpec {
  group: 'produce decode' | 'fetch encode, no records' | 'fetch encode, records by reference';
  version: number;
  path: 'generated' | 'registry';
  run: () => void;
}

interface TaskResult {
  group: string;
  version: number;
  path: string;
  /** Median over rounds of each round's p50 latency, microseconds. */
  latencyUsP50: number;
  /** The lowest round's p50 (less sensitive to other processes on a shared machine). */
  latencyUsP50Min: number;
  opsPerSecond: number;
}

function parseOptions(argv: readonly string[]): Options {
  const value = (name: string, fallback: number): number => {
    const arg = argv.find((a) => a.startsWith(`--${name}=`));
    const parsed = arg === undefined ? fallback : Number(arg.slice(name.length + 3));
    if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`--${name} must be a positive number, got ${arg}`);
    return parsed;
  };
  return { timeMs: value('time-ms', 500), rounds: value('rounds', 5) };
}

function produceTasks(version: number): TaskSpec[] {
  const frame = produceFrame(version, PARTITIONS, BATCH_BYTES);
  const headerVersion = produceApi.requestHeaderVersion(version);
  const generic = (): void => {
    const r = new Reader(frame);
    decodeRequestHeader(r, headerVersion);
    readProduceRequest(r, version);
    r.expectEnd('request');
  };
  const registry = (): void => void decodeRequestFrame(frame);
  return [
    { group: 'produce decode', version, path: 'generated', run: generic },
    { group: 'produce decode', version, path: 'registry', run: registry },
  ];
}

function fetchTasks(version: number): TaskSpec[] {
  return [...fetchTasksFor(version, 0), ...fetchTasksFor(version, BATCH_BYTES)];
}

/** batchBytes 0: the non-record part alone (records empty); otherwise records appended by reference. */
function fetchTasksFor(version: number, batchBytes: number): TaskSpec[] {
  const msg = fetchResponse(PARTITIONS, batchBytes);
  const headerVersion = fetchApi.responseHeaderVersion(version);
  const group = batchBytes === 0 ? 'fetch encode, no records' : 'fetch encode, records by reference';
  const generic = (): void => {
    const w = new Writer();
    const slot = w.reserveInt32();
    encodeResponseHeader(w, 1, headerVersion);
    writeFetchResponse(w, version, msg);
    w.patchInt32(slot, w.length - 4);
    w.finishChunks();
  };
  const registry = (): void => void encodeResponseFrame(1, version, 1, msg);
  return [
    { group, version, path: 'generated', run: generic },
    { group, version, path: 'registry', run: registry },
  ];
}

const taskName = (t: TaskSpec): string => `${t.group} v${t.version} ${t.path}`;

async function runRound(tasks: TaskSpec[], options: Options): Promise<Map<string, number>> {
  const bench = new Bench({ name: 'protocol', time: options.timeMs, warmupTime: 100 });
  for (const task of tasks) bench.add(taskName(task), task.run);
  await bench.run();
  const p50Ms = new Map<string, number>();
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`bench/protocol: ${task.name} ended ${result.state}`);
    p50Ms.set(task.name, result.latency.p50);
  }
  return p50Ms;
}

async function measure(options: Options): Promise<TaskResult[]> {
  const tasks = [...PRODUCE_VERSIONS.flatMap(produceTasks), ...FETCH_VERSIONS.flatMap(fetchTasks)];
  const rounds: Map<string, number>[] = [];
  for (let round = 0; round < options.rounds; round++) rounds.push(await runRound(tasks, options));
  return tasks.map((task) => {
    const perRound = rounds.map((round) => round.get(taskName(task))!);
    const msPerOp = median(perRound);
    return {
      group: task.group,
      version: task.version,
      path: task.path,
      latencyUsP50: msPerOp * 1000,
      latencyUsP50Min: Math.min(...perRound) * 1000,
      opsPerSecond: 1000 / msPerOp,
    };
  });
}

function markdownBody(results: TaskResult[], options: Options): string {
  const generated = new Map(results.filter((r) => r.path === 'generated').map((r) => [`${r.group} ${r.version}`, r.latencyUsP50Min]));
  const verdict = (us: number, group: string): string => (!TARGET_GROUPS.has(group) ? '-' : us <= TARGET_US ? 'met' : 'missed');
  const rows = results.map((r) => {
    const base = generated.get(`${r.group} ${r.version}`)!;
    return [
      r.group, `v${r.version}`, r.path, formatNumber(r.latencyUsP50), formatNumber(r.latencyUsP50Min), formatNumber(r.opsPerSecond),
      formatNumber(base / r.latencyUsP50Min), verdict(r.latencyUsP50, r.group), verdict(r.latencyUsP50Min, r.group),
    ];
  });
  return [
    `Workload: ${PARTITIONS} partitions of one topic, one ${BATCH_BYTES}-byte batch each.`,
    '"produce decode": request header + body from one frame (no size prefix); record sets come back as slices of the frame.',
    '"fetch encode": size prefix + response header + body into a chunk list. "no records": every partition\'s records empty, i.e. the',
    `non-record part alone (the target's definition); "records by reference": one ${BATCH_BYTES}-byte batch per partition appended by`,
    'reference (not copied), which splits the chunk list at every partition (one Buffer view per partition).',
    '"generated" calls the generated codec functions directly; "registry" is what the broker calls (decodeRequestFrame /',
    'encodeResponseFrame: registry lookup, version checks, error wrapping, then the same generated functions).',
    `Each task: tinybench, ${options.timeMs} ms per task per round, ${options.rounds} rounds; the figure is the median of the rounds' p50 latencies.`,
    `"x generated" compares best rounds (the medians swing up to 2x between identical tasks on a loaded machine); target: <= ${TARGET_US} us.`,
    '',
    markdownTable(
      ['task', 'version', 'path', 'p50 us (median of rounds)', 'p50 us (best round)', 'ops/s', 'x generated', `median <= ${TARGET_US} us`, `best <= ${TARGET_US} us`],
      rows,
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = machineInfo();
  const results = await measure(options);
  const files = writeResults({
    scenario: 'protocol',
    command: `npm run build:ts && node dist/bench/protocol/run.js --time-ms=${options.timeMs} --rounds=${options.rounds}`,
    machine,
    results: { partitions: PARTITIONS, batchBytes: BATCH_BYTES, targetUs: TARGET_US, options, tasks: results },
    markdownBody: markdownBody(results, options),
  });
  process.stdout.write(`${markdownBody(results, options)}\n\nwrote ${files.jsonPath} and ${files.markdownPath}\n`);
}

await main();
