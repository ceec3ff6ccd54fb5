// Crash-test child: appends random batches to a PartitionLog with flush.messages=1 from several
// concurrent appenders, and prints "ack <baseOffset> <lastOffset> <sha256>" (sha256 of the batch
// with baseOffset and partitionLeaderEpoch zeroed) only after each append resolved, i.e. after
// fdatasync. The parent kills it with SIGKILL at a random moment.
// Usage: node scripts/crash-storage-child.mjs <distDir> <partitionDir> <seed>
import { createHash } from 'node:crypto';
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [distDir, partitionDir, seedText] = process.argv.slice(2);
const load = (rel) => import(pathToFileURL(join(distDir, rel)).href);
const { PartitionLog } = await load('src/log/partition-log.js');
const { defaultStorageContext } = await load('src/log/io.js');
const { accel } = await load('src/accel/index.js');

let seed = Number(seedText) >>> 0 || 1;
function random() {
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed / 0x1_0000_0000;
}

function makeBatch() {
  const count = 1 + Math.floor(random() * 5);
  const records = [];
  for (let i = 0; i < count; i++) {
    const value = Buffer.alloc(10 + Math.floor(random() * 3000));
    for (let b = 0; b < value.length; b += 97) value[b] = Math.floor(random() * 256);
    records.push({ key: Buffer.from(`key-${Math.floor(random() * 1000)}`), value, timestampDelta: i });
  }
  const body = accel.encodeRecords(records);
  const out = Buffer.alloc(61 + body.length);
  body.copy(out, 61);
  out.writeInt32BE(out.length - 12, 8);
  out.writeInt32BE(-1, 12);
  out.writeInt8(2, 16);
  out.writeInt32BE(count - 1, 23);
  const now = BigInt(Date.now());
  out.writeBigInt64BE(now, 27);
  out.writeBigInt64BE(now + BigInt(count - 1), 35);
  out.writeBigInt64BE(-1n, 43);
  out.writeInt16BE(-1, 51);
  out.writeInt32BE(-1, 53);
  out.writeInt32BE(count, 57);
  out.writeUInt32BE(accel.crc32c(out, 21, out.length) >>> 0, 17);
  return out;
}

export function bodyHash(batch) {
  const copy = Buffer.from(batch);
  copy.fill(0, 0, 8);
  copy.fill(0, 12, 16);
  return createHash('sha256').update(copy).digest('hex');
}

const log = PartitionLog.open({
  dir: partitionDir,
  context: defaultStorageContext(),
  config: { flushMessages: 1, segmentBytes: 256 * 1024, indexIntervalBytes: 4096 },
});
writeSync(1, `open ${log.logEndOffset}\n`);

async function appender() {
  for (;;) {
    const batch = makeBatch();
    const hash = bodyHash(batch);
    const result = await log.append(batch);
    writeSync(1, `ack ${result.baseOffset} ${result.lastOffset} ${hash}\n`);
  }
}
await Promise.all(Array.from({ length: 8 }, appender));
