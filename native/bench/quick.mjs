#!/usr/bin/env node
// Quick throughput check of the native addon (not the micro-benchmark suite, which is
// bench/micro): crc32c at 1 KiB / 64 KiB / 1 MiB through the same call shape as
// src/accel/native.ts, and lz4 / zstd compress + decompress on a JSON-log corpus next to
// `lz4 -b1` and `zstd -bN` on the same file, run in the same process run.
// Usage: node native/bench/quick.mjs [corpusBytes] [--tune-allocator]   (build first: npm run build:native)
// --tune-allocator applies addon.tuneAllocator(256 MiB, 32 MiB) first (glibc keeps freed memory).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const nativeDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const file = readdirSync(nativeDir).find((name) => name.startsWith('rill.') && name.endsWith('.node'));
if (!file) throw new Error('no native/rill.*.node: run npm run build:native');
const addon = createRequire(import.meta.url)(join(nativeDir, file));
const tuned = process.argv.includes('--tune-allocator') && addon.tuneAllocator(256 * 1048576, 32 * 1048576);
/** As src/accel/native.ts calls the codecs: small outputs staged, then taken into a pooled Buffer. */
const take = (staged) => {
  if (typeof staged !== 'number') return staged;
  const output = Buffer.allocUnsafe(staged);
  addon.takeStaged(output);
  return output;
};
const compress = (id, buf, level) => take(addon.compressStaged(id, buf, level));
const decompress = (id, buf, cap) => take(addon.decompressStaged(id, buf, cap));
const crc32c = (buf, start = 0, end = buf.length, seed = 0) => addon.crc32c(buf, start, end, seed);

/** Deterministic JSON log lines, like bench/lib/corpus.ts. */
function logCorpus(sizeBytes) {
  let state = 1;
  const next = () => ((state ^= state << 13), (state ^= state >>> 17), (state ^= state << 5), (state >>>= 0));
  const pick = (items) => items[next() % items.length];
  const lines = [];
  let length = 0;
  let ts = Date.UTC(2026, 0, 1);
  while (length < sizeBytes) {
    ts += next() % 40;
    const line = JSON.stringify({
      ts: new Date(ts).toISOString(), level: pick(['info', 'info', 'debug', 'warn', 'error']),
      service: pick(['checkout', 'payments', 'inventory', 'search', 'auth']), traceId: next().toString(16).padStart(8, '0') + next().toString(16).padStart(8, '0'),
      method: pick(['GET', 'POST', 'PUT']), path: pick(['/api/v1/orders', '/api/v1/cart', '/healthz']), status: pick([200, 201, 404, 500]),
      durationMs: (next() % 2500) / 10, userId: `u-${next() % 50000}`, msg: pick(['request completed', 'cache miss', 'upstream slow']),
    });
    lines.push(line);
    length += line.length + 1;
  }
  return Buffer.from(lines.join('\n') + '\n').subarray(0, sizeBytes);
}

/** Median bytes/s over rounds of at least minMs each, by wall clock; cpuRates by CPU time. */
const cpuRates = [];
function throughput(bytesPerCall, fn, minMs = 200, rounds = 5) {
  const rates = [];
  const cpu = [];
  for (let round = 0; round < rounds; round++) {
    let calls = 0;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    let elapsed = 0;
    while (elapsed < minMs) {
      for (let i = 0; i < 16; i++) fn();
      calls += 16;
      elapsed = performance.now() - start;
    }
    const used = process.cpuUsage(cpuStart);
    rates.push((bytesPerCall * calls) / (elapsed / 1000));
    cpu.push((bytesPerCall * calls) / ((used.user + used.system) / 1e6));
  }
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  cpuRates.push(median(cpu));
  return median(rates);
}
const lastCpu = () => cpuRates.at(-1);

const fmt = (bytesPerSecond) => `${(bytesPerSecond / 1e9).toFixed(2)} GB/s`;
const fmtMB = (bytesPerSecond) => `${(bytesPerSecond / 1e6).toFixed(0)} MB/s`;

console.log(`crc32c path: ${addon.crc32cImplementation}; glibc malloc tuned: ${tuned}`);
for (const size of [1024, 65536, 1048576]) {
  const buf = Buffer.alloc(size, 7);
  const hw = throughput(size, () => crc32c(buf));
  const hwCpu = lastCpu();
  const table = throughput(size, () => addon.crc32cPortable(buf, 0, size, 0));
  console.log(`crc32c ${String(size).padStart(8)} B: ${fmt(hw)} wall, ${fmt(hwCpu)} CPU time (table path ${fmt(table)} wall, ${fmt(lastCpu())} CPU)`);
}

const corpusBytes = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 1048576);
const corpus = logCorpus(corpusBytes);
const dir = mkdtempSync(join(tmpdir(), 'rill-native-bench-'));
const path = join(dir, 'corpus.jsonl');
writeFileSync(path, corpus);

function tool(command, level) {
  const run = spawnSync(command, [`-b${level}`, '-i1', path], { encoding: 'utf8' });
  const matches = [...`${run.stdout}\n${run.stderr}`.matchAll(/(\d+)\s*->\s*(\d+)\s*\(x?[\d.]+\)\s*,\s*([\d.]+)\s*MB\/s\s*,\s*([\d.]+)\s*MB\/s/g)];
  const last = matches.at(-1);
  return last ? { compressed: Number(last[2]), c: Number(last[3]) * 1e6, d: Number(last[4]) * 1e6 } : undefined;
}

const cases = [
  ['lz4', 3, undefined, 'lz4', 1],
  ['zstd', 4, 1, 'zstd', 1],
  ['zstd', 4, 3, 'zstd', 3],
];
const ROUNDS = 3;
console.log(`corpus: ${corpusBytes} bytes of JSON log lines; best of ${ROUNDS} alternating rounds (ours, then the tool)`);
for (const [name, id, level, command, toolLevel] of cases) {
  const compressed = compress(id, corpus, level);
  let best = { c: 0, d: 0, toolC: 0, toolD: 0, toolBytes: undefined };
  for (let round = 0; round < ROUNDS; round++) {
    best.c = Math.max(best.c, throughput(corpusBytes, () => compress(id, corpus, level), 300, 3));
    best.d = Math.max(best.d, throughput(corpusBytes, () => decompress(id, compressed, corpusBytes), 300, 3));
    const anchor = tool(command, toolLevel);
    if (anchor) best = { ...best, toolC: Math.max(best.toolC, anchor.c), toolD: Math.max(best.toolD, anchor.d), toolBytes: anchor.compressed };
  }
  const ratio = (ours, theirs) => (theirs ? ` = ${((100 * ours) / theirs).toFixed(0)}%` : '');
  console.log(
    `${name} level ${level ?? 'default'}: ${compressed.length} B; compress ${fmtMB(best.c)}, decompress ${fmtMB(best.d)}` +
      (best.toolBytes ? ` | ${command} -b${toolLevel} -i1: ${best.toolBytes} B; ${fmtMB(best.toolC)}, ${fmtMB(best.toolD)} | native/tool: compress${ratio(best.c, best.toolC)}, decompress${ratio(best.d, best.toolD)}` : ` | ${command} not available`),
  );
}
const snappyCompressed = compress(2, corpus);
console.log(`snappy: ${snappyCompressed.length} B; compress ${fmtMB(throughput(corpusBytes, () => compress(2, corpus)))}, decompress ${fmtMB(throughput(corpusBytes, () => decompress(2, snappyCompressed, corpusBytes)))}`);
rmSync(dir, { recursive: true, force: true });
