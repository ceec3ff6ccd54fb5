// A broker restarted on the same data dir keeps its cluster id, topics (ids, partitions,
// config overrides) and records.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBroker } from '../../../src/broker.js';
import type { CreateTopicsResponse, DescribeConfigsResponse, DescribeLogDirsResponse, IncrementalAlterConfigsResponse, ListOffsetsResponse, MetadataResponse, ProduceResponse } from '../../../src/protocol/index.js';
import { buildBatch } from '../../../src/protocol/records/records.js';
import { WireClient } from './wire-client.js';

const dataDir = mkdtempSync(join(tmpdir(), 'rill-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const allTopics = { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };

describe('restart', () => {
  it('keeps cluster id, topics, overrides, dynamic broker configs and records', async () => {
    const first = await startBroker({ dataDir, log: () => {} });
    let client = await WireClient.open(first.port);
    const created = await client.call<CreateTopicsResponse>(19, 7, {
      topics: [{ name: 'kept', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '123456' }] }], timeoutMs: 1000, validateOnly: false,
    });
    expect(created.topics[0]!.errorCode).toBe(0);
    const records = [{ key: Buffer.from('k'), value: Buffer.from('v'), headers: [], timestampMs: Date.now() }];
    const produced = await client.call<ProduceResponse>(0, 9, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: 'kept', partitionData: [{ index: 1, records: buildBatch({ records } as never) }] }] });
    expect(produced.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
    const dynamic = await client.call<IncrementalAlterConfigsResponse>(44, 1, {
      resources: [
        { resourceType: 4, resourceName: '', configs: [{ name: 'message.max.bytes', configOperation: 0, value: '2000000' }] },
        { resourceType: 4, resourceName: '1', configs: [{ name: 'log.retention.bytes', configOperation: 0, value: '999999' }] },
      ],
      validateOnly: false,
    });
    expect(dynamic.responses.map((r) => r.errorCode)).toEqual([0, 0]);
    const before = await client.call<MetadataResponse>(3, 12, allTopics);
    client.close();
    await first.stop();

    const second = await startBroker({ dataDir, log: () => {} });
    client = await WireClient.open(second.port);
    const after = await client.call<MetadataResponse>(3, 12, allTopics);
    expect(after.clusterId).toBe(before.clusterId);
    expect(after.topics.map((t) => [t.name, t.topicId, t.partitions.length])).toEqual([['kept', created.topics[0]!.topicId, 2]]);
    const described = await client.call<DescribeConfigsResponse>(32, 4, { resources: [{ resourceType: 2, resourceName: 'kept', configurationKeys: ['retention.ms'] }], includeSynonyms: false, includeDocumentation: false });
    expect(described.results[0]!.configs[0]).toMatchObject({ value: '123456', configSource: 1 });
    const brokerConfigs = await client.call<DescribeConfigsResponse>(32, 4, { resources: [{ resourceType: 4, resourceName: '1', configurationKeys: ['message.max.bytes', 'log.retention.bytes'] }], includeSynonyms: false, includeDocumentation: false });
    expect(brokerConfigs.results[0]!.configs.map((c) => [c.name, c.value, c.configSource])).toEqual([['log.retention.bytes', '999999', 2], ['message.max.bytes', '2000000', 3]]);
    const latest = await client.call<ListOffsetsResponse>(2, 7, { replicaId: -1, isolationLevel: 0, timeoutMs: 1000, topics: [{ name: 'kept', partitions: [{ partitionIndex: 1, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }] }] });
    expect(latest.topics[0]!.partitions[0]!.offset).toBe(1n);
    client.close();
    await second.stop();
  });
});

describe('several log.dirs', () => {
  it('spreads new partitions over the dirs, finds them again after a restart, and describes each dir', async () => {
    const dirs = [join(dataDir, 'one'), join(dataDir, 'two')];
    const config = { 'log.dirs': dirs.join(',') };
    const first = await startBroker({ config, log: () => {} });
    let client = await WireClient.open(first.port);
    await client.call<CreateTopicsResponse>(19, 7, { topics: [{ name: 'spread', numPartitions: 4, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
    const describe = async () => {
      const response = await client.call<DescribeLogDirsResponse>(35, 4, { topics: null });
      return response.results.map((r) => [r.logDir, r.topics.flatMap((t) => t.partitions.map((p) => p.partitionIndex)).sort()]);
    };
    const before = await describe();
    expect(before.map(([dir]) => dir)).toEqual(dirs);
    expect(before.map(([, partitions]) => (partitions as number[]).length)).toEqual([2, 2]);
    client.close();
    await first.stop();
    const second = await startBroker({ config, log: () => {} });
    client = await WireClient.open(second.port);
    expect(await describe()).toEqual(before);
    client.close();
    await second.stop();
  });
});
