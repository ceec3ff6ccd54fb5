// subscribe() through the classic group protocol: the range assignor, two members splitting a
// topic, every record consumed once, and the survivor taking over after the other leaves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../../src/broker.js';
import { Consumer, Producer } from '../../../src/client/index.js';
import { rangeAssign } from '../../../src/client/group-member.js';
import { createTopic, startQuietBroker, uniqueTopic } from './helpers.js';

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startQuietBroker();
});

afterAll(async () => {
  await broker.stop();
});

describe('range assignor', () => {
  it('gives contiguous ranges, the first members one extra', () => {
    const assignment = rangeAssign(new Map([['m-b', ['t']], ['m-a', ['t']], ['m-c', ['t', 'u']]]), new Map([['t', 7], ['u', 2]]));
    expect(assignment.get('m-a')!.map((p) => p.partition)).toEqual([0, 1, 2]);
    expect(assignment.get('m-b')!.map((p) => p.partition)).toEqual([3, 4]);
    expect(assignment.get('m-c')!).toEqual([{ topic: 't', partition: 5 }, { topic: 't', partition: 6 }, { topic: 'u', partition: 0 }, { topic: 'u', partition: 1 }]);
  });
});

describe('group consumption', () => {
  it('two members split the partitions; the survivor takes over after one leaves', async () => {
    const topic = uniqueTopic('group');
    await createTopic(broker.bootstrap, topic, 6);
    const producer = new Producer({ bootstrap: broker.bootstrap, acks: 1 });
    const send = (from: number, count: number) => Promise.all(Array.from({ length: count }, (_, i) => producer.send({ topic, key: Buffer.from(`k${from + i}`), value: Buffer.from(String(from + i)) })));
    await send(0, 300);
    const groupId = `g-${topic}`;
    const seen = new Map<string, number[]>([['a', []], ['b', []]]);
    const makeMember = (name: string) => {
      const consumer = new Consumer({ bootstrap: broker.bootstrap, groupId, maxWaitMs: 100, heartbeatIntervalMs: 100, sessionTimeoutMs: 10_000, autoOffsetReset: 'earliest' });
      consumer.subscribe([topic]);
      const running = consumer.run({ eachBatch: (batch) => void seen.get(name)!.push(...batch.records.map((r) => Number(r.value!.toString()))) });
      return { consumer, running };
    };
    const a = makeMember('a');
    const b = makeMember('b');
    const total = () => seen.get('a')!.length + seen.get('b')!.length;
    for (let waited = 0; total() < 300 && waited < 30_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    const sizes = [a.consumer.assignment().length, b.consumer.assignment().length];
    expect(sizes).toEqual([3, 3]);
    await b.consumer.close();
    await b.running;
    const before = seen.get('a')!.length;
    await send(300, 60);
    for (let waited = 0; seen.get('a')!.length < before + 60 && waited < 30_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(a.consumer.assignment()).toHaveLength(6);
    await a.consumer.close();
    await a.running;
    await producer.close();
    const all = [...seen.get('a')!, ...seen.get('b')!].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 360 }, (_, i) => i));
  });
});
