#!/usr/bin/env node
// Golden request captures (issue "Protocol"): a capture proxy in front of a Rill broker records
// every request frame real clients send, while kafkajs, kcat, python3-confluent-kafka,
// kafka-python and @platformatic/kafka (flexible versions) each run a short session (metadata, create topic, produce, fetch, list offsets, a
// group join). The broker advertises the proxy's address, so every connection goes through it.
// Writes test/fixtures/captures/<client>/<nnn>-<api>-v<version>.bin (the frame without its size
// prefix) and index.json per client. Frames are deduplicated (correlation id aside) and capped
// per api/version so the fixtures stay small.
// Run (after `npm run build:ts`): node scripts/capture-frames.mjs [client...]
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { startBroker } = await import(join(root, 'dist/src/index.js'));
const { getApi } = await import(join(root, 'dist/src/protocol/index.js'));
const PYTHON = '/usr/bin/python3';
const FRAMES_PER_API_VERSION_MAX = 4;
const CLIENTS = ['kafkajs', 'kcat', 'confluent-kafka', 'kafka-python', 'platformatic-kafka'];

let currentClient = 'none';
/** client -> captured frames */
const captured = new Map();

/** Splits a byte stream into size-prefixed frames; calls onFrame(frameWithoutPrefix). */
function frameSplitter(onFrame) {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const size = pending.readInt32BE(0);
      onFrame(Buffer.from(pending.subarray(4, 4 + size)));
      pending = pending.subarray(4 + size);
    }
  };
}

function record(frame) {
  if (frame.length < 8) return;
  const list = captured.get(currentClient) ?? [];
  captured.set(currentClient, list);
  list.push({ apiKey: frame.readInt16BE(0), apiVersion: frame.readInt16BE(2), correlationId: frame.readInt32BE(4), frame });
}

/** The capture proxy: forwards both ways unchanged to upstream.port and records client->broker frames. */
function startProxy(upstream) {
  const server = createServer((client) => {
    const broker = connect({ port: upstream.port, host: '127.0.0.1' });
    const split = frameSplitter(record);
    client.on('data', (chunk) => {
      split(chunk);
      broker.write(chunk);
    });
    broker.on('data', (chunk) => client.write(chunk));
    const end = () => {
      client.destroy();
      broker.destroy();
    };
    client.on('close', end).on('error', end);
    broker.on('close', end).on('error', end);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function freePort() {
  const probe = createServer();
  return new Promise((resolve) => probe.listen(0, '127.0.0.1', () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  }));
}

function run(command, args, env = process.env) {
  return new Promise((resolve) => {
    execFile(command, args, { env, timeout: 90_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) console.error(`${command} ${args.join(' ')}: ${err.message}\n${stderr}`);
      resolve(stdout);
    });
  });
}

async function kafkajsSession(bootstrap) {
  const { Kafka, logLevel, CompressionTypes } = await import('kafkajs');
  const kafka = new Kafka({ clientId: 'golden-kafkajs', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'golden-kafkajs', numPartitions: 2 }] });
  await admin.fetchTopicMetadata({ topics: ['golden-kafkajs'] });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: 'golden-kafkajs', acks: -1, compression: CompressionTypes.None,
    messages: [0, 1, 2].map((i) => ({ key: `key-${i}`, value: `value-${i}`, partition: 0, timestamp: String(1_700_000_000_000 + i), headers: { h: String(i) } })),
  });
  await producer.send({ topic: 'golden-kafkajs', acks: -1, compression: CompressionTypes.GZIP, messages: [{ key: 'gz', value: 'gzipped', partition: 1 }] });
  await producer.disconnect();
  await admin.fetchTopicOffsets('golden-kafkajs');
  await admin.fetchTopicOffsetsByTimestamp('golden-kafkajs', 1_700_000_000_001);
  const consumer = kafka.consumer({ groupId: 'golden-kafkajs-group', maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'golden-kafkajs', fromBeginning: true });
  let seen = 0;
  await consumer.run({ eachMessage: async () => { seen++; } });
  for (let i = 0; i < 200 && seen < 4; i++) await new Promise((r) => setTimeout(r, 50));
  await consumer.disconnect();
  await admin.disconnect();
  return { seen };
}

