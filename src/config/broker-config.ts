// The broker's configuration: static values (server.properties, --set, startBroker's config),
// dynamic cluster-wide defaults and dynamic per-broker values (AlterConfigs), Kafka's synonyms
// (log.retention.ms > minutes > hours, ...), and the DescribeConfigs view of every config.
import { brokerConfigDefs, brokerSynonyms } from './broker-configs.js';
import { configValueText, parseConfigValue, type ConfigDef, type ConfigValue } from './definitions.js';
import { ConfigError } from './errors.js';
import { checkListeners, parseListeners, parseProtocolMap, type ListenerSpec } from './listeners.js';

/** Kafka's DescribeConfigs config sources. */
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;
export type ConfigSourceId = (typeof ConfigSource)[keyof typeof ConfigSource];

/** Kafka's DescribeConfigs config types (v3+). */
export const configTypeIds: Record<ConfigDef['type'], number> = {
  boolean: 1, string: 2, int: 3, short: 4, long: 5, double: 6, list: 7, class: 8, password: 9,
};

export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: ConfigSourceId;
}

export interface DescribedConfig {
  name: string;
  value: string | null;
  readOnly: boolean;
  isDefault: boolean;
  source: ConfigSourceId;
  isSensitive: boolean;
  synonyms: ConfigSynonym[];
  configType: number;
  documentation: string;
}

export type ConfigInput = Record<string, string | number | boolean> | Map<string, string>;

interface LayerEntry {
  text: string;
  value: ConfigValue;
}

type Layer = Map<string, LayerEntry>;

/** Synonym unit conversions to the primary config's unit (ms). */
const synonymScale: Record<string, number> = {
  'log.retention.hours': 3_600_000,
  'log.retention.minutes': 60_000,
  'log.roll.hours': 3_600_000,
  'log.roll.jitter.hours': 3_600_000,
};

/** An effective value with where it came from. */
export interface EffectiveConfig {
  /** Value in the primary config's unit and type. */
  value: ConfigValue;
  /** Text as DescribeConfigs reports it (converted for synonyms). */
  text: string | null;
  source: ConfigSourceId;
  /** The config name that supplied it (a synonym for e.g. log.retention.hours). */
  from: string;
}

function toEntries(input: ConfigInput): [string, string][] {
  const entries = input instanceof Map ? [...input.entries()] : Object.entries(input);
  return entries.map(([key, value]) => [key.trim(), String(value)]);
}

function parseLayer(input: ConfigInput, warnings: string[]): Layer {
  const layer: Layer = new Map();
  for (const [key, text] of toEntries(input)) {
    const def = brokerConfigDefs.get(key);
    if (def === undefined) {
      warnings.push(`rill: unknown configuration ${key} (ignored)`);
      continue;
    }
    layer.set(key, { text, value: parseConfigValue(def, text) });
  }
  return layer;
}

function convertSynonym(primary: string, from: string, value: ConfigValue): ConfigValue {
  if (primary === 'log.dirs' && typeof value === 'string') return [value];
  if (primary === from) return value; // a config in its own unit (log.retention.hours is hours)
  const scale = synonymScale[from];
  if (scale === undefined || typeof value !== 'number') return value;
  return value < 0 ? -1 : Math.min(value * scale, Number.MAX_SAFE_INTEGER);
}

/** Where an effective value comes from: a layer entry, or a default as one. */
interface ResolvedConfig {
  synonym: string;
  source: ConfigSourceId;
  entry: LayerEntry;
}

/** Parsed default values of scalar configs (lists are parsed per call: callers may keep them). */
const scalarDefaults = new Map<ConfigDef, ConfigValue>();

function parsedDefault(def: ConfigDef): ConfigValue {
  const cached = scalarDefaults.get(def);
  if (cached !== undefined) return cached;
  const value = parseConfigValue(def, def.defaultText!);
  if (!Array.isArray(value)) scalarDefaults.set(def, value);
  return value;
}

function textOf(def: ConfigDef, entry: LayerEntry): string {
  return configValueText(def, entry.value, entry.text);
}

export class BrokerConfig {
  readonly warnings: string[];
  private readonly staticLayer: Layer;
  private readonly dynamicDefaultLayer: Layer = new Map();
  private readonly dynamicBrokerLayer: Layer = new Map();
  /** Bound listeners, parsed and checked at construction (controller.listener.names left out). */
  readonly listeners: ListenerSpec[];
  /** Advertised listeners; the bound listeners when `advertised.listeners` is unset. */
  readonly advertisedListeners: ListenerSpec[];

