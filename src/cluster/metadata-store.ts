// Cluster metadata the broker must not lose: topics, their ids, partition counts and config
// overrides. `MetadataStore` is what cluster mode will implement on etcd; `FileMetadataStore`
// is the single-node implementation: one JSON document replaced atomically (write a temp file,
// fsync, rename over the old one, fsync the directory), so a crash leaves the old or the new
// document, never a mix.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurably } from '../util/durable-file.js';

export interface TopicMetadata {
  readonly name: string;
  /** The topic id, a UUID string (Kafka's Uuid). */
  readonly topicId: string;
  readonly partitionCount: number;
  readonly replicationFactor: number;
  /** Topic config overrides by Kafka name (retention.ms, cleanup.policy, ...). */
  readonly configs: Readonly<Record<string, string>>;
}

export interface CreateTopicInput {
  name: string;
  partitionCount: number;
  replicationFactor?: number;
  configs?: Record<string, string>;
  /** Keep a given id (re-creating from a backup); a new random UUID otherwise. */
  topicId?: string;
}

export interface MetadataStore {
  listTopics(): Promise<TopicMetadata[]>;
  getTopic(name: string): Promise<TopicMetadata | undefined>;
  /** Throws MetadataError TOPIC_ALREADY_EXISTS / INVALID_PARTITIONS / INVALID_TOPIC_EXCEPTION. */
  createTopic(input: CreateTopicInput): Promise<TopicMetadata>;
  /** False when the topic did not exist. */
  deleteTopic(name: string): Promise<boolean>;
  /** Grows the partition count (CreatePartitions); never shrinks it. */
  setPartitionCount(name: string, partitionCount: number): Promise<TopicMetadata>;
  /** Replaces the topic's config overrides. */
  setTopicConfigs(name: string, configs: Record<string, string>): Promise<TopicMetadata>;
  close(): Promise<void>;
}

export const MetadataErrorCode = {
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  INVALID_TOPIC_EXCEPTION: 17,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  KAFKA_STORAGE_ERROR: 56,
} as const;

export type MetadataErrorName = keyof typeof MetadataErrorCode;

export class MetadataError extends Error {
  readonly errorName: MetadataErrorName;
  readonly errorCode: number;
  constructor(errorName: MetadataErrorName, message: string) {
    super(message);
    this.name = 'MetadataError';
    this.errorName = errorName;
    this.errorCode = MetadataErrorCode[errorName];
  }
}

/** The largest metadata document accepted on load. */
export const METADATA_FILE_BYTES_MAX = 256 * 1024 * 1024;
/** Kafka's bound on partitions per topic request is int32; ours is smaller and explicit. */
export const PARTITIONS_PER_TOPIC_MAX = 100_000;
const FILE_NAME = 'rill-metadata.json';
const FORMAT_VERSION = 1;
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Kafka's topic-name rule: [a-zA-Z0-9._-], 1..249 characters, not "." or "..". */
export function isValidTopicName(name: string): boolean {
  return TOPIC_NAME.test(name) && name !== '.' && name !== '..';
}

export class FileMetadataStore implements MetadataStore {
  readonly path: string;
  private topics = new Map<string, TopicMetadata>();
  /** Mutations run one at a time, in call order. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(path: string) {
    this.path = path;
  }

  /** Opens (or starts empty) the store in dir. Throws MetadataError on a corrupt document. */
  static open(dir: string): FileMetadataStore {
    mkdirSync(dir, { recursive: true });
    const store = new FileMetadataStore(join(dir, FILE_NAME));
    store.load();
    return store;
  }

  private load(): void {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    if (text.length > METADATA_FILE_BYTES_MAX) throw new MetadataError('KAFKA_STORAGE_ERROR', `${this.path}: larger than ${METADATA_FILE_BYTES_MAX} bytes`);
    for (const topic of parseDocument(this.path, text)) this.topics.set(topic.name, topic);
  }

  async listTopics(): Promise<TopicMetadata[]> {
    return [...this.topics.values()];
  }

  async getTopic(name: string): Promise<TopicMetadata | undefined> {
    return this.topics.get(name);
  }