async function platformaticSession(bootstrap) {
  const { Admin, Producer, Consumer, ProduceAcks } = await import('@platformatic/kafka');
  const base = { clientId: 'golden-platformatic-kafka', bootstrapBrokers: [bootstrap] };
  const topic = 'golden-platformatic-kafka';
  const admin = new Admin(base);
  await admin.createTopics({ topics: [topic], partitions: 2, replicas: 1 });
  await admin.metadata({ topics: [topic] });
  const producer = new Producer(base);
  // acks goes with send(): the constructor's acks is not used by send (it defaults to LEADER).
  await producer.send({
    acks: ProduceAcks.ALL,
    messages: [0, 1, 2].map((i) => ({
      topic, partition: 0, key: Buffer.from(`key-${i}`), value: Buffer.from(`value-${i}`),
      timestamp: 1_700_000_000_000n + BigInt(i), headers: new Map([[Buffer.from('h'), Buffer.from(String(i))]]),
    })),
  });
  await producer.close();
  await admin.listOffsets({ topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: 1_700_000_000_001n }] }] });
  await admin.listOffsets({ topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }] });
  const consumer = new Consumer({ ...base, groupId: 'golden-platformatic-kafka-group', maxWaitTime: 100 });
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
  let seen = 0;
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, 10_000);
    stream.on('data', () => {
      seen++;
      if (seen >= 3) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  await stream.close();
  await consumer.close(true);
  await admin.close();
  return { seen };
}

async function kcatSession(bootstrap) {
  const kcat = (args, input) => new Promise((resolve) => {
    const child = execFile('kcat', ['-b', bootstrap, '-X', 'client.id=golden-kcat', ...args], { timeout: 60_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) console.error(`kcat ${args.join(' ')}: ${err.message}\n${stderr}`);
      resolve(stdout);
    });
    child.stdin.end(input ?? '');
  });
  await kcat(['-L']);
  // kcat has no admin API: the topic is auto-created (Metadata with allow_auto_topic_creation).
  await kcat(['-P', '-t', 'golden-kcat', '-p', '0', '-K', ':', '-H', 'h=0'], 'key-0:value-0\nkey-1:value-1\nkey-2:value-2\n');
  const consumed = await kcat(['-C', '-t', 'golden-kcat', '-p', '0', '-o', 'beginning', '-e', '-f', '%k=%s\n']);
  await kcat(['-Q', '-t', 'golden-kcat:0:1700000000001']);
  const grouped = await kcat(['-G', 'golden-kcat-group', '-X', 'auto.offset.reset=earliest', '-e', '-f', '%s\n', 'golden-kcat']);
  return { consumed: consumed.trim().split('\n'), grouped: grouped.trim().split('\n') };
}

async function pythonSession(client, bootstrap) {
  const stdout = await run(PYTHON, [join(root, 'scripts/capture-session.py'), client, bootstrap]);
  return stdout.trim().split('\n').at(-1);
}

/** Dedupes frames (same bytes once the correlation id is zeroed) and caps each api/version. */
function select(frames) {
  const seen = new Set();
  const perApiVersion = new Map();
  const kept = [];
  for (const f of frames) {
    const normalized = Buffer.from(f.frame);
    normalized.writeInt32BE(0, 4);
    const key = normalized.toString('base64');
    if (seen.has(key)) continue;
    seen.add(key);
    const slot = `${f.apiKey}/${f.apiVersion}`;
    const count = perApiVersion.get(slot) ?? 0;
    if (count >= FRAMES_PER_API_VERSION_MAX) continue;
    perApiVersion.set(slot, count + 1);
    kept.push(f);
  }
  return kept;
}

function writeFixtures(client, frames, summary) {
  const dir = join(root, 'test/fixtures/captures', client);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const index = select(frames).map((f, i) => {
    const apiName = getApi(f.apiKey)?.name ?? `api${f.apiKey}`;
    const file = `${String(i).padStart(3, '0')}-${apiName}-v${f.apiVersion}.bin`;
    writeFileSync(join(dir, file), f.frame);
    return { file, apiKey: f.apiKey, apiName, apiVersion: f.apiVersion, correlationId: f.correlationId, bytes: f.frame.length };
  });
  const doc = { generatedBy: 'scripts/capture-frames.mjs', client, capturedAt: new Date().toISOString().slice(0, 10), sessionSummary: summary, framesSeen: frames.length, frames: index };
  writeFileSync(join(dir, 'index.json'), JSON.stringify(doc, null, 2) + '\n');
  console.log(`${client}: ${frames.length} frames seen, ${index.length} kept`);
}

const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : CLIENTS;
for (const client of wanted) {
  // The proxy listens first; a fresh broker per client advertises the proxy's address, so
  // clients reconnect through it after bootstrap.
  const upstream = { port: 0 };
  const proxy = await startProxy(upstream);
  const bootstrap = `127.0.0.1:${proxy.address().port}`;
  // The broker advertises the proxy; bind it to a port found free so the proxy knows where to forward before it starts.
  upstream.port = await freePort();
  const broker = await startBroker({
    port: upstream.port,
    config: { 'advertised.listeners': `PLAINTEXT://${bootstrap}`, 'num.partitions': 1, 'group.initial.rebalance.delay.ms': 0 },
    log: (line) => { if (process.env.CAPTURE_VERBOSE) console.error(line); },
  });
  currentClient = client;
  let summary;
  if (client === 'kafkajs') summary = await kafkajsSession(bootstrap);
  else if (client === 'kcat') summary = await kcatSession(bootstrap);
  else if (client === 'platformatic-kafka') summary = await platformaticSession(bootstrap);
  else summary = await pythonSession(client, bootstrap);
  currentClient = 'none';
  writeFixtures(client, captured.get(client) ?? [], summary);
  proxy.close();
  await broker.stop();
}
process.exit(0);
