// `rill start` arguments -> broker config: server.properties (--config), then --set key=value
// (repeatable), then the shortcuts --host, --port, --data-dir. Defaults: 127.0.0.1:9092, ./data.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/errors.js';
import { parseProperties } from '../config/properties.js';

export interface StartOptions {
  config: Record<string, string>;
}

export class UsageError extends Error {}

export const startUsage = `usage: rill start [--config server.properties] [--set key=value]... [--host HOST] [--port PORT] [--data-dir DIR]`;

function parseSet(entry: string): [string, string] {
  const separator = entry.indexOf('=');
  if (separator <= 0) throw new UsageError(`--set expects key=value, got ${JSON.stringify(entry)}`);
  return [entry.slice(0, separator).trim(), entry.slice(separator + 1)];
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new ConfigError('port', text, 'expected a port number 0..65535');
  return port;
}

function readConfigFile(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  return parseProperties(text);
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Builds the config from the arguments after `start`. */
export function parseStartArgs(args: string[]): StartOptions {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      set: { type: 'string', multiple: true },
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const config: Record<string, string> = {};
  if (values.config !== undefined) for (const [key, value] of readConfigFile(values.config)) config[key] = value;
  for (const entry of values.set ?? []) {
    const [key, value] = parseSet(entry);
    config[key] = value;
  }
  applyShortcuts(config, values);
  return { config };
}

function applyShortcuts(config: Record<string, string>, values: { host?: string; port?: string; 'data-dir'?: string }): void {
  const listenersGiven = config.listeners !== undefined;
  if (!listenersGiven || values.host !== undefined || values.port !== undefined) {
    const port = values.port === undefined ? 9092 : parsePort(values.port);
    config.listeners = `PLAINTEXT://${formatHost(values.host ?? '127.0.0.1')}:${port}`;
  }
  if (values['data-dir'] !== undefined) {
    config['log.dirs'] = values['data-dir'];
  } else if (config['log.dirs'] === undefined && config['log.dir'] === undefined) {
    config['log.dirs'] = './data';
  }
}
