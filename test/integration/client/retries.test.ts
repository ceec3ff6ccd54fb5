// Retries: a TCP proxy in front of the broker (advertised as the broker's address) cuts the
// first connections that carry a Produce request; the producer reconnects and delivers every
// record exactly where it belongs. Also: non-retriable errors fail the send; commits round-trip.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { Consumer, KafkaError, Producer } from '../../../src/client/index.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { createTopic, uniqueTopic } from './helpers.js';

const PRODUCE_API_KEY = 0;

interface CuttingProxy {
  server: Server;
  port: number;
  cutsLeft: number;
  cuts: number;
  /** Produce requests to drop silently (the connection stays open, no answer comes). */
  swallowsLeft: number;
  /** Produce requests forwarded whose answer is lost (the connection is cut when it comes). */
  lostAnswersLeft: number;
}

/** A proxy that destroys a connection when a Produce request starts on it, cutsLeft times. */
async function startProxy(): Promise<CuttingProxy> {
  const proxy: CuttingProxy = { server: createServer(), port: 0, cutsLeft: 0, cuts: 0, swallowsLeft: 0, lostAnswersLeft: 0 };
  let target = 0;
  proxy.server.on('connection', (client: Socket) => {
    const upstream = connect({ host: '127.0.0.1', port: target });
    let answerToLose = false;
    client.on('data', (chunk: Buffer) => {
      const isProduce = chunk.length >= 6 && chunk.readInt16BE(4) === PRODUCE_API_KEY;
      if (isProduce && proxy.swallowsLeft > 0) {
        proxy.swallowsLeft -= 1;
        return;
      }
      if (isProduce && proxy.lostAnswersLeft > 0) {
        proxy.lostAnswersLeft -= 1;
        answerToLose = true;
      }
      if (isProduce && proxy.cutsLeft > 0) {
        proxy.cutsLeft -= 1;
        proxy.cuts += 1;
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!answerToLose) return void client.write(chunk);
      client.destroy();
      upstream.destroy();
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
  proxy.port = (proxy.server.address() as { port: number }).port;
  (proxy as unknown as { setTarget(port: number): void }).setTarget = (port: number) => (target = port);
  return proxy;
}

/** A port that was free a moment ago (the broker's real listener; clients only see the proxy). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

let broker: RunningBroker;
let proxy: CuttingProxy;

beforeAll(async () => {
  proxy = await startProxy();
  const brokerPort = await freePort();
  (proxy as unknown as { setTarget(port: number): void }).setTarget(brokerPort);
  broker = await startBroker({ port: brokerPort, config: { 'num.partitions': 1, 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` }, log: () => {} });
});

afterAll(async () => {
  await broker.stop();
  proxy.server.close();
});

describe('producer retries', () => {
  it('reconnects after cut connections and delivers every record once, in order', async () => {
    const bootstrap = `127.0.0.1:${proxy.port}`;
    const topic = uniqueTopic('retry');
    await createTopic(bootstrap, topic, 1);
    proxy.cutsLeft = 3;
    const producer = new Producer({ bootstrap, acks: 1, lingerMs: 0, retryBackoffMs: 20, maxInFlightRequests: 1 });
    const metadata = await Promise.all(Array.from({ length: 50 }, (_, i) => producer.send({ topic, value: Buffer.from(String(i)) })));
    await producer.close();
    expect(proxy.cuts).toBe(3);
    expect(metadata.map((m) => m.offset).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const consumer = new Consumer({ bootstrap, maxWaitMs: 100 });
    await consumer.assign([{ topic, partition: 0, offset: 'earliest' }]);
    const values: string[] = [];
    await consumer.run({
      eachBatch: (batch) => {
        values.push(...batch.records.map((r) => r.value!.toString()));
        if (values.length >= 50) void consumer.stop();
      },
    });
    await consumer.close();
    expect(values).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
  });

  it('times out an unanswered request, reconnects and delivers', async () => {
    const bootstrap = `127.0.0.1:${proxy.port}`;
    const topic = uniqueTopic('timeout');
    await createTopic(bootstrap, topic, 1);
    proxy.swallowsLeft = 1;
    const producer = new Producer({ bootstrap, acks: 1, lingerMs: 0, retryBackoffMs: 20, requestTimeoutMs: 400 });
    const metadata = await producer.send({ topic, value: Buffer.from('late') });
    await producer.close();
    expect(proxy.swallowsLeft).toBe(0);
    expect(metadata.offset).toBe(0);
  });

  it('gives up after the configured retries', async () => {
    const bootstrap = `127.0.0.1:${proxy.port}`;
    const topic = uniqueTopic('give-up');
    await createTopic(bootstrap, topic, 1);
    proxy.cutsLeft = 100;
    const producer = new Producer({ bootstrap, acks: 1, lingerMs: 0, retries: 2, retryBackoffMs: 10 });
    await expect(producer.send({ topic, value: Buffer.from('x') })).rejects.toThrow(/connection|closed/);
    expect(100 - proxy.cutsLeft).toBe(3);
    proxy.cutsLeft = 0;
    await producer.close().catch(() => undefined);
  });

  it('fails fast on a non-retriable error (record larger than max.message.bytes)', async () => {
    const topic = uniqueTopic('too-large');
    await createTopic(broker.bootstrap, topic, 1, { 'max.message.bytes': '2000' });
    const producer = new Producer({ bootstrap: broker.bootstrap, acks: 1, lingerMs: 0 });
    const failure = await producer.send({ topic, value: Buffer.alloc(10_000) }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(KafkaError);
    expect((failure as KafkaError).errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    await producer.close().catch(() => undefined);
  });
});

describe('idempotence', () => {
  async function valuesOf(bootstrap: string, topic: string, expected: number): Promise<string[]> {
    const consumer = new Consumer({ bootstrap, maxWaitMs: 100 });
    await consumer.assign([{ topic, partition: 0, offset: 'earliest' }]);
    const values: string[] = [];
    const stopSoon = setTimeout(() => void consumer.stop(), 3_000);
    await consumer.run({
      eachBatch: (batch) => {
        values.push(...batch.records.map((r) => r.value!.toString()));
        if (values.length > expected) void consumer.stop();
      },
    });
    clearTimeout(stopSoon);
    await consumer.close();
    return values;
  }

  async function produceWithLostAnswer(idempotent: boolean): Promise<string[]> {
    const bootstrap = `127.0.0.1:${proxy.port}`;
    const topic = uniqueTopic(idempotent ? 'idempotent' : 'not-idempotent');
    await createTopic(bootstrap, topic, 1);
    const producer = new Producer({ bootstrap, acks: 'all', lingerMs: 0, retryBackoffMs: 20, idempotent, maxInFlightRequests: 1 });
    await producer.connect();
    proxy.lostAnswersLeft = 1;
    await Promise.all(['a', 'b', 'c'].map((v) => producer.send({ topic, value: Buffer.from(v) })));
    await producer.close();
    expect(proxy.lostAnswersLeft).toBe(0);
    return valuesOf(bootstrap, topic, 3);
  }

  it('without idempotence a batch whose answer was lost is written twice', async () => {
    expect(await produceWithLostAnswer(false)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('with idempotence the retried batch is not written twice', async () => {
    expect(await produceWithLostAnswer(true)).toEqual(['a', 'b', 'c']);
  });
});

describe('consumer commits', () => {
  it('commits positions and resumes from them', async () => {
    const topic = uniqueTopic('commits');
    await createTopic(broker.bootstrap, topic, 2);
    const producer = new Producer({ bootstrap: broker.bootstrap, acks: 1 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => producer.send({ topic, partition: i % 2, value: Buffer.from(String(i)) })));
    await producer.close();
    const groupId = `g-${topic}`;
    const first = new Consumer({ bootstrap: broker.bootstrap, groupId });
    await first.assign([{ topic, partition: 0, offset: 4 }, { topic, partition: 1, offset: 7 }]);
    await first.commit();
    await first.close();
    const second = new Consumer({ bootstrap: broker.bootstrap, groupId });
    await second.assignTopics([topic]);
    expect([second.position(topic, 0), second.position(topic, 1)]).toEqual([4, 7]);
    await second.close();
  });
});
