// The broker's topic metadata: name, topic id, partition count, replication factor and config.
// In-memory for now; the log manager's on-disk topics will back it once it lands.
import { randomUUID } from 'node:crypto';
import type { BrokerConfig } from '../config/broker-config.js';
import { TopicConfig, type TopicOverride } from '../config/topic-config.js';

export interface TopicMetadata {
  name: string;
  /** Kafka's topic id: a random UUID as 22 characters of unpadded base64url (how the codecs carry it). */
  topicId: string;
  partitionCount: number;
  replicationFactor: number;
  config: TopicConfig;
}

/** Told about every change, to open, reconfigure or delete logs and persist the catalog. */
export interface TopicHooks {
  topicCreated(topic: TopicMetadata): void;
  partitionsAdded(topic: TopicMetadata): void;
  topicDeleted(topic: TopicMetadata): void;
  configChanged(topic: TopicMetadata): void;
}

const noHooks: TopicHooks = { topicCreated() {}, partitionsAdded() {}, topicDeleted() {}, configChanged() {} };

/** A random UUID as Kafka prints it: 22 characters of unpadded base64url. */
export function newTopicId(): string {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
}

/** Kafka's documented cap on partitions per topic request is not fixed; Rill bounds it here. */
export const PARTITIONS_PER_TOPIC_MAX = 100_000;

export class TopicStore {
  private readonly byName = new Map<string, TopicMetadata>();
  private readonly byId = new Map<string, TopicMetadata>();

  constructor(private readonly brokerConfig: BrokerConfig, private readonly hooks: TopicHooks = noHooks) {}

  /** Re-creates a topic found in the catalog at start (id and overrides kept). */
  restore(entry: { name: string; topicId: string; partitionCount: number; replicationFactor: number }, overrides: Map<string, TopicOverride>): TopicMetadata {
    const topic: TopicMetadata = { ...entry, config: new TopicConfig(this.brokerConfig, overrides) };
    this.byName.set(topic.name, topic);
    this.byId.set(topic.topicId, topic);
    this.hooks.topicCreated(topic);
    return topic;
  }

  /** The catalog as persisted: names, ids, counts and override texts. */
  catalog(): { name: string; topicId: string; partitionCount: number; replicationFactor: number; overrides: Record<string, string> }[] {
    return this.list().map((t) => ({
      name: t.name, topicId: t.topicId, partitionCount: t.partitionCount, replicationFactor: t.replicationFactor,
      overrides: Object.fromEntries(t.config.overrideTexts()),
    }));
  }

  /** Call after changing a topic's config overrides. */
  configChanged(topic: TopicMetadata): void {
    this.hooks.configChanged(topic);
  }

  /** Call after a broker-level dynamic change: every topic's defaults may have moved. */
  brokerConfigChanged(): void {
    for (const topic of this.byName.values()) this.hooks.configChanged(topic);
  }

  get(name: string): TopicMetadata | undefined {
    return this.byName.get(name);
  }

  getById(topicId: string): TopicMetadata | undefined {
    return this.byId.get(topicId);
  }

  list(): TopicMetadata[] {
    return [...this.byName.values()];
  }

  /** Creates a topic; the caller has validated name, counts and overrides. */
  create(name: string, partitionCount: number, replicationFactor: number, overrides: Map<string, TopicOverride>): TopicMetadata {
    if (this.byName.has(name)) throw new Error(`rill: topic ${name} created twice`);
    const topic: TopicMetadata = {
      name,
      topicId: newTopicId(),
      partitionCount,
      replicationFactor,
      config: new TopicConfig(this.brokerConfig, overrides),
    };
    this.byName.set(name, topic);
    this.byId.set(topic.topicId, topic);
    this.hooks.topicCreated(topic);
    return topic;
  }

  delete(name: string): TopicMetadata | undefined {
    const topic = this.byName.get(name);
    if (topic === undefined) return undefined;
    this.byName.delete(name);
    this.byId.delete(topic.topicId);
    this.hooks.topicDeleted(topic);
    return topic;
  }

  /** Grows a topic to `partitionCount` partitions (the caller checked it is larger). */
  setPartitionCount(name: string, partitionCount: number): void {
    const topic = this.byName.get(name);
    if (topic === undefined || partitionCount < topic.partitionCount) throw new Error(`rill: bad partition growth for ${name}`);
    topic.partitionCount = partitionCount;
    this.hooks.partitionsAdded(topic);
  }
}