  /** Parses and validates; throws ConfigError naming the first bad key and value. */
  constructor(input: ConfigInput = {}) {
    this.warnings = [];
    this.staticLayer = parseLayer(input, this.warnings);
    this.checkNodeId();
    const protocols = parseProtocolMap('listener.security.protocol.map', this.string('listener.security.protocol.map'));
    const controllerNames = new Set((this.optionalString('controller.listener.names') ?? '').split(',').map((n) => n.trim().toUpperCase()).filter((n) => n !== ''));
    const all = parseListeners('listeners', this.string('listeners'), protocols);
    const advertisedText = this.optionalString('advertised.listeners');
    const advertised = advertisedText === null ? all : parseListeners('advertised.listeners', advertisedText, protocols);
    this.listeners = all.filter((l) => !controllerNames.has(l.name));
    this.advertisedListeners = advertised.filter((l) => !controllerNames.has(l.name));
    if (this.listeners.length < all.length) {
      this.warnings.push(`rill: not serving controller listeners (${[...controllerNames].join(', ')}): a single Rill node needs no controller quorum`);
    }
    if (all.length > 0 && this.listeners.length === 0) {
      throw new ConfigError('listeners', this.string('listeners'), 'every listener is a controller listener (controller.listener.names); Rill needs a broker listener');
    }
    checkListeners(this.listeners, this.advertisedListeners, advertisedText ?? '');
  }

  private checkNodeId(): void {
    const nodeId = this.explicit('node.id');
    const brokerId = this.explicit('broker.id');
    if (nodeId !== undefined && brokerId !== undefined && nodeId.value !== brokerId.value) {
      throw new ConfigError('broker.id', brokerId.text, `must match node.id (${nodeId.text}) when both are set`);
    }
  }