  createTopic(input: CreateTopicInput): Promise<TopicMetadata> {
    return this.mutate(() => {
      if (!isValidTopicName(input.name)) throw new MetadataError('INVALID_TOPIC_EXCEPTION', `invalid topic name "${input.name}"`);
      if (this.topics.has(input.name)) throw new MetadataError('TOPIC_ALREADY_EXISTS', `topic ${input.name} already exists`);
      checkPartitionCount(input.partitionCount);
      const replicationFactor = input.replicationFactor ?? 1;
      if (!Number.isSafeInteger(replicationFactor) || replicationFactor < 1) throw new MetadataError('INVALID_REPLICATION_FACTOR', `replication factor ${replicationFactor}`);
      const topic: TopicMetadata = { name: input.name, topicId: input.topicId ?? randomUUID(), partitionCount: input.partitionCount, replicationFactor, configs: { ...input.configs } };
      return this.put(topic);
    });
  }

  deleteTopic(name: string): Promise<boolean> {
    return this.mutate(() => {
      if (!this.topics.delete(name)) return false;
      this.persist();
      return true;
    });
  }

  setPartitionCount(name: string, partitionCount: number): Promise<TopicMetadata> {
    return this.mutate(() => {
      const topic = this.existing(name);
      checkPartitionCount(partitionCount);
      if (partitionCount <= topic.partitionCount) {
        throw new MetadataError('INVALID_PARTITIONS', `topic ${name} has ${topic.partitionCount} partitions; ${partitionCount} would not grow it`);
      }
      return this.put({ ...topic, partitionCount });
    });
  }

  setTopicConfigs(name: string, configs: Record<string, string>): Promise<TopicMetadata> {
    return this.mutate(() => this.put({ ...this.existing(name), configs: { ...configs } }));
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
  }

  private existing(name: string): TopicMetadata {
    const topic = this.topics.get(name);
    if (topic === undefined) throw new MetadataError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic ${name}`);
    return topic;
  }

  /** Applies the change and persists; on a failed write the in-memory state is rolled back. */
  private put(topic: TopicMetadata): TopicMetadata {
    const previous = this.topics.get(topic.name);
    this.topics.set(topic.name, Object.freeze({ ...topic, configs: Object.freeze({ ...topic.configs }) }));
    try {
      this.persist();
    } catch (err) {
      if (previous === undefined) this.topics.delete(topic.name);
      else this.topics.set(topic.name, previous);
      throw err;
    }
    return this.topics.get(topic.name)!;
  }

  private mutate<T>(change: () => T): Promise<T> {
    const result = this.queue.then(change);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private persist(): void {
    const document = { version: FORMAT_VERSION, topics: [...this.topics.values()] };
    writeFileDurably(this.path, JSON.stringify(document, null, 1) + '\n');
  }
}

function checkPartitionCount(count: number): void {
  if (!Number.isSafeInteger(count) || count < 1 || count > PARTITIONS_PER_TOPIC_MAX) {
    throw new MetadataError('INVALID_PARTITIONS', `partition count ${count} outside [1, ${PARTITIONS_PER_TOPIC_MAX}]`);
  }
}

function parseDocument(path: string, text: string): TopicMetadata[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new MetadataError('KAFKA_STORAGE_ERROR', `${path}: not JSON: ${(err as Error).message}`);
  }
  const doc = document as { version?: unknown; topics?: unknown };
  if (typeof doc !== 'object' || doc === null || doc.version !== FORMAT_VERSION || !Array.isArray(doc.topics)) {
    throw new MetadataError('KAFKA_STORAGE_ERROR', `${path}: not a version ${FORMAT_VERSION} metadata document`);
  }
  return doc.topics.map((entry: unknown) => parseTopic(path, entry));
}

function parseTopic(path: string, entry: unknown): TopicMetadata {
  const t = entry as Partial<TopicMetadata>;
  const configsOk = typeof t.configs === 'object' && t.configs !== null && Object.values(t.configs).every((v) => typeof v === 'string');
  const ok =
    typeof t.name === 'string' && isValidTopicName(t.name) &&
    typeof t.topicId === 'string' && UUID.test(t.topicId) &&
    Number.isSafeInteger(t.partitionCount) && t.partitionCount! >= 1 &&
    Number.isSafeInteger(t.replicationFactor) && t.replicationFactor! >= 1 && configsOk;
  if (!ok) throw new MetadataError('KAFKA_STORAGE_ERROR', `${path}: malformed topic entry ${JSON.stringify(entry).slice(0, 200)}`);
  return Object.freeze({ name: t.name!, topicId: t.topicId!, partitionCount: t.partitionCount!, replicationFactor: t.replicationFactor!, configs: Object.freeze({ ...t.configs }) });
}
