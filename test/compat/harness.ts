// Compatibility-suite harness: one in-process Rill broker per test file, child-process runners
// that never block the event loop (the broker lives in this process), and a recorder that writes
// each (client, scenario, result) to test/compat/results/<client>.json for
// scripts/compat-matrix.mjs, which renders COMPATIBILITY.md.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, it } from 'vitest';
import { accel } from '../../src/accel/index.js';

export const PYTHON = '/usr/bin/python3';
export const COMPAT_DIR = dirname(fileURLToPath(import.meta.url));
export const RESULTS_DIR = join(COMPAT_DIR, 'results');

/** The limit every compat broker runs with, small enough to exercise quickly. */
export const MESSAGE_MAX_BYTES = 100_000;
/**
 * Bytes a v2 batch holding one uncompressed record with a null key, no headers and a value of
 * ~100 KB takes beyond the value: 61 (batch header incl. offset and length) + 3 (record length
 * varint) + 1 attributes + 1 timestamp delta + 1 offset delta + 1 key length (-1) + 3 value
 * length varint + 1 header count.
 */
export const ONE_RECORD_BATCH_OVERHEAD = 72;
/** A value whose one-record batch is exactly message.max.bytes. */
export const VALUE_AT_LIMIT = MESSAGE_MAX_BYTES - ONE_RECORD_BATCH_OVERHEAD;

/** The broker config the client suites share. */
export const COMPAT_BROKER_CONFIG = {
  'num.partitions': 1,
  'message.max.bytes': MESSAGE_MAX_BYTES,
  'auto.create.topics.enable': true,
  'group.initial.rebalance.delay.ms': 0,
} as const;

/** The scenario columns of COMPATIBILITY.md, in order. */
export const SCENARIOS = [
  'metadata',
  'create-topic',
  'delete-topic',
  'create-partitions',
  'describe-configs',
  'alter-configs',
  'keys',
  'null-value',
  'headers',
  'codec-none',
  'codec-gzip',
  'codec-snappy',
  'codec-lz4',
  'codec-zstd',
  'record-at-max-bytes',
  'record-above-max-bytes',
  'consume-from-offset',
  'consume-from-timestamp',
  'auto-create-topic',
  'legacy-message-format',
] as const;

export type Outcome = 'pass' | 'fail' | 'unsupported';

export interface ScenarioResult {
  client: string;
  scenario: string;
  outcome: Outcome;
  /** Why a scenario is unsupported, or the failure message. */
  note?: string;
}

/**
 * Records the scenarios of one client. `scenario()` declares a vitest test whose pass/fail is
 * recorded; `unsupported()` records a scenario the client cannot express (with the reason). The
 * results file is written after the file's tests, pass or fail.
 */
export function compatRecorder(client: string, file = client) {
  const results: ScenarioResult[] = [];
  const declared: string[] = [];
  afterAll(() => {
    // A scenario that never ran (its file's setup failed) is a failure, not a missing cell.
    for (const scenario of declared) {
      if (!results.some((r) => r.scenario === scenario)) results.push({ client, scenario, outcome: 'fail', note: 'did not run: the client session (beforeAll) failed' });
    }
    mkdirSync(RESULTS_DIR, { recursive: true });
    const sorted = [...results].sort((a, b) => a.scenario.localeCompare(b.scenario));
    writeFileSync(join(RESULTS_DIR, `${file}.json`), JSON.stringify({ client, results: sorted }, null, 2) + '\n');
  });
  return {
    scenario(name: string, body: () => Promise<void> | void, timeoutMs?: number): void {
      declared.push(name);
      it(`${client}: ${name}`, async () => {
        try {
          await body();
          results.push({ client, scenario: name, outcome: 'pass' });
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          results.push({ client, scenario: name, outcome: 'fail', note: message.split('\n')[0]!.slice(0, 200) });
          throw e;
        }
      }, timeoutMs);
    },
    unsupported(name: string, reason: string): void {
      results.push({ client, scenario: name, outcome: 'unsupported', note: reason });
      it.skip(`${client}: ${name} (unsupported: ${reason})`, () => {});
    },
  };
}

export function pythonHas(module: string): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', `import ${module}`]).status === 0;
}

/** Kafka's codecs in the order the codec scenarios produce them. */
export const ALL_CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type CodecName = (typeof ALL_CODECS)[number];
/**
 * The codecs the in-process broker can validate: zstd needs the native module (Node 20's zlib
 * has none), so under RILL_ACCEL=js or =wasm the broker answers UNSUPPORTED_COMPRESSION_TYPE.
 */
export const BROKER_CODECS: readonly CodecName[] = ALL_CODECS.filter((codec) => codec !== 'zstd' || accel.implementation === 'native');
export const ZSTD_WITHOUT_NATIVE = `the broker runs on the ${accel.implementation} hot path, which has no zstd (needs the native module)`;

export const hasKcat = spawnSync('kcat', ['-V']).status === 0;

export interface RunOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Resolve with the output even when the command exits non-zero. */
  allowFailure?: boolean;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs a child process without blocking the event loop. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { env: options.env ?? process.env, timeout: options.timeoutMs ?? 60_000, encoding: 'utf8', maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
        if (err !== null && options.allowFailure !== true) reject(new Error(`${command} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
        else resolve({ stdout, stderr, code });
      },
    );
    child.stdin!.end(options.input ?? '');
  });
}

/** Runs a Python client script from test/compat/<dir>/ and parses the last stdout line as JSON. */
export async function runPythonScript<T>(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<T> {
  const { stdout } = await run(PYTHON, [join(COMPAT_DIR, script), ...args], { env: { ...process.env, ...env }, timeoutMs: 120_000 });
  const last = stdout.trim().split('\n').at(-1);
  if (last === undefined || last === '') throw new Error(`${script} printed nothing`);
  return JSON.parse(last) as T;
}
