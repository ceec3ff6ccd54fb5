// A topic's configuration: its overrides (CreateTopics configs, AlterConfigs) over the broker's
// effective defaults, looked up live so broker-level dynamic changes reach every topic.
import { BrokerConfig, ConfigSource, configTypeIds, type ConfigSynonym, type DescribedConfig, type EffectiveConfig } from './broker-config.js';
import { configValueText, parseConfigValue, type ConfigValue } from './definitions.js';
import { ConfigError } from './errors.js';
import { topicConfigDefs, type TopicConfigDef } from './topic-configs.js';

export interface TopicOverride {
  text: string;
  value: ConfigValue;
}

function requireTopicDef(name: string): TopicConfigDef {
  const def = topicConfigDefs.get(name);
  if (def === undefined) throw new Error(`rill: unknown topic config ${name} asked for internally`);
  return def;
}

/** Validates one topic config value; throws ConfigError (INVALID_CONFIG on the wire). */
export function parseTopicOverride(name: string, text: string | null): TopicOverride {
  const def = topicConfigDefs.get(name);
  if (def === undefined) throw new ConfigError(name, text, 'unknown topic configuration');
  if (text === null) throw new ConfigError(name, null, 'a value is required');
  return { text, value: parseConfigValue(def, text) };
}

/** Validates a full set of overrides. */
export function parseTopicOverrides(input: Iterable<[string, string | null]>): Map<string, TopicOverride> {
  const overrides = new Map<string, TopicOverride>();
  for (const [name, text] of input) overrides.set(name, parseTopicOverride(name, text));
  return overrides;
}

export class TopicConfig {
  private readonly overrides: Map<string, TopicOverride>;

  constructor(readonly broker: BrokerConfig, overrides: Map<string, TopicOverride> = new Map()) {
    this.overrides = new Map(overrides);
  }

  /** The overrides as name -> text (what the metadata store persists). */
  overrideTexts(): Map<string, string> {
    return new Map([...this.overrides].map(([name, entry]) => [name, entry.text]));
  }

  /** Sets (text) or removes (null) an override; validated first. */
  set(name: string, text: string | null): void {
    if (text === null) {
      requireTopicDef(name);
      this.overrides.delete(name);
      return;
    }
    this.overrides.set(name, parseTopicOverride(name, text));
  }

  effective(name: string): EffectiveConfig {
    const def = requireTopicDef(name);
    const override = this.overrides.get(name);
    if (override !== undefined) {
      return { value: override.value, text: configValueText(def, override.value, override.text), source: ConfigSource.TOPIC_CONFIG, from: name };
    }
    if (def.brokerKey !== null) return this.broker.effective(def.brokerKey);
    const value = def.defaultText === null ? null : parseConfigValue(def, def.defaultText);
    return { value, text: def.defaultText, source: ConfigSource.DEFAULT_CONFIG, from: name };
  }

  /** effective(name).value without building DescribeConfigs' text (per-request readers). */
  value(name: string): ConfigValue {
    const def = requireTopicDef(name);
    const override = this.overrides.get(name);
    if (override !== undefined) return override.value;
    if (def.brokerKey !== null) return this.broker.value(def.brokerKey);
    return def.defaultText === null ? null : parseConfigValue(def, def.defaultText);
  }

  number(name: string): number {
    const value = this.value(name);
    if (typeof value !== 'number') throw new Error(`rill: topic config ${name} is not a number (${String(value)})`);
    return value;
  }

  string(name: string): string {
    const value = this.value(name);
    if (typeof value !== 'string') throw new Error(`rill: topic config ${name} is not a string (${String(value)})`);
    return value;
  }

  boolean(name: string): boolean {
    const value = this.value(name);
    if (typeof value !== 'boolean') throw new Error(`rill: topic config ${name} is not a boolean`);
    return value;
  }

  list(name: string): string[] {
    const value = this.value(name);
    if (!Array.isArray(value)) throw new Error(`rill: topic config ${name} is not a list`);
    return value;
  }

  /** Every effective value by name (a snapshot for the log layer). */
  values(): Map<string, ConfigValue> {
    return new Map([...topicConfigDefs.keys()].map((name) => [name, this.effective(name).value]));
  }

  /** Every topic config with value, source and synonyms (DescribeConfigs). */
  describe(includeSynonyms: boolean): DescribedConfig[] {
    return [...topicConfigDefs.values()].map((def) => this.describeOne(def, includeSynonyms));
  }

  private describeOne(def: TopicConfigDef, includeSynonyms: boolean): DescribedConfig {
    const effective = this.effective(def.name);
    return {
      name: def.name,
      value: effective.text,
      readOnly: false,
      isDefault: effective.source === ConfigSource.DEFAULT_CONFIG,
      source: effective.source,
      isSensitive: false,
      synonyms: includeSynonyms ? this.synonymsOf(def) : [],
      configType: configTypeIds[def.type],
      documentation: def.doc,
    };
  }

  private synonymsOf(def: TopicConfigDef): ConfigSynonym[] {
    const synonyms: ConfigSynonym[] = [];
    const override = this.overrides.get(def.name);
    if (override !== undefined) synonyms.push({ name: def.name, value: override.text, source: ConfigSource.TOPIC_CONFIG });
    if (def.brokerKey !== null) synonyms.push(...this.broker.synonymsOf(def.brokerKey));
    return synonyms;
  }
}
