// The Markdown body of a micro-benchmark result file.
import { formatBytes, formatNumber, markdownTable } from '../lib/results.js';
import type { MicroReport, MicroRow } from './run.js';
import type { TargetResult } from './targets.js';

const IMPLEMENTATION_ORDER = ['js', 'wasm', 'native'];

function ratio(numerator: number | undefined, denominator: number | undefined): string {
  if (numerator === undefined || denominator === undefined || denominator === 0) return '';
  return `${formatNumber(numerator / denominator)}x`;
}

function cell(row: MicroRow | undefined): string {
  if (row === undefined) return '';
  return row.error === undefined ? formatNumber(row.medianMBps) : 'error';
}

function errorsSection(report: MicroReport): string {
  const failed = report.rows.filter((row) => row.error !== undefined);
  if (failed.length === 0) return '';
  const lines = failed.map((row) => `- ${row.fn} / ${row.implementation} / ${formatBytes(row.sizeBytes)}: ${row.error}`);
  return ['## Workloads that failed', '', ...lines, ''].join('\n');
}

function throughputTable(report: MicroReport): string {
  const implementations = IMPLEMENTATION_ORDER.filter((impl) => report.implementations.loaded.includes(impl));
  const keys = [...new Set(report.rows.map((row) => `${row.fn}\u0000${row.sizeBytes}`))];
  const find = (fn: string, impl: string, sizeBytes: number): MicroRow | undefined =>
    report.rows.find((row) => row.fn === fn && row.implementation === impl && row.sizeBytes === sizeBytes);
  const rows = keys.map((key) => {
    const [fn, size] = key.split('\u0000') as [string, string];
    const sizeBytes = Number(size);
    const mbps = Object.fromEntries(implementations.map((impl) => [impl, find(fn, impl, sizeBytes)?.medianMBps]));
    for (const impl of implementations) if (!Number.isFinite(mbps[impl])) mbps[impl] = undefined;
    return [
      fn,
      formatBytes(sizeBytes),
      ...implementations.map((impl) => cell(find(fn, impl, sizeBytes))),
      ratio(mbps.wasm, mbps.js),
      ratio(mbps.native, mbps.js),
      ratio(mbps.native, mbps.wasm),
    ];
  });
  const headers = ['function', 'size', ...implementations.map((impl) => `${impl} MB/s`), 'wasm/js', 'native/js', 'native/wasm'];
  return markdownTable(headers, rows);
}

const UNIT_SUFFIX: Readonly<Record<TargetResult['unit'], string>> = { 'MB/s': 'MB/s', '% of C tool': '%', 'x decode path': 'x' };

function targetsTable(report: MicroReport): string {
  const rows = report.targets.map((target) => [
    target.target,
    target.measured === undefined ? 'n/a' : `${formatNumber(target.measured)} ${UNIT_SUFFIX[target.unit]}`,
    `${target.threshold} ${UNIT_SUFFIX[target.unit]}`,
    target.status === 'met' ? '**met**' : target.status === 'missed' ? '**missed**' : 'not measured',
    target.note,
  ]);
  return markdownTable(['target', 'measured', 'threshold', 'status', 'note'], rows);
}

function ratiosTable(report: MicroReport): string {
  const implementations = IMPLEMENTATION_ORDER.filter((impl) => report.implementations.loaded.includes(impl));
  const keys = [...new Set(report.corpus.ratios.map((entry) => `${entry.codec} ${entry.sizeBytes}`))];
  const rows = keys.map((key) => {
    const [codec, size] = key.split(' ') as [string, string];
    const cells = implementations.map((impl) => {
      const entry = report.corpus.ratios.find((candidate) => candidate.codec === codec && candidate.implementation === impl && `${candidate.sizeBytes}` === size);
      return entry === undefined ? '' : `${formatNumber(entry.ratio)}x`;
    });
    return [codec, formatBytes(Number(size)), ...cells];
  });
  return markdownTable(['codec', 'input', ...implementations.map((impl) => `${impl} ratio`)], rows);
}

function anchorsSection(report: MicroReport): string {
  if (!report.anchors) return 'C tool anchors were not run (--no-anchors).';
  const rows = report.anchors.anchors.map((anchor) => [
    `\`${anchor.command}\``,
    formatBytes(anchor.inputBytes),
    `${formatNumber(anchor.inputBytes / anchor.compressedBytes)}x`,
    anchor.compressMBps,
    anchor.decompressMBps,
  ]);
  const missing = report.anchors.missing.map((line) => `- not measured: ${line}`).join('\n');
  const guess =
    report.nativeZstdLevelGuess === undefined
      ? ''
      : `\nNative zstd output size is closest to level ${report.nativeZstdLevelGuess}; its anchor is the one compared.`;
  return [markdownTable(['command', 'input', 'ratio', 'compress MB/s', 'decompress MB/s'], rows), missing, guess].filter(Boolean).join('\n');
}

export function microMarkdown(report: MicroReport): string {
  const skipped = report.implementations.skipped.length === 0 ? 'none' : report.implementations.skipped.join('; ');
  return [
    `Implementations measured: ${report.implementations.loaded.join(', ')}. Not loaded: ${skipped}.`,
    '',
    `Corpus: ${report.corpus.description}; seed ${report.corpus.seed}.`,
    '',
    `Throughput is in MB/s = 10^6 bytes/s of input (uncompressed bytes for compress and decompress, encoded bytes`,
    `for varints and records): the median of ${report.options.rounds} rounds, each the median of tinybench samples`,
    `over about ${report.options.timeMs} ms. In a round the implementations of one function and size run back to back,`,
    'in an order rotated each round. Small sizes run several calls per sample so timer overhead does not dominate.',
    'The machine is shared: read the ratios measured in this run, not lone numbers.',
    '',
    '## Targets',
    '',
    targetsTable(report),
    '',
    '## Throughput (MB/s, median)',
    '',
    throughputTable(report),
    '',
    errorsSection(report),
    '## Compression ratio of the corpus',
    '',
    ratiosTable(report),
    '',
    '## C tool anchors (same corpus file, the tools\' own benchmark modes)',
    '',
    'The tools time raw block compression in memory (no framing); native adds the frame format Kafka uses.',
    '',
    anchorsSection(report),
  ].join('\n');
}
