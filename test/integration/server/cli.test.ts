// `rill start` as a process (needs the TypeScript build: dist/src/cli/main.js).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const cliPath = join(import.meta.dirname, '../../../dist/src/cli/main.js');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rill-cli-'));
  dirs.push(dir);
  return dir;
}

function run(args: string[]) {
  const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /ready.*?bootstrap (\S+)/.exec(stdout);
      if (match !== null) resolve(match[1]!);
    });
    void exited.then(() => reject(new Error(`exited before ready: ${stderr}`)));
  });
  ready.catch(() => {});
  return { child, exited, ready, output: () => ({ stdout, stderr }) };
}

function apiVersionsAnswered(bootstrap: string): Promise<number> {
  const [host, port] = [bootstrap.slice(0, bootstrap.lastIndexOf(':')), Number(bootstrap.slice(bootstrap.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const request = Buffer.from([0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 7, 0xff, 0xff]);
    socket.once('connect', () => socket.write(request));
    socket.once('data', (chunk: Buffer) => {
      socket.destroy();
      resolve(chunk.readInt32BE(4));
    });
    socket.once('error', reject);
  });
}

describe.skipIf(!existsSync(cliPath))('rill start', () => {
  it('prints ready with the bootstrap address, answers, and stops cleanly on SIGTERM', async () => {
    const dataDir = tempDir();
    const broker = run(['start', '--port', '0', '--data-dir', dataDir]);
    const bootstrap = await broker.ready;
    expect(bootstrap).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await apiVersionsAnswered(bootstrap)).toBe(7);
    broker.child.kill('SIGTERM');
    expect(await broker.exited).toBe(0);
    expect(existsSync(join(dataDir, '.kafka_cleanshutdown'))).toBe(true);
    expect(existsSync(join(dataDir, 'meta.properties'))).toBe(true);
  });

  it('exits with code 2 and names key and value on an invalid config', async () => {
    const broker = run(['start', '--port', '0', '--data-dir', tempDir(), '--set', 'num.partitions=many']);
    expect(await broker.exited).toBe(2);
    expect(broker.output().stderr).toMatch(/num\.partitions/);
    expect(broker.output().stderr).toMatch(/many/);
  });
});
