import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileMetadataStore, MetadataError } from '../../../src/cluster/metadata-store.js';
import { tempDir } from './helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('rill-meta-')));
afterEach(() => cleanup());

describe('FileMetadataStore', () => {
  it('creates topics with UUID ids and keeps them across reopen', async () => {
    const store = FileMetadataStore.open(dir);
    const orders = await store.createTopic({ name: 'orders', partitionCount: 4, configs: { 'retention.ms': '1000' } });
    expect(orders.topicId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    await store.createTopic({ name: 'clicks', partitionCount: 1 });
    await store.setPartitionCount('orders', 6);
    await store.setTopicConfigs('clicks', { 'cleanup.policy': 'compact' });
    await store.close();
    expect(existsSync(store.path + '.tmp')).toBe(false);

    const reopened = FileMetadataStore.open(dir);
    const again = await reopened.getTopic('orders');
    expect(again).toEqual({ ...orders, partitionCount: 6 });
    expect((await reopened.getTopic('clicks'))!.configs).toEqual({ 'cleanup.policy': 'compact' });
    expect((await reopened.listTopics()).map((t) => t.name).sort()).toEqual(['clicks', 'orders']);
    expect(await reopened.deleteTopic('clicks')).toBe(true);
    expect(await reopened.deleteTopic('clicks')).toBe(false);
    expect((await FileMetadataStore.open(dir).listTopics()).map((t) => t.name)).toEqual(['orders']);
  });

  it('answers bad requests with Kafka error codes and changes nothing', async () => {
    const store = FileMetadataStore.open(dir);
    await store.createTopic({ name: 'a', partitionCount: 2 });
    await expect(store.createTopic({ name: 'a', partitionCount: 1 })).rejects.toMatchObject({ errorCode: 36 });
    await expect(store.createTopic({ name: 'bad/name', partitionCount: 1 })).rejects.toMatchObject({ errorCode: 17 });
    await expect(store.createTopic({ name: '..', partitionCount: 1 })).rejects.toMatchObject({ errorCode: 17 });
    await expect(store.createTopic({ name: 'b', partitionCount: 0 })).rejects.toMatchObject({ errorCode: 37 });
    await expect(store.setPartitionCount('a', 2)).rejects.toMatchObject({ errorCode: 37 });
    await expect(store.setPartitionCount('nope', 3)).rejects.toMatchObject({ errorCode: 3 });
    expect((await store.listTopics()).length).toBe(1);
  });

  it('serializes concurrent mutations', async () => {
    const store = FileMetadataStore.open(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.createTopic({ name: `t${i}`, partitionCount: 1 + i })));
    const reopened = FileMetadataStore.open(dir);
    expect((await reopened.listTopics()).length).toBe(20);
    expect((await reopened.getTopic('t7'))!.partitionCount).toBe(8);
  });

  it('refuses a corrupt document with a typed error', async () => {
    const store = FileMetadataStore.open(dir);
    await store.createTopic({ name: 'x', partitionCount: 1 });
    const text = readFileSync(store.path, 'utf8');
    writeFileSync(store.path, text.slice(0, text.length / 2));
    expect(() => FileMetadataStore.open(dir)).toThrow(MetadataError);
    writeFileSync(store.path, JSON.stringify({ version: 1, topics: [{ name: 'x', topicId: 'nope', partitionCount: 1, replicationFactor: 1, configs: {} }] }));
    expect(() => FileMetadataStore.open(dir)).toThrow(/malformed topic/);
    expect(join(dir, 'rill-metadata.json')).toBe(store.path);
  });
});
