// The same-run comparisons: the raw Node loopback TCP ceiling, and the produce/consume
// workload driven by kcat (librdkafka) and by kafkajs against the same broker.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { ensureTopic, throughput, type ThroughputResult } from '../produce/produce.js';

const LOOPBACK_CHUNK_BYTES = 1024 * 1024;

const SINK_SCRIPT = `
const net = require('node:net');
const server = net.createServer((socket) => {
  socket.on('data', () => {});
  socket.on('end', () => { socket.end(); server.close(); });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

function readFirstLine(child: ReturnType<typeof spawn>): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const newline = text.indexOf('\n');
      if (newline >= 0) resolve(text.slice(0, newline));
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing a line`)));
  });
}

/** Bytes/s one Node process can push over loopback TCP into another Node process that discards them. */
export async function measureLoopbackCeiling(seconds = 2): Promise<{ bytes_per_sec: number; mb_per_sec: number; seconds: number }> {
  const sink = spawn(process.execPath, ['-e', SINK_SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = Number(await readFirstLine(sink));
  const socket = connect({ host: '127.0.0.1', port, noDelay: true });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const chunk = Buffer.alloc(LOOPBACK_CHUNK_BYTES, 7);
  const startMs = performance.now();
  const endMs = startMs + seconds * 1000;
  let written = 0;
  while (performance.now() < endMs) {
    written += chunk.length;
    if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
  }
  socket.end();
  await new Promise((resolve) => socket.once('close', resolve));
  const elapsed = (performance.now() - startMs) / 1000;
  sink.kill();
  return { bytes_per_sec: Math.round(written / elapsed), mb_per_sec: Math.round(written / elapsed / 1e6), seconds: Math.round(elapsed * 1000) / 1000 };
}

/**
 * The storage ceiling: one process appending 1 MiB chunks with writeSync to a new file in dir
 * (page cache, no fsync), as the broker's segment appends do. The file is removed afterwards.
 */
export function measureDiskWriteCeiling(dir: string, totalBytes = 1024 * 1024 * 1024): { bytes_per_sec: number; mb_per_sec: number; seconds: number } {
  const path = join(dir, `ceiling-${process.pid}.bin`);
  const chunk = Buffer.alloc(LOOPBACK_CHUNK_BYTES, 7);
  const fd = openSync(path, 'w');
  const startMs = performance.now();
  try {
    for (let written = 0; written < totalBytes; written += chunk.length) writeSync(fd, chunk, 0, chunk.length, written);
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
  const elapsed = (performance.now() - startMs) / 1000;
  return { bytes_per_sec: Math.round(totalBytes / elapsed), mb_per_sec: Math.round(totalBytes / elapsed / 1e6), seconds: Math.round(elapsed * 1000) / 1000 };
}

export function kcatAvailable(): boolean {
  return spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0;
}

function runTimed(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const startMs = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve((performance.now() - startMs) / 1000);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.slice(-500)}`));
    });
  });
}

export interface PeerWorkload {
  bootstrap: string;
  topic: string;
  records: number;
  recordSizeBytes: number;
  partitions: number;
  /** '1' | 'all' | '0' as librdkafka's acks. */
  acks: string;
  lingerMs: number;
  batchSizeBytes: number;
}

/** kcat -P from a file of newline-separated records (startup and final flush included). */
export async function kcatProduce(w: PeerWorkload): Promise<ThroughputResult> {
  await ensureTopic(w.bootstrap, w.topic, w.partitions);
  const dir = mkdtempSync(join(tmpdir(), 'rill-bench-kcat-'));
  const file = join(dir, 'records.txt');
  const line = Buffer.alloc(w.recordSizeBytes, 'x');
  const body = Buffer.allocUnsafe((w.recordSizeBytes + 1) * w.records);
  for (let i = 0; i < w.records; i++) {
    line.copy(body, i * (w.recordSizeBytes + 1));
    body[i * (w.recordSizeBytes + 1) + w.recordSizeBytes] = 10;
  }
  writeFileSync(file, body);
  try {
    const seconds = await runTimed('kcat', [
      '-P', '-b', w.bootstrap, '-t', w.topic, '-l', file, '-q',
      '-X', `linger.ms=${w.lingerMs}`, '-X', `batch.size=${w.batchSizeBytes}`, '-X', `acks=${w.acks}`,
      '-X', 'queue.buffering.max.messages=2000000', '-X', 'queue.buffering.max.kbytes=1048576', '-z', 'none',
    ]);
    return { ...throughput('kcat (librdkafka)', w.records, w.recordSizeBytes, seconds), note: 'wall time of the kcat process: start, produce, final flush' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** kcat -C from the beginning until N records (startup included). */
export async function kcatConsume(w: PeerWorkload): Promise<ThroughputResult> {
  const seconds = await runTimed('kcat', ['-C', '-b', w.bootstrap, '-t', w.topic, '-o', 'beginning', '-c', String(w.records), '-e', '-q', '-f', '%o\n']);
  return { ...throughput('kcat (librdkafka)', w.records, w.recordSizeBytes, seconds), note: 'wall time of the kcat process: start, fetch, print offsets to /dev/null' };
}

function kafkajsClient(bootstrap: string): Kafka {
  return new Kafka({ clientId: 'rill-bench', brokers: [bootstrap], logLevel: logLevel.NOTHING });
}

const KAFKAJS_MESSAGES_PER_SEND = 1000;
const KAFKAJS_SENDS_IN_FLIGHT = 8;

/** kafkajs producer: sends of 1000 messages, up to 8 outstanding. */
export async function kafkajsProduce(w: PeerWorkload): Promise<ThroughputResult> {
  await ensureTopic(w.bootstrap, w.topic, w.partitions);
  const producer = kafkajsClient(w.bootstrap).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const value = Buffer.alloc(w.recordSizeBytes, 'x');
  const messages = Array.from({ length: KAFKAJS_MESSAGES_PER_SEND }, () => ({ value }));
  const acks = w.acks === 'all' ? -1 : Number(w.acks);
  const startMs = performance.now();
  let remaining = w.records;
  const inFlight = new Set<Promise<unknown>>();
  while (remaining > 0) {
    const count = Math.min(remaining, KAFKAJS_MESSAGES_PER_SEND);
    remaining -= count;
    const sending = producer.send({ topic: w.topic, acks, compression: CompressionTypes.None, messages: messages.slice(0, count) });
    inFlight.add(sending);
    void sending.finally(() => inFlight.delete(sending));
    if (inFlight.size >= KAFKAJS_SENDS_IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - startMs) / 1000;
  await producer.disconnect();
  return throughput('kafkajs', w.records, w.recordSizeBytes, seconds);
}

/** kafkajs consumer (a fresh group, from the beginning) until N records. */
export async function kafkajsConsume(w: PeerWorkload): Promise<ThroughputResult> {
  const consumer = kafkajsClient(w.bootstrap).consumer({ groupId: `rill-bench-${process.pid}-${Date.now()}`, maxBytesPerPartition: 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic: w.topic, fromBeginning: true });
  let consumed = 0;
  let startMs = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (startMs === 0) startMs = performance.now();
        consumed += batch.messages.length;
        if (consumed >= w.records) resolve();
      },
    });
  });
  const seconds = (performance.now() - startMs) / 1000;
  await consumer.disconnect();
  return { ...throughput('kafkajs', consumed, w.recordSizeBytes, seconds), note: 'timed from the first batch (group join excluded)' };
}
