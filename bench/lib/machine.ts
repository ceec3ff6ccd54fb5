// Facts about the machine and checkout a benchmark ran on, for every perf-results file.
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, freemem, loadavg, totalmem } from 'node:os';
import { packageRoot } from '../../src/util/package-root.js';

export interface MachineInfo {
  /** ISO timestamp of when the info was taken (the run's start). */
  startedAt: string;
  gitSha: string;
  /** True when the work tree had uncommitted changes to tracked files. */
  gitDirty: boolean;
  nodeVersion: string;
  v8Version: string;
  platform: string;
  arch: string;
  cpuModel: string;
  coreCount: number;
  memoryBytesTotal: number;
  memoryBytesFree: number;
  /** 1, 5 and 15 minute load averages at start: a shared machine's noise indicator. */
  loadAverage: number[];
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: packageRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

export function machineInfo(): MachineInfo {
  const cpuList = cpus();
  return {
    startedAt: new Date().toISOString(),
    gitSha: git(['rev-parse', 'HEAD']) ?? 'unknown',
    gitDirty: (git(['status', '--porcelain', '--untracked-files=no']) ?? '') !== '',
    nodeVersion: process.version,
    v8Version: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    coreCount: availableParallelism(),
    memoryBytesTotal: totalmem(),
    memoryBytesFree: freemem(),
    loadAverage: loadavg().map((load) => Math.round(load * 100) / 100),
  };
}

/** Markdown bullet lines describing the machine (for the head of a results file). */
export function machineMarkdown(info: MachineInfo): string {
  return [
    `- git: \`${info.gitSha}\`${info.gitDirty ? ' (work tree had uncommitted changes)' : ''}`,
    `- started: ${info.startedAt}`,
    `- node ${info.nodeVersion} (V8 ${info.v8Version}), ${info.platform}/${info.arch}`,
    `- CPU: ${info.cpuModel}, ${info.coreCount} cores; memory ${(info.memoryBytesTotal / 2 ** 30).toFixed(1)} GiB`,
    `- load average at start: ${info.loadAverage.join(', ')} (shared machine: compare ratios, not lone numbers)`,
  ].join('\n');
}
