// The C tools' own benchmark modes (`lz4 -b1 -i1 file`, `zstd -bN -i1 file`) on the same
// corpus file: anchors that native lz4/zstd are reported against.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ToolAnchor {
  tool: 'lz4' | 'zstd';
  level: number;
  command: string;
  inputBytes: number;
  compressedBytes: number;
  /** MB/s as the tool prints it (10^6 bytes per second). */
  compressMBps: number;
  decompressMBps: number;
}

export interface AnchorRun {
  anchors: ToolAnchor[];
  /** Why a tool was not measured. */
  missing: string[];
}

/** "1048576 ->  167648 (6.255),1383.2 MB/s ,4831.0 MB/s" (lz4) or "(x12.75),  348.3 MB/s,  562.5 MB/s" (zstd). */
const RESULT_PATTERN = /(\d+)\s*->\s*(\d+)\s*\(x?[\d.]+\)\s*,\s*([\d.]+)\s*MB\/s\s*,\s*([\d.]+)\s*MB\/s/g;

/** The last complete result line of a tool's benchmark output (it redraws lines with \r). */
export function parseToolBenchmark(output: string): Omit<ToolAnchor, 'tool' | 'level' | 'command'> | undefined {
  const matches = [...output.matchAll(RESULT_PATTERN)];
  const last = matches.at(-1);
  if (!last) return undefined;
  return {
    inputBytes: Number(last[1]),
    compressedBytes: Number(last[2]),
    compressMBps: Number(last[3]),
    decompressMBps: Number(last[4]),
  };
}

function runTool(tool: 'lz4' | 'zstd', level: number, path: string): ToolAnchor | string {
  const args = [`-b${level}`, '-i1', path];
  const command = `${tool} -b${level} -i1 <corpus file>`;
  const result = spawnSync(tool, args, { encoding: 'utf8', timeout: 120_000 });
  if (result.error) return `${tool}: ${result.error.message}`;
  const parsed = parseToolBenchmark(`${result.stdout}\n${result.stderr}`);
  if (result.status !== 0 || !parsed) return `${tool} -b${level}: exit ${result.status}, output not understood`;
  return { tool, level, command, ...parsed };
}

/** Runs lz4 at level 1 and zstd at each of zstdLevels on the corpus. */
export function runToolAnchors(corpus: Buffer, zstdLevels: readonly number[]): AnchorRun {
  const directory = mkdtempSync(join(tmpdir(), 'rill-bench-anchor-'));
  const path = join(directory, 'corpus.jsonl');
  writeFileSync(path, corpus);
  const run: AnchorRun = { anchors: [], missing: [] };
  try {
    for (const [tool, level] of [['lz4', 1] as const, ...zstdLevels.map((level) => ['zstd', level] as const)]) {
      const outcome = runTool(tool, level, path);
      if (typeof outcome === 'string') run.missing.push(outcome);
      else run.anchors.push(outcome);
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  return run;
}
