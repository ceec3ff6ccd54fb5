// Dynamic broker configs (AlterConfigs / IncrementalAlterConfigs on broker resources) survive a
// restart: `rill-dynamic-configs.json` in the data dir holds the cluster-wide defaults and this
// broker's values, replaced atomically (temp file, fsync, rename) after every change.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurably } from '../util/durable-file.js';
import type { BrokerConfig } from './broker-config.js';
import { ConfigError } from './errors.js';

const FILE_NAME = 'rill-dynamic-configs.json';
/** A larger file is not a dynamic-config document Rill wrote. */
const FILE_BYTES_MAX = 1024 * 1024;

interface DynamicDocument {
  clusterDefaults: Record<string, string>;
  broker: Record<string, string>;
}

function readDocument(path: string): DynamicDocument | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (text.length > FILE_BYTES_MAX) throw new Error(`rill: ${path} is larger than ${FILE_BYTES_MAX} bytes`);
  const parsed = JSON.parse(text) as Partial<DynamicDocument>;
  return { clusterDefaults: parsed.clusterDefaults ?? {}, broker: parsed.broker ?? {} };
}

function applyAll(config: BrokerConfig, values: Record<string, string>, perBroker: boolean, warn: (line: string) => void): void {
  for (const [name, text] of Object.entries(values)) {
    try {
      config.setDynamic(name, String(text), perBroker);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      warn(`rill: ignoring stored dynamic config: ${err.message}`);
    }
  }
}

/** Loads stored dynamic configs into `config`, then saves them after every later change. */
export function persistDynamicConfigs(config: BrokerConfig, dataDir: string, warn: (line: string) => void): void {
  const path = join(dataDir, FILE_NAME);
  const stored = readDocument(path);
  if (stored !== undefined) {
    applyAll(config, stored.clusterDefaults, false, warn);
    applyAll(config, stored.broker, true, warn);
  }
  config.onDynamicChange(() => {
    const document: DynamicDocument = { clusterDefaults: config.dynamicTexts(false), broker: config.dynamicTexts(true) };
    writeFileDurably(path, JSON.stringify(document, null, 1) + '\n');
  });
}
