#!/usr/bin/env node
// Storage crash test: a child process appends with flush.messages=1 and is killed with SIGKILL
// at a random moment, many times. After each kill the log is reopened (unclean: full recovery)
// and every acknowledged batch must read back at its offset with its bytes, every readable batch
// must pass its CRC32C, and offsets must be contiguous. Runs against dist/ (npm run build:ts).
// Usage: node scripts/crash-storage.mjs [kills=200]   (RILL_DIST_DIR=<dir> runs against another build)
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const defaultDistDir = process.env.RILL_DIST_DIR ?? join(root, 'dist');
const KILLS_PER_DIRECTORY = 10;

export function distAvailable(distDir = defaultDistDir) {
  return existsSync(join(distDir, 'src/log/partition-log.js')) && existsSync(join(distDir, 'src/log/io.js'));
}

function bodyHash(batch) {
  const copy = Buffer.from(batch);
  copy.fill(0, 0, 8);
  copy.fill(0, 12, 16);
  return createHash('sha256').update(copy).digest('hex');
}

/** Runs the child until it has acknowledged something, then kills it after a random delay. */
function runChildOnce(distDir, partitionDir, seed, killDelayMs, killEarly) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'scripts/crash-storage-child.mjs'), distDir, partitionDir, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let armed = false;
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (!armed && stdout.includes('\nack ')) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), killDelayMs);
      }
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    if (killEarly) {
      armed = true;
      setTimeout(() => child.kill('SIGKILL'), killDelayMs);
    }
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (signal !== 'SIGKILL') return reject(new Error(`child exited (${code}, ${signal}) before the kill: ${stderr.slice(-2000)}`));
      if (!armed) return reject(new Error(`child acknowledged nothing before the guard timeout: ${stderr.slice(-2000)}`));
      const acks = [];
      for (const line of stdout.split('\n').slice(0, -1)) {
        const [kind, base, last, hash] = line.split(' ');
        if (kind === 'ack') acks.push({ baseOffset: Number(base), lastOffset: Number(last), hash });
      }
      resolve(acks);
    });
  });
}

/** Reopens the log (unclean) and checks every acknowledged batch and every readable byte. */
async function verify(modules, partitionDir, acked) {
  const { PartitionLog, context } = modules;
  const log = PartitionLog.open({ dir: partitionDir, context, config: { segmentBytes: 256 * 1024 } });
  const problems = [];
  try {
    const seen = new Map();
    let offset = log.logStartOffset;
    while (offset < log.logEndOffset) {
      const { records } = await log.read(offset, 1 << 20);
      if (records.length === 0) {
        problems.push(`nothing readable at ${offset} < LEO ${log.logEndOffset}`);
        break;
      }
      for (let at = 0; at < records.length; ) {
        const size = records.readInt32BE(at + 8) + 12;
        const batch = records.subarray(at, at + size);
        const baseOffset = Number(batch.readBigInt64BE(0));
        const lastOffset = baseOffset + batch.readInt32BE(23);
        if (baseOffset !== offset) problems.push(`batch at ${baseOffset}, expected ${offset}`);
        if ((context.crc32c(batch, 21, batch.length) >>> 0) !== batch.readUInt32BE(17)) problems.push(`bad CRC at ${baseOffset}`);
        seen.set(baseOffset, { lastOffset, hash: bodyHash(batch) });
        offset = lastOffset + 1;
        at += size;
      }
    }
    for (const ack of acked) {
      const found = seen.get(ack.baseOffset);
      if (found === undefined) problems.push(`acknowledged batch ${ack.baseOffset} is missing (LEO ${log.logEndOffset})`);
      else if (found.lastOffset !== ack.lastOffset || found.hash !== ack.hash) problems.push(`acknowledged batch ${ack.baseOffset} differs`);
    }
    return { problems, logEndOffset: log.logEndOffset };
  } finally {
    await log.close();
  }
}

export async function runCrashTest({ kills, distDir = defaultDistDir, report = () => {} }) {
  const load = (rel) => import(pathToFileURL(join(distDir, rel)).href);
  const { PartitionLog } = await load('src/log/partition-log.js');
  const { defaultStorageContext } = await load('src/log/io.js');
  const modules = { PartitionLog, context: defaultStorageContext() };
  const workDir = mkdtempSync(join(tmpdir(), 'rill-crash-'));
  const summary = { kills: 0, ackedBatches: 0, problems: [] };
  let seed = 0x9e3779b9 ^ Date.now();
  try {
    let partitionDir = '';
    let acked = [];
    for (let kill = 0; kill < kills; kill++) {
      if (kill % KILLS_PER_DIRECTORY === 0) {
        partitionDir = join(workDir, `crash-${kill / KILLS_PER_DIRECTORY}`);
        acked = [];
      }
      seed = (seed * 1103515245 + 12345) >>> 0;
      const killDelayMs = seed % 300;
      // One kill in five lands at a random moment from spawn (during start-up and recovery too).
      const killEarly = (seed >>> 8) % 5 === 0;
      const newAcks = await runChildOnce(distDir, partitionDir, seed, killEarly ? killDelayMs * 2 : killDelayMs, killEarly);
      acked.push(...newAcks);
      summary.kills += 1;
      summary.ackedBatches += newAcks.length;
      const { problems, logEndOffset } = await verify(modules, partitionDir, acked);
      report(`kill ${kill + 1}/${kills}: +${newAcks.length} acked (kill ${killEarly ? 'from spawn' : 'after first ack'}), ${acked.length} verified, LEO ${logEndOffset}${problems.length ? ', PROBLEMS: ' + problems.slice(0, 5).join('; ') : ''}`);
      summary.problems.push(...problems.map((p) => `kill ${kill + 1}: ${p}`));
      if (problems.length > 0) break;
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  return summary;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const kills = Number(process.argv[2] ?? 200);
  if (!distAvailable()) {
    console.error('dist/ is missing: run `npm run build:ts` first');
    process.exit(2);
  }
  const summary = await runCrashTest({ kills, report: (line) => console.log(line) });
  console.log(`crash test: ${summary.kills} SIGKILLs, ${summary.ackedBatches} acknowledged batches, ${summary.problems.length} problems`);
  process.exit(summary.problems.length === 0 ? 0 : 1);
}
