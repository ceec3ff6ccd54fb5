// `rill topics ...` (runTopics) against startBroker().
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { KafkaCommandError, runTopics } from '../../../src/cli/topics.js';
import { UsageError } from '../../../src/cli/start-options.js';

let broker: RunningBroker;
let bootstrap: string[];

beforeAll(async () => {
  broker = await startBroker({ log: () => {} });
  bootstrap = ['--bootstrap-server', broker.bootstrap];
});

afterAll(async () => {
  await broker.stop();
});

describe('rill topics', () => {
  it('creates, lists, alters, describes and deletes a topic', async () => {
    expect(await runTopics(['create', ...bootstrap, '--topic', 'cli-t', '--partitions', '2', '--config', 'retention.ms=1000'])).toEqual(['Created topic cli-t.']);
    expect(await runTopics(['list', ...bootstrap])).toEqual(['cli-t']);
    await runTopics(['alter', ...bootstrap, '--topic', 'cli-t', '--partitions', '3', '--config', 'cleanup.policy=compact', '--delete-config', 'retention.ms']);
    const described = await runTopics(['describe', ...bootstrap, '--topic', 'cli-t']);
    expect(described[0]).toMatch(/^Topic: cli-t\tTopicId: \S{22}\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: cleanup.policy=compact$/);
    expect(described.slice(1)).toHaveLength(3);
    expect(await runTopics(['delete', ...bootstrap, '--topic', 'cli-t'])).toEqual(['Deleted topic cli-t.']);
    expect(await runTopics(['list', ...bootstrap])).toEqual([]);
  });

  it('reports Kafka errors and usage errors distinctly', async () => {
    await expect(runTopics(['delete', ...bootstrap, '--topic', 'missing'])).rejects.toThrow(KafkaCommandError);
    await expect(runTopics(['create', ...bootstrap, '--topic', 'bad', '--config', 'retention.ms=soon'])).rejects.toThrow(/INVALID_CONFIG/);
    await expect(runTopics(['create', ...bootstrap])).rejects.toThrow(UsageError);
    await expect(runTopics(['frobnicate'])).rejects.toThrow(UsageError);
  });
});
