// Start-up time: from spawning `rill start` to the first ApiVersions answer on its port, over
// several runs, beside the time a bare `node -e ""` takes on the same machine (the floor).
// Usage: npm run build:ts && node dist/bench/startup/run.js [runs]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/package-root.js';
import { machineInfo } from '../lib/machine.js';
import { formatNumber, markdownTable, median, writeResults } from '../lib/results.js';

const TARGET_MS = 300;
const CONNECT_RETRY_MS = 2;
const RUN_TIMEOUT_MS = 10_000;

interface RunTiming {
  /** spawn -> the first ApiVersions response received. */
  firstApiVersionsMs: number;
  /** spawn -> the `ready` line on stdout. */
  readyLineMs: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const apiVersionsV0 = (() => {
  const frame = Buffer.alloc(14);
  frame.writeInt32BE(10, 0);
  frame.writeInt16BE(18, 4);
  frame.writeInt16BE(0, 6);
  frame.writeInt32BE(1, 8);
  frame.writeInt16BE(-1, 12);
  return frame;
})();

/** Connects (retrying until the port listens), sends ApiVersions v0, resolves on a whole answer. */
function firstApiVersions(port: number, deadlineMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (performance.now() > deadlineMs) return reject(new Error('no ApiVersions answer before the deadline'));
      const socket = connect({ port, host: '127.0.0.1', noDelay: true });
      let received = Buffer.alloc(0);
      socket.once('connect', () => socket.write(apiVersionsV0));
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (received.length >= 4 && received.length >= 4 + received.readInt32BE(0)) {
          socket.destroy();
          resolve();
        }
      });
      socket.once('error', () => {
        socket.destroy();
        setTimeout(attempt, CONNECT_RETRY_MS);
      });
    };
    attempt();
  });
}

function waitExit(child: ReturnType<typeof spawn>): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
}

async function runBroker(cliPath: string): Promise<RunTiming> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'rill-startup-'));
  const startedMs = performance.now();
  const child = spawn(process.execPath, [cliPath, 'start', '--port', String(port), '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'ignore'] });
  let readyLineMs = Number.NaN;
  child.stdout!.on('data', (chunk: Buffer) => {
    if (Number.isNaN(readyLineMs) && chunk.toString().includes('ready')) readyLineMs = performance.now() - startedMs;
  });
  try {
    await firstApiVersions(port, startedMs + RUN_TIMEOUT_MS);
    const firstApiVersionsMs = performance.now() - startedMs;
    return { firstApiVersionsMs, readyLineMs };
  } finally {
    child.kill('SIGTERM');
    await waitExit(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function runBareNode(): Promise<number> {
  const startedMs = performance.now();
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await waitExit(child);
  return performance.now() - startedMs;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 10);
  const machine = machineInfo();
  const cliPath = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
  const broker: RunTiming[] = [];
  const bareNodeMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    bareNodeMs.push(await runBareNode());
    broker.push(await runBroker(cliPath));
  }
  const firstMs = broker.map((r) => r.firstApiVersionsMs);
  const readyMs = broker.map((r) => r.readyLineMs);
  const loadAverage1m = loadavg()[0]!;
  const results = {
    runs,
    loadAverage1m,
    targetMs: TARGET_MS,
    medianFirstApiVersionsMs: median(firstMs),
    medianReadyLineMs: median(readyMs),
    medianBareNodeMs: median(bareNodeMs),
    ratioToBareNode: median(firstMs) / median(bareNodeMs),
    firstApiVersionsMs: firstMs,
    readyLineMs: readyMs,
    bareNodeMs,
  };
  const rows = [
    ['spawn -> first ApiVersions answer', formatNumber(results.medianFirstApiVersionsMs), formatNumber(Math.min(...firstMs)), formatNumber(Math.max(...firstMs))],
    ['spawn -> `ready` line', formatNumber(results.medianReadyLineMs), formatNumber(Math.min(...readyMs)), formatNumber(Math.max(...readyMs))],
    ['bare `node -e ""` (floor)', formatNumber(results.medianBareNodeMs), formatNumber(Math.min(...bareNodeMs)), formatNumber(Math.max(...bareNodeMs))],
  ];
  const verdict = results.medianFirstApiVersionsMs <= TARGET_MS ? 'meets' : 'misses';
  const markdownBody = [
    `${runs} runs of \`rill start\` (fresh data dir each run), median ${formatNumber(results.medianFirstApiVersionsMs)} ms to the first ApiVersions answer: ${verdict} the ${TARGET_MS} ms target; ${formatNumber(results.ratioToBareNode)}x a bare Node start on this machine (1-minute load average ${formatNumber(loadAverage1m)} on ${machine.coreCount} cores while measuring).`,
    '',
    markdownTable(['measure', 'median ms', 'min ms', 'max ms'], rows),
    '',
    'Where the time goes (one `node --cpu-prof dist/src/cli/main.js start` on the same machine): most of it above the bare',
    'Node start is the ESM loader resolving, reading and linking the ~250 modules of dist/src (85 of them generated protocol',
    'codecs that the registry imports eagerly). A bundled build or a lazily loaded codec registry would cut it.',
  ].join('\n');
  const files = writeResults({ scenario: 'startup', command: 'npm run build:ts && node dist/bench/startup/run.js', machine, results, markdownBody });
  process.stdout.write(`${markdownBody}\n\nwrote ${files.jsonPath} and ${files.markdownPath}\n`);
}

await main();
