#!/usr/bin/env node
// The `rill` command. `rill start` runs a broker until SIGTERM/SIGINT.
import { startBroker, type RunningBroker } from '../broker.js';
import { ConfigError } from '../config/errors.js';
import { parseStartArgs, startUsage, UsageError } from './start-options.js';
// topics, groups, bench, produce and consume are imported when run: `rill start` does not load them.

const EXIT_CONFIG_ERROR = 2;
const SHUTDOWN_DEADLINE_MS = 5_000;

const usageHead = `usage: rill <command>\n\ncommands:\n  start    run a broker\n  produce  stdin lines -> records\n  consume  records -> stdout lines\n  bench    produce|consume|e2e|micro benchmarks against any bootstrap server\n  topics   create, list, describe, alter, delete topics on any Kafka-compatible broker\n  groups   list, describe (offsets, lag), delete groups, reset offsets`;

async function usage(): Promise<string> {
  const [{ topicsUsage }, { groupsUsage }] = await Promise.all([import('./topics.js'), import('./groups.js')]);
  return `${usageHead}\n\n${startUsage}\n${topicsUsage}\n${groupsUsage}`;
}

function fail(message: string, exitCode: number): never {
  process.stderr.write(message + '\n');
  process.exit(exitCode);
}

function installSignalHandlers(broker: RunningBroker): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`rill: ${signal} received, stopping\n`);
    setTimeout(() => fail('rill: shutdown took too long, exiting', 1), SHUTDOWN_DEADLINE_MS).unref();
    broker.stop().then(
      () => process.exit(0),
      (err: unknown) => fail(`rill: error while stopping: ${String(err)}`, 1),
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** Loads the hot path and says which implementation runs; a load failure is reported loudly. */
async function announceHotPath(): Promise<void> {
  try {
    const { announceAccel } = await import('../accel/index.js');
    announceAccel();
  } catch (err) {
    process.stderr.write(`rill: WARNING: the hot path failed to load: ${(err as Error).message}\n`);
  }
}

async function start(args: string[]): Promise<void> {
  let config: Record<string, string>;
  try {
    config = parseStartArgs(args).config;
  } catch (err) {
    if (err instanceof ConfigError) fail(`rill: ${err.message}`, EXIT_CONFIG_ERROR);
    fail(`rill: ${(err as Error).message}\n${startUsage}`, EXIT_CONFIG_ERROR);
  }
  await announceHotPath();
  let broker: RunningBroker;
  try {
    broker = await startBroker({ config });
  } catch (err) {
    if (err instanceof ConfigError) fail(`rill: ${err.message}`, EXIT_CONFIG_ERROR);
    fail(`rill: cannot start: ${(err as Error).message}`, 1);
  }
  installSignalHandlers(broker);
  process.stdout.write(`rill: ready, bootstrap ${broker.bootstrap} (node ${broker.config.nodeId}, data ${broker.dataDirs.join(',')})\n`);
}

/** topics, groups: Kafka errors and connection failures exit 1, usage errors 2. */
async function adminCommand(args: string[], run: (args: string[]) => Promise<string[]>): Promise<void> {
  const [{ KafkaCommandError }, { AdminConnectionError }] = await Promise.all([import('./topics.js'), import('./admin-connection.js')]);
  try {
    for (const line of await run(args)) process.stdout.write(line + '\n');
  } catch (err) {
    if (err instanceof KafkaCommandError || err instanceof AdminConnectionError) fail(`rill: ${err.message}`, 1);
    if (err instanceof UsageError || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) fail(`rill: ${(err as Error).message}`, EXIT_CONFIG_ERROR);
    throw err;
  }
}

/** bench, produce, consume: usage errors exit 2, anything else 1. */
async function clientCommand(args: string[], run: (args: string[]) => Promise<void>): Promise<void> {
  try {
    await run(args);
  } catch (err) {
    if (err instanceof UsageError || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) fail(`rill: ${(err as Error).message}`, EXIT_CONFIG_ERROR);
    throw err;
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'start') return start(rest);
  if (command === 'topics') return adminCommand(rest, async (args) => (await import('./topics.js')).runTopics(args));
  if (command === 'groups') return adminCommand(rest, async (args) => (await import('./groups.js')).runGroups(args));
  if (command === 'bench') return clientCommand(rest, async (args) => (await import('./bench.js')).runBenchCommand(args));
  if (command === 'produce') return clientCommand(rest, async (args) => (await import('./produce.js')).runProduceCommand(args));
  if (command === 'consume') return clientCommand(rest, async (args) => (await import('./consume.js')).runConsumeCommand(args));
  if (command === undefined || command === 'help' || command === '--help') {
    process.stdout.write((await usage()) + '\n');
    return;
  }
  fail(`rill: unknown command ${command}\n${await usage()}`, EXIT_CONFIG_ERROR);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) fail(`rill: ${err.message}`, EXIT_CONFIG_ERROR);
  fail(`rill: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, 1);
});
