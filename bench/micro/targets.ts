// The performance targets of the hot path, evaluated against one micro-benchmark run.
import type { MicroReport, MicroRow } from './run.js';

export type TargetStatus = 'met' | 'missed' | 'not measured';

export interface TargetResult {
  target: string;
  measured: number | undefined;
  threshold: number;
  unit: 'MB/s' | '% of C tool' | 'x decode path';
  status: TargetStatus;
  note: string;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const C_TOOL_SHARE_MIN_PERCENT = 80;

function throughput(rows: readonly MicroRow[], fn: string, implementation: string, sizeBytes: number): number | undefined {
  return rows.find((row) => row.fn === fn && row.implementation === implementation && row.sizeBytes === sizeBytes)?.medianMBps;
}

function status(measured: number | undefined, threshold: number): TargetStatus {
  if (measured === undefined || !Number.isFinite(measured)) return 'not measured';
  return measured >= threshold ? 'met' : 'missed';
}

function absolute(rows: readonly MicroRow[], implementation: string, sizeBytes: number, thresholdMBps: number, label: string): TargetResult {
  const measured = throughput(rows, 'crc32c', implementation, sizeBytes);
  return { target: label, measured, threshold: thresholdMBps, unit: 'MB/s', status: status(measured, thresholdMBps), note: '' };
}

function relative(report: MicroReport, codec: 'lz4' | 'zstd', direction: 'compress' | 'decompress'): TargetResult {
  const level = codec === 'lz4' ? 1 : (report.nativeZstdLevelGuess ?? 1);
  const anchor = report.anchors?.anchors.find((candidate) => candidate.tool === codec && candidate.level === level);
  const ours = throughput(report.rows, `${direction} ${codec}`, 'native', MiB);
  const theirs = anchor ? (direction === 'compress' ? anchor.compressMBps : anchor.decompressMBps) : undefined;
  const measured = ours !== undefined && theirs !== undefined ? (100 * ours) / theirs : undefined;
  const note = anchor
    ? `native ${ours?.toFixed(0) ?? 'n/a'} MB/s vs \`${anchor.tool} -b${anchor.level}\` ${theirs} MB/s (1 MiB corpus)`
    : `${codec} tool anchor not measured`;
  return {
    target: `native ${codec} ${direction} >= ${C_TOOL_SHARE_MIN_PERCENT}% of the C tool`,
    measured,
    threshold: C_TOOL_SHARE_MIN_PERCENT,
    unit: '% of C tool',
    status: status(measured, C_TOOL_SHARE_MIN_PERCENT),
    note,
  };
}

/**
 * Produce validation of a 1 MiB batch of 100-byte records: how much faster the scan path must
 * be than the decode path. Both include the batch CRC32C, which bounds the js and wasm gains
 * (their CRC runs at about the speed of their scan).
 */
const SCAN_SPEEDUP_MIN: Readonly<Record<'native' | 'wasm' | 'js', number>> = { native: 4, wasm: 1.5, js: 1.5 };

function scanSpeedup(rows: readonly MicroRow[], implementation: 'native' | 'wasm' | 'js'): TargetResult {
  const threshold = SCAN_SPEEDUP_MIN[implementation];
  const scan = throughput(rows, 'validateProduce scan', implementation, MiB);
  const decode = throughput(rows, 'validateProduce decode path', implementation, MiB);
  const measured = scan !== undefined && decode !== undefined ? scan / decode : undefined;
  const note = `${scan?.toFixed(0) ?? 'n/a'} vs ${decode?.toFixed(0) ?? 'n/a'} MB/s (same run)`;
  return {
    target: `${implementation} Produce validation by scan >= ${threshold}x the decode path at 1 MiB`,
    measured,
    threshold,
    unit: 'x decode path',
    status: status(measured, threshold),
    note,
  };
}

export function evaluateTargets(report: MicroReport): TargetResult[] {
  const rows = report.rows;
  return [
    absolute(rows, 'native', MiB, 10_000, 'native CRC32C >= 10 GB/s at 1 MiB'),
    absolute(rows, 'native', KiB, 2_000, 'native CRC32C >= 2 GB/s at 1 KiB'),
    absolute(rows, 'wasm', MiB, 1_000, 'WASM CRC32C >= 1 GB/s at 1 MiB'),
    relative(report, 'lz4', 'compress'),
    relative(report, 'lz4', 'decompress'),
    relative(report, 'zstd', 'compress'),
    relative(report, 'zstd', 'decompress'),
    ...(['native', 'wasm', 'js'] as const).map((implementation) => scanSpeedup(rows, implementation)),
  ];
}
