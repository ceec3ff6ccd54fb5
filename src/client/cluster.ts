// Bootstrap, metadata and the connection pool shared by a producer, consumer or admin client.
// Connections are opened lazily, one per broker node (plus one per bootstrap address until
// the first metadata answer names the nodes).
import {
  defaultMetadataRequest,
  defaultMetadataRequestMetadataRequestTopic,
  type MetadataResponse,
} from '../protocol/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { ApiKey, Connection } from './connection.js';
import { ConnectionError, KafkaError } from './errors.js';

export interface ClientOptions {
  /** "host:port" or a list of them; the first reachable one is used to bootstrap. */
  bootstrap: string | string[];
  clientId?: string;
  /** Per connection; default 5 (the Java client's max.in.flight.requests.per.connection). */
  maxInFlightRequests?: number;
  connectTimeoutMs?: number;
  /** A request unanswered this long closes its connection; its requests fail retriably. Default 30000. */
  requestTimeoutMs?: number;
  /** Metadata older than this is refreshed before use; default 300000 (metadata.max.age.ms). */
  metadataMaxAgeMs?: number;
}

export interface PartitionInfo {
  partition: number;
  leaderId: number;
  leaderEpoch: number;
  errorCode: number;
}

export interface TopicInfo {
  name: string;
  topicId: string;
  errorCode: number;
  partitions: PartitionInfo[];
}

interface BrokerAddress {
  nodeId: number;
  host: string;
  port: number;
}

const METADATA_MAX_AGE_MS_DEFAULT = 300_000;

export function parseHostPort(address: string): { host: string; port: number } {
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(address.trim());
  if (match === null) throw new Error(`bootstrap address "${address}" is not HOST:PORT`);
  return { host: match[1]!, port: Number(match[2]) };
}

export class Cluster {
  readonly options: ClientOptions;
  private readonly bootstrapAddresses: Array<{ host: string; port: number }>;
  private readonly brokers = new Map<number, BrokerAddress>();
  private readonly connections = new Map<string, Promise<Connection>>();
  private readonly topics = new Map<string, TopicInfo>();
  private metadataAtMs = 0;
  /** Counts metadata answers absorbed: a cache keyed on it (the producer's topic state) knows when to look again. */
  metadataVersion = 0;
  private controllerId = -1;
  private closed = false;

  constructor(options: ClientOptions) {
    this.options = options;
    const list = typeof options.bootstrap === 'string' ? options.bootstrap.split(',') : options.bootstrap;
    this.bootstrapAddresses = list.map(parseHostPort);
  }

  /** A connection to a node (opened on first use, reopened after a failure). */
  connection(nodeId: number): Promise<Connection> {
    const broker = this.brokers.get(nodeId);
    if (broker === undefined) return Promise.reject(new KafkaError(ErrorCode.BROKER_NOT_AVAILABLE, `node ${nodeId} is not in the metadata`));
    return this.connectionTo(broker.host, broker.port);
  }

  /** A pooled connection to an address (a group coordinator, say); closed with the cluster. */
  connectionTo(host: string, port: number): Promise<Connection> {
    if (this.closed) return Promise.reject(new ConnectionError('client closed'));
    const key = `${host}:${port}`;
    const existing = this.connections.get(key);
    if (existing !== undefined) {
      return existing.then((c) => (c.closed ? this.reconnect(key, host, port) : c));
    }
    return this.reconnect(key, host, port);
  }

  private reconnect(key: string, host: string, port: number): Promise<Connection> {
    const { clientId, maxInFlightRequests, connectTimeoutMs, requestTimeoutMs } = this.options;
    const opening = Connection.open({ host, port, clientId, maxInFlightRequests, connectTimeoutMs, requestTimeoutMs });
    this.connections.set(key, opening);
    opening.catch(() => {
      if (this.connections.get(key) === opening) this.connections.delete(key);
    });
    return opening;
  }

  /** Any live connection: a known broker's, else a bootstrap address's. */
  async anyConnection(): Promise<Connection> {
    let lastError: unknown;
    const candidates = [...this.brokers.values(), ...this.bootstrapAddresses];
    for (const { host, port } of candidates) {
      try {
        return await this.connectionTo(host, port);
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError ?? new ConnectionError('no bootstrap address');
  }

  /** The controller's connection (for admin requests); any broker when unknown. */
  async controllerConnection(): Promise<Connection> {
    if (this.controllerId < 0) await this.refreshMetadata([]);
    return this.controllerId >= 0 && this.brokers.has(this.controllerId) ? this.connection(this.controllerId) : this.anyConnection();
  }

  /** Fetches metadata for topics (all topics when null) and updates the cache. */
  async refreshMetadata(topics: string[] | null, allowAutoTopicCreation = false): Promise<MetadataResponse> {
    const connection = await this.anyConnection();
    const request = {
      ...defaultMetadataRequest(),
      topics: topics === null ? null : topics.map((name) => ({ ...defaultMetadataRequestMetadataRequestTopic(), name })),
      allowAutoTopicCreation,
    };
    const response = await connection.request<MetadataResponse>(ApiKey.Metadata, request);
    this.absorbMetadata(response);
    return response;
  }

  private absorbMetadata(response: MetadataResponse): void {
    for (const broker of response.brokers) this.brokers.set(broker.nodeId, { nodeId: broker.nodeId, host: broker.host, port: broker.port });
    this.controllerId = response.controllerId;
    for (const topic of response.topics) {
      if (topic.name === null) continue;
      if (topic.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
        this.topics.delete(topic.name);
        continue;
      }
      const partitions = topic.partitions
        .map((p) => ({ partition: p.partitionIndex, leaderId: p.leaderId, leaderEpoch: p.leaderEpoch, errorCode: p.errorCode }))
        .sort((a, b) => a.partition - b.partition);
      this.topics.set(topic.name, { name: topic.name, topicId: topic.topicId, errorCode: topic.errorCode, partitions });
    }
    this.metadataAtMs = Date.now();
    this.metadataVersion++;
  }

  /** Cached topic metadata, refreshed when missing or stale. Throws KafkaError if the topic does not exist. */
  async topic(name: string, allowAutoTopicCreation = false): Promise<TopicInfo> {
    const maxAgeMs = this.options.metadataMaxAgeMs ?? METADATA_MAX_AGE_MS_DEFAULT;
    const cached = this.topics.get(name);
    if (cached !== undefined && cached.errorCode === ErrorCode.NONE && Date.now() - this.metadataAtMs < maxAgeMs) return cached;
    await this.refreshMetadata([name], allowAutoTopicCreation);
    const fresh = this.topics.get(name);
    if (fresh === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name}`);
    if (fresh.errorCode !== ErrorCode.NONE) throw new KafkaError(fresh.errorCode, `topic ${name}`);
    return fresh;
  }

  /** Cached topic metadata without a refresh, or undefined. */
  cachedTopic(name: string): TopicInfo | undefined {
    return this.topics.get(name);
  }

  /** The leader of a partition, from the cache (refreshing once when unknown). */
  async leaderOf(topic: string, partition: number): Promise<number> {
    const info = await this.topic(topic);
    const leaderId = info.partitions[partition]?.leaderId ?? -1;
    if (leaderId >= 0) return leaderId;
    throw new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `${topic}-${partition}`);
  }

  /** Marks the cache stale so the next lookup asks a broker. */
  invalidate(): void {
    this.metadataAtMs = 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    const opening = [...this.connections.values()];
    this.connections.clear();
    for (const settled of await Promise.allSettled(opening)) {
      if (settled.status === 'fulfilled') settled.value.close();
    }
  }
}
