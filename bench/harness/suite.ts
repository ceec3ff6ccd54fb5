// Same-run peers for a produce or consume run, and Markdown for e2e results.
import type { E2eResult } from '../e2e/e2e.js';
import type { ProduceBenchOptions, ThroughputResult } from '../produce/produce.js';
import { markdownTable } from '../lib/results.js';
import { kafkajsConsume, kafkajsProduce, kcatAvailable, kcatConsume, kcatProduce, measureLoopbackCeiling, type PeerWorkload } from './peers.js';

export interface PeerRun {
  rows: ThroughputResult[];
  loopback: { bytes_per_sec: number; mb_per_sec: number } | undefined;
  markdown: string;
}

/** kafkajs is an order of magnitude slower: it gets a tenth of the records (at least 50000). */
export function kafkajsRecords(records: number): number {
  return Math.min(records, Math.max(50_000, Math.round(records / 10)));
}

function peerWorkload(options: ProduceBenchOptions, topic: string, records: number): PeerWorkload {
  return {
    bootstrap: options.bootstrap,
    topic,
    records,
    recordSizeBytes: options.recordSizeBytes,
    partitions: options.partitions,
    acks: options.acks === 'all' || options.acks === -1 ? 'all' : String(options.acks),
    lingerMs: options.lingerMs,
    batchSizeBytes: options.batchSizeBytes,
  };
}

async function attempt(rows: ThroughputResult[], notes: string[], label: string, run: () => Promise<ThroughputResult>): Promise<void> {
  try {
    rows.push(await run());
  } catch (err) {
    notes.push(`- ${label} failed: ${(err as Error).message.split('\n')[0]}`);
  }
}

export async function runPeers(kind: 'produce' | 'consume', options: ProduceBenchOptions): Promise<PeerRun> {
  const rows: ThroughputResult[] = [];
  const notes: string[] = [];
  const loopback = await measureLoopbackCeiling();
  const suffix = `${process.pid}-${Date.now()}`;
  if (kind === 'produce') {
    if (kcatAvailable()) await attempt(rows, notes, 'kcat', () => kcatProduce(peerWorkload(options, `rill-bench-kcat-${suffix}`, options.records)));
    await attempt(rows, notes, 'kafkajs', () => kafkajsProduce(peerWorkload(options, `rill-bench-kafkajs-${suffix}`, kafkajsRecords(options.records))));
  } else {
    if (kcatAvailable()) await attempt(rows, notes, 'kcat', () => kcatConsume(peerWorkload(options, options.topic, options.records)));
    await attempt(rows, notes, 'kafkajs', () => kafkajsConsume(peerWorkload(options, options.topic, kafkajsRecords(options.records))));
  }
  const markdown = [
    '',
    `Raw Node loopback TCP ceiling (same run, one Node process writing 1 MiB chunks to another that discards them): ${loopback.mb_per_sec} MB/s.`,
    '',
    ...notes,
  ].join('\n');
  return { rows, loopback, markdown };
}

export function e2eMarkdown(result: E2eResult): string {
  const l = result.latency_ms;
  const table = markdownTable(
    ['target records/s', 'achieved records/s', 'measured', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms'],
    [[result.target_rate_per_sec, result.records_per_sec, result.records_measured, l.p50, l.p90, l.p99, l.p999, l.max].map((v) => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(2) : v))],
  );
  return result.note === undefined ? table : `${table}\n\n${result.note[0]!.toUpperCase()}${result.note.slice(1)}.`;
}
