import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseStartArgs } from '../../../src/cli/start-options.js';
import { ConfigError } from '../../../src/config/errors.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function propertiesFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rill-cli-'));
  dirs.push(dir);
  const path = join(dir, 'server.properties');
  writeFileSync(path, text);
  return path;
}

describe('parseStartArgs', () => {
  it('defaults to 127.0.0.1:9092 and ./data', () => {
    expect(parseStartArgs([]).config).toEqual({ listeners: 'PLAINTEXT://127.0.0.1:9092', 'log.dirs': './data' });
  });

  it('layers the properties file, then --set, then the shortcuts', () => {
    const path = propertiesFile('num.partitions=3\nlog.dirs=/from/file\nlisteners=PLAINTEXT://0.0.0.0:19092\n');
    expect(parseStartArgs(['--config', path]).config).toMatchObject({ 'num.partitions': '3', 'log.dirs': '/from/file', listeners: 'PLAINTEXT://0.0.0.0:19092' });
    const config = parseStartArgs(['--config', path, '--set', 'num.partitions=5', '--set', 'a.b=x=y', '--port', '0', '--data-dir', '/d']).config;
    expect(config).toMatchObject({ 'num.partitions': '5', 'a.b': 'x=y', 'log.dirs': '/d', listeners: 'PLAINTEXT://127.0.0.1:0' });
    expect(parseStartArgs(['--host', '::1']).config.listeners).toBe('PLAINTEXT://[::1]:9092');
  });

  it('rejects a bad port as a config error and malformed --set or unknown flags', () => {
    expect(() => parseStartArgs(['--port', 'ninety'])).toThrow(ConfigError);
    expect(() => parseStartArgs(['--set', 'novalue'])).toThrow(/key=value/);
    expect(() => parseStartArgs(['--what'])).toThrow();
    expect(() => parseStartArgs(['--config', '/no/such/file'])).toThrow(/cannot read/);
  });
});
