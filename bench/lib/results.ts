// Writing perf-results/<YYYY-MM-DD>-<scenario>.{json,md}, and small formatting helpers.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/package-root.js';
import { machineMarkdown, type MachineInfo } from './machine.js';

export interface ResultFiles {
  jsonPath: string;
  markdownPath: string;
}

export interface ResultSet<T> {
  /** Short scenario name used in the file names: 'micro', 'produce-1kb', ... */
  scenario: string;
  /** The command that regenerates this result. */
  command: string;
  machine: MachineInfo;
  /** Machine-readable results (written under "results" in the JSON). */
  results: T;
  /** The Markdown body (tables, notes), placed after the heading and machine lines. */
  markdownBody: string;
  /** Defaults to packageRoot()/perf-results. */
  directory?: string;
}

/** UTC date of an ISO timestamp, YYYY-MM-DD. */
export function dateStamp(isoTimestamp: string): string {
  return isoTimestamp.slice(0, 10);
}

export function writeResults<T>(set: ResultSet<T>): ResultFiles {
  const directory = set.directory ?? join(packageRoot(), 'perf-results');
  mkdirSync(directory, { recursive: true });
  const base = join(directory, `${dateStamp(set.machine.startedAt)}-${set.scenario}`);
  const json = { scenario: set.scenario, command: set.command, machine: set.machine, results: set.results };
  const jsonPath = `${base}.json`;
  const markdownPath = `${base}.md`;
  writeFileSync(jsonPath, JSON.stringify(json, null, 2) + '\n');
  const markdown = [
    `# ${set.scenario} benchmark`,
    '',
    `Reproduce: \`${set.command}\``,
    '',
    machineMarkdown(set.machine),
    '',
    set.markdownBody.trimEnd(),
    '',
  ].join('\n');
  writeFileSync(markdownPath, markdown);
  return { jsonPath, markdownPath };
}

/** A Markdown table; cells are converted with String(). */
export function markdownTable(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const line = (cells: readonly unknown[]): string => `| ${cells.map((cell) => String(cell)).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Throughput in MB/s (10^6 bytes per second) from bytes per operation and seconds per operation. */
export function megabytesPerSecond(bytesPerOp: number, secondsPerOp: number): number {
  return bytesPerOp / secondsPerOp / 1e6;
}

/** A number with 3 significant digits for tables ("1.23k" style is avoided: MB/s stays MB/s). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 20 && bytes % 2 ** 20 === 0) return `${bytes / 2 ** 20} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}
