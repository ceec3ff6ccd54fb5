// `rill bench produce|consume|e2e` as processes (needs the build): the last stdout line is one
// JSON object with the documented fields, and each run writes <date>-<scenario>.{json,md,svg}.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../../src/broker.js';
import { startQuietBroker } from './helpers.js';

const cliPath = join(import.meta.dirname, '../../../dist/src/cli/main.js');

function rill(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

let broker: RunningBroker;
let resultsDir: string;

beforeAll(async () => {
  broker = await startQuietBroker();
  resultsDir = mkdtempSync(join(tmpdir(), 'rill-bench-test-'));
});

afterAll(async () => {
  await broker.stop();
  rmSync(resultsDir, { recursive: true, force: true });
});

function lastJsonLine(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

function expectFiles(scenario: string): void {
  const date = new Date().toISOString().slice(0, 10);
  for (const ext of ['json', 'md', 'svg']) expect(existsSync(join(resultsDir, `${date}-${scenario}.${ext}`))).toBe(true);
  expect(readFileSync(join(resultsDir, `${date}-${scenario}.svg`), 'utf8')).toMatch(/^<svg[\s\S]*<path[\s\S]*<\/svg>\s*$/);
}

describe('rill bench', () => {
  it('produce and consume print one JSON line and write the result files', async () => {
    const common = ['--bootstrap', broker.bootstrap, '--topic', 'bench-cli', '--json', '--results-dir', resultsDir];
    const produced = await rill(['bench', 'produce', ...common, '--records', '20000', '--record-size', '50', '--partitions', '3', '--producers', '2', '--acks', 'all', '--compression', 'lz4', '--batch-size', '16384', '--linger-ms', '2']);
    expect(produced.code).toBe(0);
    const produceLine = lastJsonLine(produced.stdout);
    expect(Object.keys(produceLine).sort()).toEqual(['latency_ms', 'mb_per_sec', 'records_per_sec']);
    expect(produceLine.records_per_sec).toBeGreaterThan(0);
    expect(Object.keys(produceLine.latency_ms as object).sort()).toEqual(['count', 'max', 'p50', 'p90', 'p99', 'p999']);
    expectFiles('produce');
    const consumed = await rill(['bench', 'consume', ...common, '--records', '20000', '--consumers', '2']);
    expect(consumed.code).toBe(0);
    expect(lastJsonLine(consumed.stdout).records_per_sec).toBeGreaterThan(0);
    expectFiles('consume');
  });

  it('e2e reports latency percentiles', async () => {
    const e2e = await rill(['bench', 'e2e', '--bootstrap', broker.bootstrap, '--rate', '2000', '--seconds', '2', '--warmup-seconds', '0', '--json', '--results-dir', resultsDir]);
    expect(e2e.code).toBe(0);
    const line = lastJsonLine(e2e.stdout);
    const latency = line.latency_ms as { p50: number; p999: number; count: number };
    expect(latency.count).toBeGreaterThan(0);
    expect(latency.p999).toBeGreaterThanOrEqual(latency.p50);
    expectFiles('e2e');
  });

  it('rejects a bad flag value with exit code 2', async () => {
    const bad = await rill(['bench', 'produce', '--bootstrap', broker.bootstrap, '--acks', '2']);
    expect(bad.code).toBe(2);
    const badIdempotence = await rill(['bench', 'produce', '--bootstrap', broker.bootstrap, '--idempotence', 'maybe']);
    expect(badIdempotence.code).toBe(2);
    expect(badIdempotence.stderr).toMatch(/--idempotence expects true\|false/);
  });
});
