// librdkafka (python3-confluent-kafka) consume-transform-produce with
// send_offsets_to_transaction: the transforming process is SIGKILLed inside a transaction and a
// new instance with the same transactional.id takes over (fencing the old producer and aborting
// its open transaction). The output, read with read_committed, holds every input exactly once.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { kafkaFor, readAll, txnTestConfig, uniqueName, waitFor } from './helpers.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, '../../compat/txn/transform.py');
const INPUTS = 200;
const children: ChildProcess[] = [];
let broker: RunningBroker;

beforeAll(async () => {
  broker = await startBroker({ config: txnTestConfig, log: () => {} });
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await broker.stop();
});

function transformer(args: string[], onLine: (line: string) => void): ChildProcess {
  const child = spawn(PYTHON, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) onLine(line);
  });
  child.stderr!.resume();
  return child;
}

describe.skipIf(!existsSync(PYTHON))('confluent-kafka consume-transform-produce', () => {
  it('keeps every input exactly once in the output across a SIGKILL and a takeover', async () => {
    const input = uniqueName('in');
    const output = uniqueName('out');
    const kafka = kafkaFor(broker.bootstrap);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: input, numPartitions: 2 }, { topic: output, numPartitions: 2 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: input, messages: Array.from({ length: INPUTS }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
    await producer.disconnect();

    const args = [broker.bootstrap, input, output, uniqueName('group'), uniqueName('tid')];
    let commits = 0;
    let inTxnAfterCommits = false;
    const first = transformer([...args, '--slow'], (line) => {
      if (line.startsWith('committed')) commits += 1;
      if (line === 'in-txn' && commits >= 3) inTxnAfterCommits = true;
    });
    await waitFor('the first transformer to be inside a transaction after 3 commits', () => inTxnAfterCommits, 60_000);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));

    let done = false;
    const second = transformer(args, (line) => {
      if (line === 'done') done = true;
    });
    const exitCode = await new Promise<number | null>((resolve) => second.once('exit', resolve));
    expect(done).toBe(true);
    expect(exitCode).toBe(0);

    const values = await readAll(kafka, output, { expected: INPUTS });
    expect(values.length).toBe(INPUTS);
    expect(new Set(values)).toEqual(new Set(Array.from({ length: INPUTS }, (_, i) => `v${i}-out`)));
    const uncommitted = await readAll(kafka, output, { expected: INPUTS, readUncommitted: true });
    expect(uncommitted.length).toBeGreaterThan(INPUTS);
  });
});
