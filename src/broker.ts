// startBroker(): one Rill broker in this process. Several may run side by side; each has its
// own config, data directory, listeners and state.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerConfig, type ConfigInput } from './config/broker-config.js';
import { limits } from './config/limits.js';
import { GroupCoordinator } from './coordinator/group/coordinator.js';
import { TransactionCoordinator } from './coordinator/txn/coordinator.js';
import { parseProperties } from './config/properties.js';
import { FileMetadataStore } from './cluster/metadata-store.js';
import { persistDynamicConfigs } from './config/dynamic-configs.js';
import { createDispatcher, createHandlerRegistry, createHeaderDecoder, TopicStore, type BrokerState } from './handlers/index.js';
import { logScheduleOf, PartitionLogs } from './handlers/partition-logs.js';
import { defaultStorageContext } from './log/io.js';
import { NetworkServer } from './server/server.js';
import type { LogFn } from './server/types.js';

export interface StartBrokerOptions {
  /** Port of the PLAINTEXT listener; 0 (the default) binds an ephemeral port. */
  port?: number;
  /** Host to bind; default 127.0.0.1. */
  host?: string;
  /** Data directory; without it (and without log.dirs/log.dir in config) a temp dir removed by stop(). */
  dataDir?: string;
  /** Kafka broker configs by Kafka's names. */
  config?: Record<string, string | number | boolean>;
  /** Where log lines go; default stderr. */
  log?: LogFn;
}

export interface RunningBroker {
  /** host:port of the first advertised listener, for clients' bootstrap.servers. */
  bootstrap: string;
  /** The port the first advertised listener's socket is bound to (may differ from the advertised one). */
  port: number;
  host: string;
  dataDirs: string[];
  config: BrokerConfig;
  /** Stops accepting, answers in-flight requests, closes logs; removes a temporary data dir. */
  stop(): Promise<void>;
}

/** Kafka's cluster ids: a random UUID in URL-safe base64 without padding (22 characters). */
function newClusterId(): string {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
}

/** Reads or writes meta.properties (cluster.id, node.id) in the first data dir. */
function loadClusterId(dataDir: string, config: BrokerConfig): string {
  const configured = config.optionalString('cluster.id');
  const path = join(dataDir, 'meta.properties');
  if (existsSync(path)) {
    const stored = parseProperties(readFileSync(path, 'utf8')).get('cluster.id');
    if (stored !== undefined && stored !== '') return stored;
  }
  const clusterId = configured ?? newClusterId();
  writeFileSync(path, `#Written by Rill\nversion=1\ncluster.id=${clusterId}\nnode.id=${config.nodeId}\n`);
  return clusterId;
}

function brokerInput(options: StartBrokerOptions, dataDir: string | undefined): Record<string, string | number | boolean> {
  const input: Record<string, string | number | boolean> = { ...(options.config ?? {}) };
  const hasListeners = input.listeners !== undefined;
  if (!hasListeners || options.port !== undefined || options.host !== undefined) {
    input.listeners = `PLAINTEXT://${formatHost(options.host ?? '127.0.0.1')}:${options.port ?? 0}`;
  }
  if (dataDir !== undefined) input['log.dirs'] = dataDir;
  return input;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function hasDataDirConfig(config: StartBrokerOptions['config']): boolean {
  return config !== undefined && (config['log.dirs'] !== undefined || config['log.dir'] !== undefined);
}

/** Starts a broker; rejects with ConfigError on an invalid config. */
export async function startBroker(options: StartBrokerOptions = {}): Promise<RunningBroker> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const temporary = options.dataDir === undefined && !hasDataDirConfig(options.config);
  const config = new BrokerConfig(brokerInput(options, temporary ? undefined : options.dataDir) as ConfigInput);
  for (const warning of config.warnings) log(warning);
  const dataDirs = temporary ? [mkdtempSync(join(tmpdir(), 'rill-'))] : config.logDirs;
  try {
    return await startWithDirs(config, dataDirs, temporary, log);
  } catch (err) {
    if (temporary) rmSync(dataDirs[0]!, { recursive: true, force: true });
    throw err;
  }
}

async function startWithDirs(config: BrokerConfig, dataDirs: string[], temporary: boolean, log: LogFn): Promise<RunningBroker> {
  for (const dir of dataDirs) mkdirSync(dir, { recursive: true });
  const clusterId = loadClusterId(dataDirs[0]!, config);
  persistDynamicConfigs(config, dataDirs[0]!, log);
  const registry = createHandlerRegistry();
  const logs = new PartitionLogs(dataDirs, defaultStorageContext(), log, logScheduleOf(config));
  const metadataStore = FileMetadataStore.open(dataDirs[0]!);
  const topics = new TopicStore(config, logs, metadataStore, log);
  await topics.load();
  const groups = new GroupCoordinator({ config, topics, logs, log });
  await groups.load();
  groups.startRetention();
  const txn = new TransactionCoordinator({ config, topics, logs, groups, dataDir: dataDirs[0]!, log });
  await txn.load();
  txn.start();
  let server: NetworkServer | undefined;
  const state: BrokerState = {
    config,
    nodeId: config.nodeId,
    clusterId,
    topics,
    logs,
    groups,
    txn,
    advertisedListeners: () => server!.advertisedListeners(),
    log,
  };
  server = new NetworkServer({ config, decodeHeader: createHeaderDecoder(registry), dispatch: createDispatcher(registry, state), log });
  try {
    await server.start();
  } catch (err) {
    await txn.close();
    groups.close();
    await logs.closeAll();
    throw err;
  }
  const first = server.advertisedListeners()[0]!;
  const stop = once(async () => {
    logs.wakeAllForShutdown();
    await server.stop(limits.shutdownDrainMs);
    await txn.close();
    groups.close();
    await logs.closeAll();
    await metadataStore.close();
    if (temporary) rmSync(dataDirs[0]!, { recursive: true, force: true });
  });
  const boundPort = server.listeners.find((listener) => listener.name === first.name)?.port ?? first.port;
  return { bootstrap: `${formatHost(first.host)}:${first.port}`, port: boundPort, host: first.host, dataDirs, config, stop };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}
