// `rill topics create|list|describe|alter|delete` against any Kafka-compatible bootstrap server.
import { parseArgs } from 'node:util';
import { errorCodeName } from '../protocol/error-codes.js';
import {
  defaultCreatePartitionsRequest, defaultCreateTopicsRequest, defaultDeleteTopicsRequest, defaultDescribeConfigsRequest,
  defaultIncrementalAlterConfigsRequest, defaultMetadataRequest,
  type CreatePartitionsResponse, type CreateTopicsResponse, type DeleteTopicsResponse, type DescribeConfigsResponse,
  type IncrementalAlterConfigsResponse, type MetadataResponse,
} from '../protocol/index.js';
import { AdminConnection } from './admin-connection.js';
import { UsageError } from './start-options.js';

export const topicsUsage = `usage: rill topics <list|create|describe|alter|delete> [--bootstrap-server HOST:PORT] [--topic NAME]
  create: [--partitions N] [--replication-factor N] [--config key=value]...
  alter:  [--partitions N] [--config key=value]... [--delete-config key]...`;

const TOPIC_RESOURCE = 2;
const CONFIG_SOURCE_TOPIC = 1;
const OP_SET = 0;
const OP_DELETE = 1;

/** A Kafka error answered by the broker: exit code 1. */
export class KafkaCommandError extends Error {}

interface TopicsOptions {
  bootstrap: string;
  topic: string | undefined;
  partitions: number | undefined;
  replicationFactor: number | undefined;
  configs: [string, string][];
  deleteConfigs: string[];
}

