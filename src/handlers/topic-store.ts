// The broker's topic metadata: name, topic id, partition count, replication factor and config.
// Reads are synchronous from memory; every change is applied in memory at once (so concurrent
// requests see it) and then made durable in the cluster MetadataStore; the returned promise
// settles when it is. Hooks open, grow, reconfigure and delete the partition logs.
import { randomUUID } from 'node:crypto';
import type { BrokerConfig } from '../config/broker-config.js';
import { ConfigError } from '../config/errors.js';
import { parseTopicOverride, TopicConfig, type TopicOverride } from '../config/topic-config.js';
import type { MetadataStore } from '../cluster/metadata-store.js';
import type { LogFn } from '../server/types.js';

export interface TopicMetadata {
  name: string;
  /** Kafka's topic id: a random UUID as 22 characters of unpadded base64url (how the codecs carry it). */
  topicId: string;
  partitionCount: number;
  replicationFactor: number;
  config: TopicConfig;
}

/** Told about every change, to open, grow, reconfigure or delete logs. */
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

/** base64url topic id -> the canonical 8-4-4-4-12 form the metadata store keeps. */
export function canonicalUuid(topicId: string): string {
  const hex = Buffer.from(topicId, 'base64url').toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function base64UrlUuid(canonical: string): string {
  return Buffer.from(canonical.replace(/-/g, ''), 'hex').toString('base64url');
}

/** Kafka's cap on partitions per topic is int32; Rill's is explicit (as the metadata store's). */
export const PARTITIONS_PER_TOPIC_MAX = 100_000;

export class TopicStore {
  private readonly byName = new Map<string, TopicMetadata>();
  private readonly byId = new Map<string, TopicMetadata>();

  constructor(
    private readonly brokerConfig: BrokerConfig,
    private readonly hooks: TopicHooks = noHooks,
    private readonly store: MetadataStore | null = null,
    private readonly log: LogFn = () => {},
  ) {}

  /** Re-creates the topics the metadata store holds (at start). Invalid overrides are dropped with a warning. */
  async load(): Promise<void> {
    if (this.store === null) return;
    for (const stored of await this.store.listTopics()) {
      const topic: TopicMetadata = {
        name: stored.name,
        topicId: base64UrlUuid(stored.topicId),
        partitionCount: stored.partitionCount,
        replicationFactor: stored.replicationFactor,
        config: new TopicConfig(this.brokerConfig, this.validOverrides(stored.name, stored.configs)),
      };
      this.insert(topic);
    }
  }

  private validOverrides(topicName: string, configs: Readonly<Record<string, string>>): Map<string, TopicOverride> {
    const overrides = new Map<string, TopicOverride>();
    for (const [name, text] of Object.entries(configs)) {
      try {
        overrides.set(name, parseTopicOverride(name, text));
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        this.log(`rill: topic ${topicName}: dropping stored config: ${err.message}`);
      }
    }
    return overrides;
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

  private insert(topic: TopicMetadata): void {
    this.byName.set(topic.name, topic);
    this.byId.set(topic.topicId, topic);
    this.hooks.topicCreated(topic);
  }

  private remove(topic: TopicMetadata): void {
    this.byName.delete(topic.name);
    this.byId.delete(topic.topicId);
    this.hooks.topicDeleted(topic);
  }

  /** Creates a topic (the caller validated name, counts and overrides); settles once durable. */
  async create(name: string, partitionCount: number, replicationFactor: number, overrides: Map<string, TopicOverride>): Promise<TopicMetadata> {
    if (this.byName.has(name)) throw new Error(`rill: topic ${name} created twice`);
    const topic: TopicMetadata = { name, topicId: newTopicId(), partitionCount, replicationFactor, config: new TopicConfig(this.brokerConfig, overrides) };
    this.insert(topic);
    try {
      await this.store?.createTopic({ name, partitionCount, replicationFactor, configs: overrideRecord(topic), topicId: canonicalUuid(topic.topicId) });
    } catch (err) {
      this.remove(topic);
      throw err;
    }
    return topic;
  }

  async delete(name: string): Promise<TopicMetadata | undefined> {
    const topic = this.byName.get(name);
    if (topic === undefined) return undefined;
    this.remove(topic);
    await this.store?.deleteTopic(name);
    return topic;
  }

  /** Grows a topic to `partitionCount` partitions (the caller checked it is larger). */
  async setPartitionCount(name: string, partitionCount: number): Promise<void> {
    const topic = this.byName.get(name);
    if (topic === undefined || partitionCount < topic.partitionCount) throw new Error(`rill: bad partition growth for ${name}`);
    topic.partitionCount = partitionCount;
    this.hooks.partitionsAdded(topic);
    await this.store?.setPartitionCount(name, partitionCount);
  }

  /** Call after changing a topic's config overrides. */
  async configChanged(topic: TopicMetadata): Promise<void> {
    this.hooks.configChanged(topic);
    await this.store?.setTopicConfigs(topic.name, overrideRecord(topic));
  }

  /** Call after a broker-level dynamic change: every topic's defaults may have moved. */
  brokerConfigChanged(): void {
    for (const topic of this.byName.values()) this.hooks.configChanged(topic);
  }
}

function overrideRecord(topic: TopicMetadata): Record<string, string> {
  return Object.fromEntries(topic.config.overrideTexts());
}
