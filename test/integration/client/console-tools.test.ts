// `rill produce` and `rill consume` as processes (needs the build: dist/src/cli/main.js),
// round-tripping keyed lines with kcat (librdkafka) in both directions.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../../src/broker.js';
import { createTopic, startQuietBroker, uniqueTopic } from './helpers.js';

const cliPath = join(import.meta.dirname, '../../../dist/src/cli/main.js');
const hasKcat = spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0;

function run(command: string, args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const rill = (args: string[], stdin?: string) => run(process.execPath, [cliPath, ...args], stdin);

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startQuietBroker();
});

afterAll(async () => {
  await broker.stop();
});

const LINES = Array.from({ length: 50 }, (_, i) => `key${i % 5}:value ${i} with spaces`);

function sortLines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '').sort();
}

describe('rill produce / rill consume', () => {
  it('round-trip keyed lines through the broker', async () => {
    const topic = uniqueTopic('cli-rt');
    await createTopic(broker.bootstrap, topic, 3);
    const produced = await rill(['produce', '--bootstrap', broker.bootstrap, '--topic', topic, '--key-separator', ':'], LINES.join('\n') + '\n');
    expect(produced.code).toBe(0);
    const consumed = await rill(['consume', '--bootstrap', broker.bootstrap, '--topic', topic, '--from-beginning', '--print-key', '--key-separator', ':', '--max-messages', '50']);
    expect(consumed.code).toBe(0);
    expect(sortLines(consumed.stdout)).toEqual([...LINES].sort());
  });

  it('--isolation-level read_committed leaves out aborted transactions; the default prints them', async () => {
    const topic = uniqueTopic('cli-txn');
    await createTopic(broker.bootstrap, topic, 1);
    const kafka = new Kafka({ clientId: 'cli-txn', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ transactionalId: `cli-txn-${process.pid}`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (const [outcome, values] of [['commit', ['kept 1', 'kept 2']], ['abort', ['dropped 1', 'dropped 2']], ['commit', ['kept 3']]] as const) {
      const txn = await producer.transaction();
      await txn.send({ topic, messages: values.map((value) => ({ value })) });
      await (outcome === 'commit' ? txn.commit() : txn.abort());
    }
    await producer.disconnect();
    const consume = (extra: string[]) => rill(['consume', '--bootstrap', broker.bootstrap, '--topic', topic, '--from-beginning', '--timeout-ms', '1500', ...extra]);
    const committed = await consume(['--isolation-level', 'read_committed']);
    expect(committed.code).toBe(0);
    expect(committed.stdout.split('\n').filter((line) => line !== '')).toEqual(['kept 1', 'kept 2', 'kept 3']);
    const everything = await consume([]);
    expect(everything.stdout.split('\n').filter((line) => line !== '')).toEqual(['kept 1', 'kept 2', 'dropped 1', 'dropped 2', 'kept 3']);
    const bad = await consume(['--isolation-level', 'serializable']);
    expect(bad.code).toBe(2);
  });

  it('prints JSON and resumes a group from its committed offsets', async () => {
    const topic = uniqueTopic('cli-group');
    await createTopic(broker.bootstrap, topic, 1);
    await rill(['produce', '--bootstrap', broker.bootstrap, '--topic', topic], 'a\nb\nc\nd\n');
    const group = `g-${topic}`;
    const first = await rill(['consume', '--bootstrap', broker.bootstrap, '--topic', topic, '--group', group, '--from-beginning', '--format', 'json', '--max-messages', '2']);
    expect(first.stdout.trim().split('\n').map((l) => JSON.parse(l) as { value: string; offset: number })).toMatchObject([{ value: 'a', offset: 0 }, { value: 'b', offset: 1 }]);
    const second = await rill(['consume', '--bootstrap', broker.bootstrap, '--topic', topic, '--group', group, '--max-messages', '2']);
    expect(second.stdout).toBe('c\nd\n');
  });

  it.skipIf(!hasKcat)('kcat reads what rill produce wrote, rill consume reads what kcat wrote', async () => {
    const topic = uniqueTopic('cli-kcat');
    await createTopic(broker.bootstrap, topic, 2);
    await rill(['produce', '--bootstrap', broker.bootstrap, '--topic', topic, '--key-separator', ':'], LINES.join('\n') + '\n');
    const kcatRead = await run('kcat', ['-C', '-b', broker.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k:%s\n']);
    expect(kcatRead.code).toBe(0);
    expect(sortLines(kcatRead.stdout)).toEqual([...LINES].sort());
    const topic2 = uniqueTopic('cli-kcat-back');
    await createTopic(broker.bootstrap, topic2, 2);
    const kcatWrite = await run('kcat', ['-P', '-b', broker.bootstrap, '-t', topic2, '-K', ':'], LINES.join('\n') + '\n');
    expect(kcatWrite.code).toBe(0);
    const consumed = await rill(['consume', '--bootstrap', broker.bootstrap, '--topic', topic2, '--from-beginning', '--print-key', '--key-separator', ':', '--max-messages', '50']);
    expect(sortLines(consumed.stdout)).toEqual([...LINES].sort());
  });
});
