// Random sequences of group requests (well-formed frames, arbitrary field values: odd timeouts,
// unknown members, stale generations and epochs, empty or foreign protocols, unknown topics)
// from several connections at once. The broker must answer every request and stay up; any
// uncaught exception in its timers or handlers fails the run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { groupTestConfig } from './helpers.js';
import { RawClient } from './raw-client.js';

let broker: RunningBroker;
const clients: RawClient[] = [];
const TOPIC = 'random-topic';

beforeAll(async () => {
  broker = await startBroker({ config: { ...groupTestConfig, 'group.max.size': 4 }, log: () => {} });
  for (let i = 0; i < 4; i++) clients.push(await RawClient.open(broker.port, `random-${i}`));
  await clients[0]!.call(19, 4, { topics: [{ name: TOPIC, numPartitions: 3, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
});

afterAll(async () => {
  for (const client of clients) client.close();
  await broker.stop();
});

function generator(seed: number) {
  let state = seed;
  const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, pick };
}

describe('random group traffic', () => {
  it('answers 4 waves of 300 random requests (timers firing in between) and keeps serving', async () => {
    const { next, pick } = generator(12345);
    const memberIds = [''];
    const groups = ['r1', 'r2', 'r3'];
    const timeouts = [-5, 0, 1, 600, 2000, 2 ** 31 - 1];
    const protocols = () => pick([[], [{ name: 'range', metadata: Buffer.from([0, 1]) }], [{ name: 'x', metadata: Buffer.alloc(0) }, { name: 'range', metadata: Buffer.alloc(3) }]]);
    const requests: [number, number, () => unknown][] = [
      [11, 5, () => ({ groupId: pick(groups), sessionTimeoutMs: pick(timeouts), rebalanceTimeoutMs: pick([200, 500, -1, 0]), memberId: pick(memberIds), groupInstanceId: pick([null, 'i1', 'i2']), protocolType: pick(['consumer', '', 'connect']), protocols: protocols(), reason: null })],
      [14, 5, () => ({ groupId: pick(groups), generationId: Math.floor(next() * 4) - 1, memberId: pick(memberIds), groupInstanceId: pick([null, 'i1']), protocolType: pick([null, 'consumer']), protocolName: pick([null, 'range', 'x']), assignments: [{ memberId: pick(memberIds), assignment: Buffer.alloc(Math.floor(next() * 50)) }] })],
      [12, 4, () => ({ groupId: pick(groups), generationId: Math.floor(next() * 4) - 1, memberId: pick(memberIds), groupInstanceId: pick([null, 'i2']) })],
      [13, 5, () => ({ groupId: pick(groups), memberId: '', members: [{ memberId: pick(memberIds), groupInstanceId: pick([null, 'i1']), reason: null }] })],
      [8, 8, () => ({ groupId: pick(groups), generationIdOrMemberEpoch: Math.floor(next() * 4) - 1, memberId: pick(memberIds), groupInstanceId: null, retentionTimeMs: -1n, topics: [{ name: pick([TOPIC, 'nope']), partitions: [{ partitionIndex: Math.floor(next() * 5) - 1, committedOffset: BigInt(Math.floor(next() * 100) - 1), committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: pick([null, '', 'm']) }] }] })],
      [9, 8, () => ({ groups: [{ groupId: pick(groups), memberId: pick([null, ...memberIds]), memberEpoch: Math.floor(next() * 4) - 1, topics: pick([null, [{ name: TOPIC, partitionIndexes: [0, 7] }]]) }], requireStable: next() < 0.5 })],
      [42, 2, () => ({ groupsNames: [pick(groups), ''] })],
      [47, 0, () => ({ groupId: pick(groups), topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0 }] }] })],
      [68, 0, () => ({ groupId: pick(['k1', 'k2', ...groups]), memberId: pick(memberIds), memberEpoch: Math.floor(next() * 6) - 2, instanceId: pick([null, 'ki']), rackId: null, rebalanceTimeoutMs: pick([-1, 0, 300]), subscribedTopicNames: pick([null, [TOPIC], [], ['nope', TOPIC]]), subscribedTopicRegex: null, serverAssignor: pick([null, 'range', 'uniform']), topicPartitions: pick([null, [], [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [0] }]]) })],
      [15, 5, () => ({ groups: [pick(groups), 'k1'], includeAuthorizedOperations: true })],
      [69, 0, () => ({ groupIds: ['k1', 'k2', pick(groups)], includeAuthorizedOperations: false })],
      [16, 5, () => ({ statesFilter: pick([[], ['Stable'], ['nonsense']]), typesFilter: pick([[], ['classic'], ['consumer']]) })],
    ];
    const wave = () => Array.from({ length: 300 }, async (_, i) => {
      const [apiKey, version, body] = pick(requests);
      const client = clients[i % clients.length]!;
      const response: any = await Promise.race([client.call(apiKey, version, body()), new Promise((resolve) => setTimeout(() => resolve({ timedOut: true }), 3000))]);
      if (typeof response?.memberId === 'string' && response.memberId !== '' && memberIds.length < 8) memberIds.push(response.memberId);
      return response;
    });
    for (let round = 0; round < 4; round++) {
      const responses = await Promise.all(wave());
      expect(responses.every((r) => r !== undefined)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 800));
    }
    const alive: any = await (await RawClient.open(broker.port)).call(18, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' });
    expect(alive.errorCode).toBe(0);
  });
});