function integer(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text)) throw new UsageError(`${flag} expects an integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

function keyValue(entry: string): [string, string] {
  const separator = entry.indexOf('=');
  if (separator <= 0) throw new UsageError(`--config expects key=value, got ${JSON.stringify(entry)}`);
  return [entry.slice(0, separator), entry.slice(separator + 1)];
}

function parseTopicsArgs(args: string[]): TopicsOptions {
  const { values } = parseArgs({
    args,
    options: {
      'bootstrap-server': { type: 'string' }, topic: { type: 'string' }, partitions: { type: 'string' },
      'replication-factor': { type: 'string' }, config: { type: 'string', multiple: true }, 'delete-config': { type: 'string', multiple: true },
    },
    strict: true,
  });
  return {
    bootstrap: values['bootstrap-server'] ?? '127.0.0.1:9092',
    topic: values.topic,
    partitions: integer('--partitions', values.partitions),
    replicationFactor: integer('--replication-factor', values['replication-factor']),
    configs: (values.config ?? []).map(keyValue),
    deleteConfigs: values['delete-config'] ?? [],
  };
}

function requireTopic(options: TopicsOptions): string {
  if (options.topic === undefined) throw new UsageError('--topic is required');
  return options.topic;
}

function check(errorCode: number, errorMessage: string | null | undefined, what: string): void {
  if (errorCode !== 0) throw new KafkaCommandError(`${what}: ${errorCodeName(errorCode)}${errorMessage ? `: ${errorMessage}` : ''}`);
}

async function list(admin: AdminConnection): Promise<string[]> {
  const metadata = await admin.call<MetadataResponse>(3, { ...defaultMetadataRequest(), topics: null, allowAutoTopicCreation: false });
  return metadata.topics.map((t) => t.name ?? '').sort();
}

async function create(admin: AdminConnection, options: TopicsOptions): Promise<string[]> {
  const name = requireTopic(options);
  const topic = { name, numPartitions: options.partitions ?? -1, replicationFactor: options.replicationFactor ?? -1, assignments: [], configs: options.configs.map(([n, value]) => ({ name: n, value })) };
  const response = await admin.call<CreateTopicsResponse>(19, { ...defaultCreateTopicsRequest(), topics: [topic], timeoutMs: 30_000 });
  check(response.topics[0]!.errorCode, response.topics[0]!.errorMessage, `creating topic ${name}`);
  return [`Created topic ${name}.`];
}

async function describeOne(admin: AdminConnection, metadata: MetadataResponse['topics'][number]): Promise<string[]> {
  const name = metadata.name ?? '';
  const request = { ...defaultDescribeConfigsRequest(), resources: [{ resourceType: TOPIC_RESOURCE, resourceName: name, configurationKeys: null }] };
  const configs = await admin.call<DescribeConfigsResponse>(32, request);
  const overrides = configs.results[0]!.configs.filter((c) => c.configSource === CONFIG_SOURCE_TOPIC).map((c) => `${c.name}=${c.value}`);
  const head = `Topic: ${name}\tTopicId: ${metadata.topicId}\tPartitionCount: ${metadata.partitions.length}\tReplicationFactor: ${metadata.partitions[0]?.replicaNodes.length ?? 0}\tConfigs: ${overrides.join(',')}`;
  const partitions = [...metadata.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex).map((p) =>
    `\tTopic: ${name}\tPartition: ${p.partitionIndex}\tLeader: ${p.leaderId}\tReplicas: ${p.replicaNodes.join(',')}\tIsr: ${p.isrNodes.join(',')}`);
  return [head, ...partitions];
}

async function describe(admin: AdminConnection, options: TopicsOptions): Promise<string[]> {
  const topics = options.topic === undefined ? null : [{ name: options.topic, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }];
  const metadata = await admin.call<MetadataResponse>(3, { ...defaultMetadataRequest(), topics, allowAutoTopicCreation: false });
  const lines: string[] = [];
  for (const topic of [...metadata.topics].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''))) {
    check(topic.errorCode, null, `describing topic ${topic.name}`);
    lines.push(...(await describeOne(admin, topic)));
  }
  return lines;
}

async function alter(admin: AdminConnection, options: TopicsOptions): Promise<string[]> {
  const name = requireTopic(options);
  const lines: string[] = [];
  if (options.partitions !== undefined) {
    const request = { ...defaultCreatePartitionsRequest(), topics: [{ name, count: options.partitions, assignments: null }], timeoutMs: 30_000 };
    const response = await admin.call<CreatePartitionsResponse>(37, request);
    check(response.results[0]!.errorCode, response.results[0]!.errorMessage, `adding partitions to ${name}`);
    lines.push(`Topic ${name} now has ${options.partitions} partitions.`);
  }
  const changes = [
    ...options.configs.map(([n, value]) => ({ name: n, configOperation: OP_SET, value })),
    ...options.deleteConfigs.map((n) => ({ name: n, configOperation: OP_DELETE, value: null })),
  ];
  if (changes.length > 0) {
    const request = { ...defaultIncrementalAlterConfigsRequest(), resources: [{ resourceType: TOPIC_RESOURCE, resourceName: name, configs: changes }] };
    const response = await admin.call<IncrementalAlterConfigsResponse>(44, request);
    check(response.responses[0]!.errorCode, response.responses[0]!.errorMessage, `altering configs of ${name}`);
    lines.push(`Updated configs of topic ${name}.`);
  }
  if (lines.length === 0) throw new UsageError('alter needs --partitions, --config or --delete-config');
  return lines;
}

async function remove(admin: AdminConnection, options: TopicsOptions): Promise<string[]> {
  const name = requireTopic(options);
  const version = admin.versionFor(20);
  const request = { ...defaultDeleteTopicsRequest(), topicNames: [name], topics: [{ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], timeoutMs: 30_000 };
  const response = await admin.call<DeleteTopicsResponse>(20, request);
  check(response.responses[0]!.errorCode, version >= 5 ? response.responses[0]!.errorMessage : null, `deleting topic ${name}`);
  return [`Deleted topic ${name}.`];
}

const actions: Record<string, (admin: AdminConnection, options: TopicsOptions) => Promise<string[]>> = {
  list: (admin) => list(admin), create, describe, alter, delete: remove,
};

/** Runs `rill topics <action> ...` and returns the lines to print. */
export async function runTopics(args: string[]): Promise<string[]> {
  const [action, ...rest] = args;
  const run = action === undefined ? undefined : actions[action];
  if (run === undefined) throw new UsageError(`unknown topics action ${JSON.stringify(action ?? '')}\n${topicsUsage}`);
  const options = parseTopicsArgs(rest);
  const admin = await AdminConnection.open(options.bootstrap);
  try {
    return await run(admin, options);
  } finally {
    admin.close();
  }
}
