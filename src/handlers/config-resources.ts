// Config resources shared by DescribeConfigs, AlterConfigs and IncrementalAlterConfigs:
// resolving a (type, name) pair to the topic or broker it means, describing it, and applying
// changes all-or-nothing per resource with Kafka's error codes.
import { brokerConfigDefs } from '../config/broker-configs.js';
import type { DescribedConfig } from '../config/broker-config.js';
import { ConfigError } from '../config/errors.js';
import { parseTopicOverride } from '../config/topic-config.js';
import { topicConfigDefs } from '../config/topic-configs.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { topicNameProblem } from './topic-names.js';
import type { TopicMetadata } from './topic-store.js';
import type { BrokerState } from './types.js';

export const ResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;
export const AlterOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

export class ResourceError extends Error {
  constructor(readonly errorCode: number, message: string) {
    super(message);
  }
}

export type ConfigTarget =
  | { kind: 'topic'; topic: TopicMetadata }
  | { kind: 'broker'; perBroker: boolean }
  | { kind: 'broker-logger' };

function brokerTarget(broker: BrokerState, name: string): ConfigTarget {
  if (name === '') return { kind: 'broker', perBroker: false };
  if (!/^-?\d+$/.test(name)) throw new ResourceError(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, but it is: ${name}`);
  if (Number(name) !== broker.nodeId) {
    throw new ResourceError(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${broker.nodeId} or empty string, but received ${name}`);
  }
  return { kind: 'broker', perBroker: true };
}

function topicTarget(broker: BrokerState, name: string): ConfigTarget {
  const problem = topicNameProblem(name);
  if (problem !== undefined) throw new ResourceError(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
  const topic = broker.topics.get(name);
  if (topic === undefined) throw new ResourceError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
  return { kind: 'topic', topic };
}

/** Resolves a config resource; throws ResourceError with Kafka's code. */
export function resolveTarget(broker: BrokerState, resourceType: number, resourceName: string): ConfigTarget {
  if (resourceType === ResourceType.TOPIC) return topicTarget(broker, resourceName);
  if (resourceType === ResourceType.BROKER) return brokerTarget(broker, resourceName);
  if (resourceType === ResourceType.BROKER_LOGGER) return { kind: 'broker-logger' };
  throw new ResourceError(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${resourceType}`);
}

/** Every config of the target (a cluster-default broker resource shows only what is set there). */
export function describeTarget(target: ConfigTarget, broker: BrokerState, includeSynonyms: boolean): DescribedConfig[] {
  if (target.kind === 'topic') return target.topic.config.describe(includeSynonyms);
  if (target.kind === 'broker-logger') return [];
  const all = broker.config.describe(includeSynonyms);
  if (target.perBroker) return all;
  return all.filter((c) => c.source === 3);
}

// ---- changes ---------------------------------------------------------------------------------

export interface ConfigChange {
  name: string;
  op: number;
  value: string | null;
}

function invalid(message: string): ResourceError {
  return new ResourceError(ErrorCode.INVALID_CONFIG, message);
}

function isListConfig(target: ConfigTarget, name: string): boolean {
  const def = target.kind === 'topic' ? topicConfigDefs.get(name) : brokerConfigDefs.get(name);
  return def?.type === 'list';
}

function currentList(target: ConfigTarget, broker: BrokerState, name: string): string[] {
  const value = target.kind === 'topic' ? target.topic.config.effective(name).value : broker.config.effective(name).value;
  return Array.isArray(value) ? value : [];
}

/** The new text (null = delete) one incremental change produces. */
function incrementalText(target: ConfigTarget, broker: BrokerState, change: ConfigChange): string | null {
  if (change.op === AlterOp.SET) return change.value;
  if (change.op === AlterOp.DELETE) return null;
  if (change.op !== AlterOp.APPEND && change.op !== AlterOp.SUBTRACT) throw invalid(`Unknown config operation ${change.op} for ${change.name}`);
  if (!isListConfig(target, change.name)) {
    throw invalid(`Config value ${change.op === AlterOp.APPEND ? 'append' : 'subtract'} is not allowed for config key: ${change.name}`);
  }
  const items = (change.value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  const current = currentList(target, broker, change.name);
  const next = change.op === AlterOp.APPEND ? [...current, ...items.filter((i) => !current.includes(i))] : current.filter((i) => !items.includes(i));
  return next.join(',');
}

/** Turns incremental changes into name -> text|null (SET/DELETE/APPEND/SUBTRACT). */
export function incrementalChanges(target: ConfigTarget, broker: BrokerState, changes: ConfigChange[]): Map<string, string | null> {
  const result = new Map<string, string | null>();
  for (const change of changes) {
    if (result.has(change.name)) throw invalid(`Error due to duplicate config keys: ${change.name}`);
    result.set(change.name, incrementalText(target, broker, change));
  }
  return result;
}

/** Legacy AlterConfigs: the given set replaces every override of the resource. */
export function replacementChanges(target: ConfigTarget, broker: BrokerState, configs: { name: string; value: string | null }[]): Map<string, string | null> {
  const result = new Map<string, string | null>();
  const existing = target.kind === 'topic' ? [...target.topic.config.overrideTexts().keys()] : dynamicNames(target, broker);
  for (const name of existing) result.set(name, null);
  for (const { name, value } of configs) result.set(name, value);
  return result;
}

function dynamicNames(target: ConfigTarget, broker: BrokerState): string[] {
  if (target.kind !== 'broker') return [];
  const source = target.perBroker ? 2 : 3;
  return broker.config.describe(false).filter((c) => c.source === source).map((c) => c.name);
}

function validateChange(target: ConfigTarget, broker: BrokerState, name: string, text: string | null): void {
  try {
    if (target.kind === 'topic') {
      if (text === null) {
        if (!topicConfigDefs.has(name)) throw new ConfigError(name, null, 'unknown topic configuration');
      } else {
        parseTopicOverride(name, text);
      }
    } else if (target.kind === 'broker') {
      broker.config.validateDynamic(name, text);
    }
  } catch (err) {
    if (err instanceof ConfigError) throw invalid(err.message);
    throw err;
  }
}

/** Validates every change, then (unless validateOnly) applies them all. */
export async function applyChanges(target: ConfigTarget, broker: BrokerState, changes: Map<string, string | null>, validateOnly: boolean): Promise<void> {
  if (target.kind === 'broker-logger') throw new ResourceError(ErrorCode.INVALID_REQUEST, 'Broker loggers cannot be altered by Rill');
  for (const [name, text] of changes) validateChange(target, broker, name, text);
  if (validateOnly) return;
  for (const [name, text] of changes) {
    if (target.kind === 'topic') target.topic.config.set(name, text);
    else broker.config.setDynamic(name, text, target.perBroker);
  }
  if (target.kind === 'topic') await broker.topics.configChanged(target.topic);
  else broker.topics.brokerConfigChanged();
}

/** Runs fn, turning a ResourceError into [code, message]. */
export async function resourceOutcome(fn: () => Promise<void>): Promise<[number, string | null]> {
  try {
    await fn();
    return [ErrorCode.NONE, null];
  } catch (err) {
    if (err instanceof ResourceError) return [err.errorCode, err.message];
    throw err;
  }
}
