// Idempotent producers through a proxy that drops Produce responses and cuts the connection:
// the producers retry batches the broker already wrote; the log must hold every record exactly
// once, in order (no duplicates, no gaps). kafkajs and librdkafka (python3-confluent-kafka).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { freePort, startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { kafkaFor, readAll, txnTestConfig, uniqueName } from './helpers.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const RECORDS = 300;

let broker: RunningBroker;
let proxy: FaultProxy;

beforeAll(async () => {
  proxy = await startFaultProxy({ cutProbability: 0.2, seed: 7 });
  const brokerPort = await freePort();
  proxy.setTarget(brokerPort);
  broker = await startBroker({ port: brokerPort, config: { ...txnTestConfig, 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` }, log: () => {} });
});

afterAll(async () => {
  await broker.stop();
  await proxy.close();
});

async function createTopic(topic: string): Promise<void> {
  const admin = kafkaFor(`127.0.0.1:${proxy.port}`).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  await admin.disconnect();
}

function expectExactlyOnce(values: string[]): void {
  expect(values.length).toBe(RECORDS);
  expect(new Set(values).size).toBe(RECORDS);
  expect(values).toEqual(Array.from({ length: RECORDS }, (_, i) => `r${i}`));
}

describe('idempotent producers through a response-dropping proxy', () => {
  it('kafkajs: retried batches are not written twice', async () => {
    const topic = uniqueName('idem-proxy');
    await createTopic(topic);
    const cutsBefore = proxy.cuts;
    proxy.cutsLeft = 12;
    const kafka = kafkaFor(`127.0.0.1:${proxy.port}`);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 30, initialRetryTime: 20, maxRetryTime: 200 } });
    await producer.connect();
    for (let i = 0; i < RECORDS; i += 3) {
      await producer.send({ topic, messages: [i, i + 1, i + 2].map((n) => ({ value: `r${n}` })) });
    }
    await producer.disconnect();
    expect(proxy.cuts).toBeGreaterThan(cutsBefore);
    expectExactlyOnce(await readAll(kafka, topic, { expected: RECORDS }));
  });

  it.skipIf(!existsSync(PYTHON))('librdkafka (confluent-kafka): retried batches are not written twice', async () => {
    const topic = uniqueName('idem-proxy-rd');
    await createTopic(topic);
    const cutsBefore = proxy.cuts;
    proxy.cutsLeft = 12;
    const script = join(import.meta.dirname, '../../compat/txn/idempotent_produce.py');
    const { stdout } = await run(PYTHON, [script, `127.0.0.1:${proxy.port}`, topic, String(RECORDS)], { timeout: 120_000 });
    expect(stdout).toContain('delivered');
    expect(proxy.cuts).toBeGreaterThan(cutsBefore);
    expectExactlyOnce(await readAll(kafkaFor(`127.0.0.1:${proxy.port}`), topic, { expected: RECORDS }));
  });
});
