// Configuration errors: an invalid value names the key and the value (exit code 2 at start,
// INVALID_CONFIG on the wire).

export class ConfigError extends Error {
  readonly key: string;
  readonly value: string | null;

  constructor(key: string, value: string | null, reason: string) {
    super(`Invalid value ${value === null ? 'null' : JSON.stringify(value)} for configuration ${key}: ${reason}`);
    this.name = 'ConfigError';
    this.key = key;
    this.value = value;
  }
}
