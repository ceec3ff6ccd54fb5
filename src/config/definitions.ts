// Config definitions: Kafka's type system (boolean, string, int, short, long, double, list,
// password, class), defaults, validators and documentation, and the parser that turns a raw
// string into a typed value or a ConfigError naming the key and value.
import { ConfigError } from './errors.js';

export type ConfigType = 'boolean' | 'string' | 'int' | 'short' | 'long' | 'double' | 'list' | 'password' | 'class';

/** A parsed value. `long` values beyond ±2^53 are clamped (Long.MAX_VALUE means "no limit"). */
export type ConfigValue = boolean | number | string | string[] | null;

/** How a broker config can change at runtime (Kafka's dynamic update modes). */
export type DynamicUpdateMode = 'read-only' | 'per-broker' | 'cluster-wide';

/** Returns a reason when the value is not allowed, or undefined when it is. */
export type ConfigValidator = (value: ConfigValue) => string | undefined;

export interface ConfigDef {
  name: string;
  type: ConfigType;
  /** Canonical string form of the default; null when Kafka's default is null. */
  defaultText: string | null;
  doc: string;
  validate?: ConfigValidator;
  /** Broker configs: how it may change at runtime. Topic configs are always dynamic. */
  dynamic: DynamicUpdateMode;
  /** Passwords are never echoed by DescribeConfigs. */
  sensitive?: boolean;
  /** Human-readable valid values (for docs and error messages). */
  validValues?: string;
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const SHORT_MIN = -32768;
const SHORT_MAX = 32767;
export const LONG_MAX_TEXT = '9223372036854775807';
export const INT_MAX_TEXT = String(INT_MAX);

function parseBoolean(text: string): boolean | undefined {
  const lower = text.trim().toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return undefined;
}

function parseInteger(text: string, min: bigint, max: bigint): number | undefined {
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) return undefined;
  const big = BigInt(trimmed);
  if (big < min || big > max) return undefined;
  const safe = BigInt(Number.MAX_SAFE_INTEGER);
  if (big > safe) return Number.MAX_SAFE_INTEGER;
  if (big < -safe) return -Number.MAX_SAFE_INTEGER;
  return Number(big);
}

function parseDouble(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

function parseList(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  return trimmed.split(/\s*,\s*/);
}

const typeRanges: Partial<Record<ConfigType, [bigint, bigint]>> = {
  short: [BigInt(SHORT_MIN), BigInt(SHORT_MAX)],
  int: [BigInt(INT_MIN), BigInt(INT_MAX)],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
};

function parseByType(type: ConfigType, text: string): ConfigValue | undefined {
  const range = typeRanges[type];
  if (range !== undefined) return parseInteger(text, range[0], range[1]);
  if (type === 'boolean') return parseBoolean(text);
  if (type === 'double') return parseDouble(text);
  if (type === 'list') return parseList(text);
  return type === 'string' || type === 'password' ? text : text.trim();
}

/** Parses `text` (null = Kafka's null) for `def`; throws ConfigError naming key and value. */
export function parseConfigValue(def: ConfigDef, text: string | null): ConfigValue {
  if (text === null) {
    if (def.defaultText !== null) throw new ConfigError(def.name, null, 'a value is required');
    return null;
  }
  const value = parseByType(def.type, text);
  if (value === undefined) throw new ConfigError(def.name, shownValue(def, text), `expected a value of type ${def.type}`);
  const reason = def.validate?.(value);
  if (reason !== undefined) throw new ConfigError(def.name, shownValue(def, text), reason);
  return value;
}

function shownValue(def: ConfigDef, text: string): string {
  return def.sensitive === true ? '[hidden]' : text;
}

/** The canonical string form of a value, as DescribeConfigs reports it. */
export function configValueText(def: ConfigDef, value: ConfigValue, rawText: string): string {
  if (def.type === 'list' && Array.isArray(value)) return value.join(',');
  if ((def.type === 'long' || def.type === 'int' || def.type === 'short') && /^[+-]?\d+$/.test(rawText.trim())) {
    return BigInt(rawText.trim()).toString();
  }
  if (def.type === 'boolean') return String(value);
  return rawText;
}

// ---- validators ----------------------------------------------------------------------------

export function atLeast(min: number): ConfigValidator {
  return (value) => (typeof value === 'number' && value < min ? `value must be at least ${min}` : undefined);
}

export function between(min: number, max: number): ConfigValidator {
  return (value) =>
    typeof value === 'number' && (value < min || value > max) ? `value must be between ${min} and ${max}` : undefined;
}

/** A string that is one of `allowed` (case-sensitive, as Kafka's ValidString). */
export function oneOf(allowed: readonly string[]): ConfigValidator {
  return (value) =>
    typeof value === 'string' && !allowed.includes(value) ? `value must be one of ${allowed.join(', ')}` : undefined;
}

/** Every list element is one of `allowed`; `allowEmpty` false rejects an empty list. */
export function listOf(allowed: readonly string[], allowEmpty: boolean): ConfigValidator {
  return (value) => {
    if (!Array.isArray(value)) return undefined;
    if (!allowEmpty && value.length === 0) return 'the list must not be empty';
    const bad = value.find((item) => !allowed.includes(item));
    return bad === undefined ? undefined : `${JSON.stringify(bad)} is not one of ${allowed.join(', ')}`;
  };
}

export function nonEmptyString(): ConfigValidator {
  return (value) => (typeof value === 'string' && value.trim() === '' ? 'value must not be empty' : undefined);
}

/** Accepts `exception` or anything the inner validator accepts (e.g. -1 or [1..9]). */
export function orExactly(exception: number, inner: ConfigValidator): ConfigValidator {
  return (value) => (value === exception ? undefined : inner(value));
}

export function allOf(...validators: ConfigValidator[]): ConfigValidator {
  return (value) => {
    for (const validator of validators) {
      const reason = validator(value);
      if (reason !== undefined) return reason;
    }
    return undefined;
  };
}
