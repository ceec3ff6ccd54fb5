// Several listeners: Metadata and DescribeCluster answer with the advertised endpoint of the
// listener the request arrived on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import type { DescribeClusterResponse, MetadataResponse } from '../../../src/protocol/index.js';
import { WireClient } from './wire-client.js';

let broker: RunningBroker;
let internalPort: number;

beforeAll(async () => {
  const { createServer } = await import('node:net');
  internalPort = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
  broker = await startBroker({
    log: () => {},
    config: {
      listeners: `PLAINTEXT://127.0.0.1:0,INTERNAL://127.0.0.1:${internalPort}`,
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT',
      'advertised.listeners': `PLAINTEXT://public.example:0,INTERNAL://internal.example:${internalPort}`,
    },
  });
});

afterAll(async () => {
  await broker.stop();
});

const allTopics = { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };

describe('listeners', () => {
  it('advertises the endpoint of the listener each request arrived on', async () => {
    expect(broker.bootstrap).toBe(`public.example:${broker.port}`);
    const external = await WireClient.open(broker.port);
    const internal = await WireClient.open(internalPort);
    expect((await external.call<MetadataResponse>(3, 12, allTopics)).brokers).toEqual([expect.objectContaining({ host: 'public.example', port: broker.port })]);
    expect((await internal.call<MetadataResponse>(3, 12, allTopics)).brokers).toEqual([expect.objectContaining({ host: 'internal.example', port: internalPort })]);
    const cluster = await internal.call<DescribeClusterResponse>(60, 1, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: false });
    expect(cluster.brokers).toEqual([expect.objectContaining({ brokerId: 1, host: 'internal.example', port: internalPort })]);
    external.close();
    internal.close();
  });
});
