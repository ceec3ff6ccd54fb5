// Writes one benchmark run as perf-results/<date>-<scenario>.{json,md,svg}.
import { writeFileSync } from 'node:fs';
import { machineInfo, type MachineInfo } from '../lib/machine.js';
import { markdownTable, writeResults } from '../lib/results.js';
import { renderChartSvg, type LatencySummaryMs } from './common.js';
import type { ThroughputResult } from '../produce/produce.js';

export interface RunReport {
  scenario: string;
  command: string;
  machine?: MachineInfo;
  results: unknown;
  markdownBody: string;
  chart: Parameters<typeof renderChartSvg>[0];
  directory?: string;
}

export interface WrittenReport {
  jsonPath: string;
  markdownPath: string;
  svgPath: string;
}

export function writeRunReport(report: RunReport): WrittenReport {
  const machine = report.machine ?? machineInfo();
  const svgName = `${machine.startedAt.slice(0, 10)}-${report.scenario}.svg`;
  const body = `${report.markdownBody.trimEnd()}\n\n![latency and throughput](${svgName})\n`;
  const files = writeResults({ scenario: report.scenario, command: report.command, machine, results: report.results, markdownBody: body, directory: report.directory });
  const svgPath = files.jsonPath.replace(/\.json$/, '.svg');
  writeFileSync(svgPath, renderChartSvg(report.chart));
  return { ...files, svgPath };
}

function latencyCells(latency: LatencySummaryMs | undefined): string[] {
  if (latency === undefined || latency.count === 0) return ['', '', '', '', ''];
  return [latency.p50, latency.p90, latency.p99, latency.p999, latency.max].map((v) => v.toFixed(2));
}

/** A table of throughput results (one row per client/run). */
export function throughputTable(rows: ThroughputResult[]): string {
  return markdownTable(
    ['client', 'records', 'record bytes', 'seconds', 'records/s', 'MB/s', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'note'],
    rows.map((r) => [r.client, r.records, r.recordSizeBytes, r.seconds, r.records_per_sec.toLocaleString('en-US'), r.mb_per_sec, ...latencyCells(r.latency_ms), r.note ?? '']),
  );
}

/** The one JSON line `--json` prints last. */
export function summaryLine(result: { records_per_sec: number; mb_per_sec: number; latency_ms?: LatencySummaryMs }, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ records_per_sec: result.records_per_sec, mb_per_sec: result.mb_per_sec, latency_ms: result.latency_ms ?? null, ...extra });
}
