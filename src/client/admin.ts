// Rill's admin client: topics (create, delete, list), configs (describe, incremental alter),
// groups (list, describe) and offsets (list by spec, committed).
import {
  defaultCreateTopicsRequest,
  defaultCreateTopicsRequestCreatableTopic,
  defaultDeleteTopicsRequest,
  defaultDescribeConfigsRequest,
  defaultDescribeGroupsRequest,
  defaultIncrementalAlterConfigsRequest,
  defaultListGroupsRequest,
  type CreateTopicsResponse,
  type DeleteTopicsResponse,
  type DescribeConfigsResponse,
  type DescribeGroupsResponse,
  type DescribeGroupsResponseDescribedGroup,
  type IncrementalAlterConfigsResponse,
  type ListGroupsResponse,
  type ListGroupsResponseListedGroup,
} from '../protocol/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { Cluster, type ClientOptions, type TopicInfo } from './cluster.js';
import { ApiKey } from './connection.js';
import { KafkaError } from './errors.js';
import { coordinatorConnection, fetchCommittedOffsets, type TopicPartitionOffset } from './group-offsets.js';
import { listOffsets, type ListedOffset, type TopicPartitionSpec } from './offsets.js';

export interface NewTopic {
  name: string;
  /** Default -1: the broker's num.partitions. */
  numPartitions?: number;
  replicationFactor?: number;
  configs?: Record<string, string>;
}

export type ConfigResourceType = 'topic' | 'broker';
export type ConfigOperation = 'set' | 'delete' | 'append' | 'subtract';

export interface ConfigEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  isDefault: boolean;
  source: number;
  isSensitive: boolean;
}

const RESOURCE_TYPE: Record<ConfigResourceType, number> = { topic: 2, broker: 4 };
const CONFIG_OPERATION: Record<ConfigOperation, number> = { set: 0, delete: 1, append: 2, subtract: 3 };
const ADMIN_TIMEOUT_MS = 30_000;

function check(errorCode: number, context: string, tolerated: readonly number[] = []): void {
  if (errorCode !== ErrorCode.NONE && !tolerated.includes(errorCode)) throw new KafkaError(errorCode, context);
}

export class Admin {
  readonly cluster: Cluster;

  constructor(readonly options: ClientOptions) {
    this.cluster = new Cluster(options);
  }

  /** Creates topics; with ifNotExists, TOPIC_ALREADY_EXISTS is not an error. */
  async createTopics(topics: NewTopic[], ifNotExists = false): Promise<void> {
    const request = {
      ...defaultCreateTopicsRequest(),
      timeoutMs: ADMIN_TIMEOUT_MS,
      topics: topics.map((t) => ({
        ...defaultCreateTopicsRequestCreatableTopic(),
        name: t.name,
        numPartitions: t.numPartitions ?? -1,
        replicationFactor: t.replicationFactor ?? -1,
        configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
    };
    const connection = await this.cluster.controllerConnection();
    const response = await connection.request<CreateTopicsResponse>(ApiKey.CreateTopics, request);
    const tolerated = ifNotExists ? [ErrorCode.TOPIC_ALREADY_EXISTS] : [];
    for (const result of response.topics) check(result.errorCode, `create topic ${result.name}${result.errorMessage ? `: ${result.errorMessage}` : ''}`, tolerated);
    await this.cluster.refreshMetadata(topics.map((t) => t.name)).catch(() => undefined);
  }

  async deleteTopics(names: string[]): Promise<void> {
    const request = { ...defaultDeleteTopicsRequest(), timeoutMs: ADMIN_TIMEOUT_MS, topicNames: names, topics: names.map((name) => ({ name, topicId: '00000000-0000-0000-0000-000000000000' })) };
    const connection = await this.cluster.controllerConnection();
    const response = await connection.request<DeleteTopicsResponse>(ApiKey.DeleteTopics, request);
    for (const result of response.responses) check(result.errorCode, `delete topic ${result.name}`);
  }

  /** Topic names (internal topics excluded). */
  async listTopics(): Promise<string[]> {
    const response = await this.cluster.refreshMetadata(null);
    return response.topics.filter((t) => !t.isInternal && t.name !== null).map((t) => t.name!).sort();
  }

  async describeTopic(name: string): Promise<TopicInfo> {
    this.cluster.invalidate();
    return this.cluster.topic(name);
  }

  async describeConfigs(type: ConfigResourceType, name: string, keys: string[] | null = null): Promise<ConfigEntry[]> {
    const request = { ...defaultDescribeConfigsRequest(), resources: [{ resourceType: RESOURCE_TYPE[type], resourceName: name, configurationKeys: keys }] };
    const connection = await this.cluster.controllerConnection();
    const response = await connection.request<DescribeConfigsResponse>(ApiKey.DescribeConfigs, request);
    const result = response.results[0];
    if (result === undefined) throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `describe configs of ${type} ${name}: empty answer`);
    check(result.errorCode, `describe configs of ${type} ${name}`);
    return result.configs.map((c) => ({ name: c.name, value: c.value, readOnly: c.readOnly, isDefault: c.isDefault, source: c.configSource, isSensitive: c.isSensitive }));
  }

  /** IncrementalAlterConfigs: each entry sets, deletes, appends to or subtracts from one config. */
  async alterConfigs(type: ConfigResourceType, name: string, changes: Array<{ name: string; value?: string | null; operation?: ConfigOperation }>): Promise<void> {
    const configs = changes.map((c) => ({ name: c.name, value: c.value ?? null, configOperation: CONFIG_OPERATION[c.operation ?? 'set'] }));
    const request = { ...defaultIncrementalAlterConfigsRequest(), resources: [{ resourceType: RESOURCE_TYPE[type], resourceName: name, configs }] };
    const connection = await this.cluster.controllerConnection();
    const response = await connection.request<IncrementalAlterConfigsResponse>(ApiKey.IncrementalAlterConfigs, request);
    for (const r of response.responses) check(r.errorCode, `alter configs of ${type} ${name}${r.errorMessage ? `: ${r.errorMessage}` : ''}`);
  }

  async listGroups(): Promise<ListGroupsResponseListedGroup[]> {
    const connection = await this.cluster.anyConnection();
    const response = await connection.request<ListGroupsResponse>(ApiKey.ListGroups, defaultListGroupsRequest());
    check(response.errorCode, 'list groups');
    return response.groups;
  }

  async describeGroup(groupId: string): Promise<DescribeGroupsResponseDescribedGroup> {
    const connection = await coordinatorConnection(this.cluster, groupId);
    const response = await connection.request<DescribeGroupsResponse>(ApiKey.DescribeGroups, { ...defaultDescribeGroupsRequest(), groups: [groupId] });
    const group = response.groups[0];
    if (group === undefined) throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `describe group ${groupId}: empty answer`);
    check(group.errorCode, `describe group ${groupId}`);
    return group;
  }

  async listOffsets(specs: TopicPartitionSpec[], isolationLevel = 0): Promise<ListedOffset[]> {
    return listOffsets(this.cluster, specs, isolationLevel);
  }

  async committedOffsets(groupId: string, partitions: Array<{ topic: string; partition: number }> | null = null): Promise<TopicPartitionOffset[]> {
    return fetchCommittedOffsets(await coordinatorConnection(this.cluster, groupId), groupId, partitions);
  }

  async close(): Promise<void> {
    await this.cluster.close();
  }
}
