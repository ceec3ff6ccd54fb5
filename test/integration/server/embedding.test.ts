// startBroker() as a library: several brokers in one process, each with its own state; without
// a dataDir each uses a temporary directory that stop() removes.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startBroker } from '../../../src/index.js';
import type { CreateTopicsResponse, MetadataResponse } from '../../../src/protocol/index.js';
import { WireClient } from './wire-client.js';

const allTopics = { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };

describe('startBroker', () => {
  it('runs several independent brokers side by side and cleans up their temporary dirs', async () => {
    const [a, b] = await Promise.all([startBroker({ log: () => {} }), startBroker({ log: () => {} })]);
    expect(a.port).not.toBe(b.port);
    const clientA = await WireClient.open(a.port);
    const clientB = await WireClient.open(b.port);
    const created = await clientA.call<CreateTopicsResponse>(19, 7, { topics: [{ name: 'only-in-a', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
    expect(created.topics[0]!.errorCode).toBe(0);
    const metadataA = await clientA.call<MetadataResponse>(3, 12, allTopics);
    const metadataB = await clientB.call<MetadataResponse>(3, 12, allTopics);
    expect(metadataA.topics.map((t) => t.name)).toContain('only-in-a');
    expect(metadataB.topics.map((t) => t.name)).not.toContain('only-in-a');
    expect(metadataA.clusterId).not.toBe(metadataB.clusterId);
    clientA.close();
    clientB.close();
    await Promise.all([a.stop(), b.stop()]);
    expect(existsSync(a.dataDirs[0]!)).toBe(false);
    expect(existsSync(b.dataDirs[0]!)).toBe(false);
    await a.stop();
  });
});