  private layers(): [Layer, ConfigSourceId][] {
    return [
      [this.dynamicBrokerLayer, ConfigSource.DYNAMIC_BROKER_CONFIG],
      [this.dynamicDefaultLayer, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
      [this.staticLayer, ConfigSource.STATIC_BROKER_CONFIG],
    ];
  }

  private explicit(name: string): LayerEntry | undefined {
    for (const [layer] of this.layers()) {
      const entry = layer.get(name);
      if (entry !== undefined) return entry;
    }
    return undefined;
  }

  /**
   * Where a config's effective value comes from, following Kafka's synonyms and layers: the
   * first layer entry of any synonym, else the first synonym with a default, else nothing.
   */
  private resolve(name: string): ResolvedConfig | undefined {
    requireDef(name);
    const names = brokerSynonyms[name] ?? [name];
    for (const [layer, source] of this.layers()) {
      for (const synonym of names) {
        const entry = layer.get(synonym);
        if (entry !== undefined) return { synonym, source, entry };
      }
    }
    for (const synonym of names) {
      const def = requireDef(synonym);
      if (def.defaultText !== null) return { synonym, source: ConfigSource.DEFAULT_CONFIG, entry: { text: def.defaultText, value: parsedDefault(def) } };
    }
    return undefined;
  }

  /** The effective value of a broker config, with its text, source and synonym (DescribeConfigs). */
  effective(name: string): EffectiveConfig {
    const resolved = this.resolve(name);
    if (resolved === undefined) return { value: null, text: null, source: ConfigSource.DEFAULT_CONFIG, from: name };
    const value = convertSynonym(name, resolved.synonym, resolved.entry.value);
    return { value, text: synonymText(resolved.synonym, value, resolved.entry), source: resolved.source, from: resolved.synonym };
  }

  /**
   * The effective value alone: effective(name).value without building DescribeConfigs' text,
   * for readers on per-request paths (Produce reads six topic configs per partition).
   */
  value(name: string): ConfigValue {
    const resolved = this.resolve(name);
    return resolved === undefined ? null : convertSynonym(name, resolved.synonym, resolved.entry.value);
  }

  /** A numeric config (int, short, long, double); throws when it is null. */
  number(name: string): number {
    const value = this.value(name);
    if (typeof value !== 'number') throw new Error(`rill: config ${name} is not a number (${String(value)})`);
    return value;
  }

  boolean(name: string): boolean {
    const value = this.value(name);
    if (typeof value !== 'boolean') throw new Error(`rill: config ${name} is not a boolean (${String(value)})`);
    return value;
  }

  string(name: string): string {
    const value = this.optionalString(name);
    if (value === null) throw new Error(`rill: config ${name} has no value`);
    return value;
  }

  optionalString(name: string): string | null {
    const value = this.value(name);
    if (value !== null && typeof value !== 'string') throw new Error(`rill: config ${name} is not a string`);
    return value;
  }

  list(name: string): string[] {
    const value = this.value(name);
    if (!Array.isArray(value)) throw new Error(`rill: config ${name} is not a list (${String(value)})`);
    return value;
  }

  get nodeId(): number {
    return this.number('node.id');
  }

  /** log.dirs, or log.dir when log.dirs is unset. */
  get logDirs(): string[] {
    return this.list('log.dirs');
  }

  /** Validates a dynamic change without applying it; throws ConfigError. */
  validateDynamic(name: string, text: string | null): void {
    const def = brokerConfigDefs.get(name);
    if (def === undefined) throw new ConfigError(name, text, 'unknown broker configuration');
    if (def.dynamic === 'read-only') throw new ConfigError(name, text, 'cannot be updated dynamically');
    if (text !== null) parseConfigValue(def, text);
  }

  /** Applies a dynamic change (null deletes it). `perBroker` false = cluster-wide default. */
  setDynamic(name: string, text: string | null, perBroker: boolean): void {
    this.validateDynamic(name, text);
    const layer = perBroker ? this.dynamicBrokerLayer : this.dynamicDefaultLayer;
    if (text === null) layer.delete(name);
    else layer.set(name, { text, value: parseConfigValue(requireDef(name), text) });
    for (const listener of this.dynamicListeners) listener();
  }

  private readonly dynamicListeners: (() => void)[] = [];

  /** Called after every dynamic change (to persist them). */
  onDynamicChange(listener: () => void): void {
    this.dynamicListeners.push(listener);
  }

  /** The dynamic values as name -> text: per-broker or cluster-wide defaults. */
  dynamicTexts(perBroker: boolean): Record<string, string> {
    const layer = perBroker ? this.dynamicBrokerLayer : this.dynamicDefaultLayer;
    return Object.fromEntries([...layer].map(([name, entry]) => [name, entry.text]));
  }

  /** Every broker config with value, source, read-only flag and synonyms (DescribeConfigs). */
  describe(includeSynonyms: boolean): DescribedConfig[] {
    return [...brokerConfigDefs.values()].map((def) => this.describeOne(def, includeSynonyms));
  }

  describeOne(def: ConfigDef, includeSynonyms: boolean): DescribedConfig {
    const effective = this.effective(def.name);
    const sensitive = def.sensitive === true;
    return {
      name: def.name,
      value: sensitive ? null : effective.text,
      readOnly: def.dynamic === 'read-only',
      isDefault: effective.source === ConfigSource.DEFAULT_CONFIG,
      source: effective.source,
      isSensitive: sensitive,
      synonyms: includeSynonyms ? this.synonymsOf(def.name) : [],
      configType: configTypeIds[def.type],
      documentation: def.doc,
    };
  }

  /** Every layer's value for the config and its synonyms, highest priority first. */
  synonymsOf(name: string): ConfigSynonym[] {
    const names = brokerSynonyms[name] ?? [name];
    const synonyms: ConfigSynonym[] = [];
    for (const [layer, source] of this.layers()) {
      for (const synonym of names) {
        const entry = layer.get(synonym);
        if (entry !== undefined) synonyms.push({ name: synonym, value: textOf(requireDef(synonym), entry), source });
      }
    }
    for (const synonym of names) {
      const def = requireDef(synonym);
      if (def.defaultText !== null) synonyms.push({ name: synonym, value: def.defaultText, source: ConfigSource.DEFAULT_CONFIG });
    }
    return synonyms;
  }
}

/** Text of a synonym's value: its own canonical text unless a unit conversion applied. */
function synonymText(synonym: string, converted: ConfigValue, entry: LayerEntry): string | null {
  if (synonymScale[synonym] === undefined) return textOf(requireDef(synonym), entry);
  return valueToText(converted);
}

function valueToText(value: ConfigValue): string | null {
  if (value === null) return null;
  return Array.isArray(value) ? value.join(',') : String(value);
}

function requireDef(name: string): ConfigDef {
  const def = brokerConfigDefs.get(name);
  if (def === undefined) throw new Error(`rill: unknown broker config ${name} asked for internally`);
  return def;
}
