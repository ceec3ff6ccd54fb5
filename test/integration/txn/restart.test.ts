// Restarts: producer state comes back (from snapshots, or rebuilt from the log when there are
// none), so a batch retried across a restart is still a duplicate; an open transaction is
// reloaded from __transaction_state, keeps the LSO until it is aborted by its timeout, and is
// never visible to read_committed. The SIGKILL case runs the broker in a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBroker } from '../../../src/broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { RawClient } from '../groups/raw-client.js';
import { kafkaFor, readAll, txnTestConfig, uniqueName, waitFor } from './helpers.js';
import { describeTransaction, initProducerId, produceBatch } from './raw-txn.js';

const viteNode = join(import.meta.dirname, '../../../node_modules/.bin/vite-node');
const dirs: string[] = [];
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rill-txn-'));
  dirs.push(dir);
  return dir;
}

async function createTopic(bootstrap: string, topic: string): Promise<void> {
  const admin = kafkaFor(bootstrap).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  await admin.disconnect();
}

describe('producer state across restarts', () => {
  for (const mode of ['snapshot', 'log scan'] as const) {
    it(`a retried batch stays a duplicate after a restart (${mode})`, async () => {
      const dataDir = tempDir();
      const topic = uniqueName('restart');
      let broker = await startBroker({ dataDir, config: txnTestConfig, log: () => {} });
      await createTopic(broker.bootstrap, topic);
      let client = await RawClient.open(broker.port);
      const ids = await initProducerId(client, null);
      expect((await produceBatch(client, topic, { ...ids, baseSequence: 0, count: 4 })).baseOffset).toBe(0n);
      expect((await produceBatch(client, topic, { ...ids, baseSequence: 4, count: 2 })).baseOffset).toBe(4n);
      client.close();
      await broker.stop();
      const partitionDir = join(dataDir, `${topic}-0`);
      const snapshots = readdirSync(partitionDir).filter((n) => n.endsWith('.snapshot'));
      expect(snapshots.length).toBeGreaterThan(0);
      if (mode === 'log scan') for (const name of snapshots) unlinkSync(join(partitionDir, name));

      broker = await startBroker({ dataDir, config: txnTestConfig, log: () => {} });
      client = await RawClient.open(broker.port);
      expect(await produceBatch(client, topic, { ...ids, baseSequence: 4, count: 2 })).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 4n });
      expect((await produceBatch(client, topic, { ...ids, baseSequence: 9, count: 1 })).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      expect((await produceBatch(client, topic, { ...ids, baseSequence: 6, count: 1 })).baseOffset).toBe(6n);
      const fresh = await initProducerId(client, null);
      expect(fresh.producerId).toBeGreaterThan(ids.producerId);
      client.close();
      await broker.stop();
    });
  }
});

describe('aborted transactions across segments', () => {
  it('are indexed in .txnindex files and stay hidden from read_committed after a restart', async () => {
    const dataDir = tempDir();
    const topic = uniqueName('segments');
    let broker = await startBroker({ dataDir, config: txnTestConfig, log: () => {} });
    const admin = kafkaFor(broker.bootstrap).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '2048' }] }] });
    await admin.disconnect();
    const producer = kafkaFor(broker.bootstrap).producer({ transactionalId: uniqueName('tid'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const expected: string[] = [];
    for (let t = 0; t < 8; t++) {
      const txn = await producer.transaction();
      const values = Array.from({ length: 20 }, (_, i) => `t${t}-${i}-${'x'.repeat(40)}`);
      for (const value of values) await txn.send({ topic, messages: [{ value }] });
      if (t % 3 === 1) {
        await txn.abort();
      } else {
        await txn.commit();
        expected.push(...values);
      }
    }
    await producer.disconnect();
    await broker.stop();
    const partitionDir = join(dataDir, `${topic}-0`);
    const names = readdirSync(partitionDir);
    expect(names.filter((n) => n.endsWith('.log')).length).toBeGreaterThan(3);
    const indexBytes = names.filter((n) => n.endsWith('.txnindex')).reduce((sum, n) => sum + statSync(join(partitionDir, n)).size, 0);
    expect(indexBytes).toBe(3 * 34);
    for (const name of names.filter((n) => n.endsWith('.snapshot'))) unlinkSync(join(partitionDir, name));

    broker = await startBroker({ dataDir, config: txnTestConfig, log: () => {} });
    expect(await readAll(kafkaFor(broker.bootstrap), topic, { expected: expected.length })).toEqual(expected);
    await broker.stop();
  });
});

function startChild(dataDir: string, port: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(viteNode, [join(import.meta.dirname, 'fixtures/broker-child.ts'), dataDir, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  child.stderr!.resume();
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /ready (\d+)/.exec(buffered);
      if (match !== null) resolve({ child, port: Number(match[1]) });
    });
    child.once('exit', (code) => reject(new Error(`broker child exited with ${code}`)));
  });
}

describe('a SIGKILLed broker with an open transaction', () => {
  it('aborts it by timeout after the restart; read_committed never sees it', async () => {
    const dataDir = tempDir();
    const first = await startChild(dataDir, 0);
    const bootstrap = `127.0.0.1:${first.port}`;
    const topic = uniqueName('killed');
    await createTopic(bootstrap, topic);
    const kafka = kafkaFor(bootstrap);
    const transactionalId = uniqueName('tid');
    const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, transactionTimeout: 3000 });
    await producer.connect();
    const committed = await producer.transaction();
    await committed.send({ topic, messages: [{ value: 'c1' }, { value: 'c2' }] });
    await committed.commit();
    const open = await producer.transaction();
    await open.send({ topic, messages: [{ value: 'open1' }, { value: 'open2' }] });
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    await producer.disconnect().catch(() => {});

    await startChild(dataDir, first.port);
    const client = await RawClient.open(first.port);
    await waitFor('the open transaction to be aborted by its timeout', async () => (await describeTransaction(client, transactionalId)).transactionState === 'CompleteAbort');
    client.close();
    const after = kafkaFor(bootstrap);
    const plain = after.producer();
    await plain.connect();
    await plain.send({ topic, messages: [{ value: 'later' }] });
    await plain.disconnect();
    expect(await readAll(after, topic, { expected: 3 })).toEqual(['c1', 'c2', 'later']);
    expect((await readAll(after, topic, { expected: 5, readUncommitted: true })).sort()).toEqual(['c1', 'c2', 'later', 'open1', 'open2']);
  });
});
