// FileIo parity: what one implementation writes (sync and async, single and vectored), every
// implementation reads back identically; sizes, truncation and errors agree.
import { constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Accel } from '../../../src/accel/index.js';
import { loadedAccels, SeededRandom } from './implementations.js';

const accels = loadedAccels();
const workDir = mkdtempSync(join(tmpdir(), 'rill-accel-io-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));
const WRITE_FLAGS = constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC;

interface Layout {
  head: Buffer;
  vector: Buffer[];
  tail: Buffer;
  expected: Buffer;
}

function layout(seed: number): Layout {
  const random = new SeededRandom(seed);
  const head = random.bytes(4096 + 13);
  const vector = [random.bytes(1), random.bytes(0), random.bytes(70_000), random.bytes(333)];
  const tail = random.bytes(100_000);
  const vectorBytes = vector.reduce((sum, buf) => sum + buf.length, 0);
  const expected = Buffer.concat([head, ...vector, Buffer.alloc(500), tail]);
  expect(expected.length).toBe(head.length + vectorBytes + 500 + tail.length);
  return { head, vector, tail, expected };
}

function writeSync(writer: Accel, path: string, plan: Layout): void {
  const io = writer.file;
  const fd = io.open(path, WRITE_FLAGS, 0o644);
  try {
    io.fallocate(fd, 0, plan.expected.length);
    expect(io.pwrite(fd, plan.head, 0)).toBe(plan.head.length);
    const vectorBytes = plan.vector.reduce((sum, buf) => sum + buf.length, 0);
    expect(io.pwritev(fd, plan.vector, plan.head.length)).toBe(vectorBytes);
    expect(io.pwrite(fd, plan.tail, plan.expected.length - plan.tail.length)).toBe(plan.tail.length);
    io.fdatasync(fd);
    expect(io.fileSize(fd)).toBe(plan.expected.length);
  } finally {
    io.close(fd);
  }
}

async function writeAsync(writer: Accel, path: string, plan: Layout): Promise<void> {
  const io = writer.file;
  const fd = io.open(path, WRITE_FLAGS, 0o644);
  try {
    expect(await io.pwriteAsync(fd, plan.head, 0)).toBe(plan.head.length);
    const vectorBytes = plan.vector.reduce((sum, buf) => sum + buf.length, 0);
    expect(await io.pwritevAsync(fd, plan.vector, plan.head.length)).toBe(vectorBytes);
    expect(await io.pwriteAsync(fd, plan.tail, plan.expected.length - plan.tail.length)).toBe(plan.tail.length);
    await io.fdatasyncAsync(fd);
    expect(io.fileSize(fd)).toBe(plan.expected.length);
  } finally {
    io.close(fd);
  }
}

function readAllSync(reader: Accel, path: string, sizeBytes: number): Buffer {
  const io = reader.file;
  const fd = io.open(path, constants.O_RDONLY);
  try {
    expect(io.fileSize(fd)).toBe(sizeBytes);
    const out = Buffer.alloc(sizeBytes + 10);
    let position = 0;
    for (;;) {
      const bytes = io.pread(fd, out, 5 + position, Math.min(65_536, sizeBytes + 5 - position), position);
      if (bytes === 0) break;
      position += bytes;
    }
    expect(position).toBe(sizeBytes);
    return out.subarray(5, 5 + sizeBytes);
  } finally {
    io.close(fd);
  }
}

async function readAllAsync(reader: Accel, path: string, sizeBytes: number): Promise<Buffer> {
  const io = reader.file;
  const fd = io.open(path, constants.O_RDONLY);
  try {
    const out = Buffer.alloc(sizeBytes);
    let position = 0;
    while (position < sizeBytes) {
      const bytes = await io.preadAsync(fd, out, position, Math.min(100_000, sizeBytes - position), position);
      expect(bytes).toBeGreaterThan(0);
      position += bytes;
    }
    expect(await io.preadAsync(fd, Buffer.alloc(4), 0, 4, sizeBytes)).toBe(0);
    return out;
  } finally {
    io.close(fd);
  }
}

describe.each(accels.map((accel) => [accel.implementation, accel] as const))('file io: written by %s', (name, writer) => {
  it('reads back identically through every implementation (sync write)', async () => {
    const plan = layout(1);
    const path = join(workDir, `sync-${name}.log`);
    writeSync(writer, path, plan);
    expect(readFileSync(path).equals(plan.expected)).toBe(true);
    for (const reader of accels) {
      expect(readAllSync(reader, path, plan.expected.length).equals(plan.expected), reader.implementation).toBe(true);
      expect((await readAllAsync(reader, path, plan.expected.length)).equals(plan.expected), reader.implementation).toBe(true);
    }
  });

  it('reads back identically through every implementation (async write)', async () => {
    const plan = layout(2);
    const path = join(workDir, `async-${name}.log`);
    await writeAsync(writer, path, plan);
    expect(readFileSync(path).equals(plan.expected)).toBe(true);
    for (const reader of accels) {
      expect(readAllSync(reader, path, plan.expected.length).equals(plan.expected), reader.implementation).toBe(true);
    }
  });

  it('truncates and extends with zeros', () => {
    const io = writer.file;
    const path = join(workDir, `truncate-${name}.log`);
    const fd = io.open(path, WRITE_FLAGS, 0o600);
    try {
      io.pwrite(fd, Buffer.alloc(1000, 7), 0);
      io.ftruncate(fd, 10);
      expect(io.fileSize(fd)).toBe(10);
      io.ftruncate(fd, 20);
      expect(readFileSync(path)).toEqual(Buffer.concat([Buffer.alloc(10, 7), Buffer.alloc(10)]));
    } finally {
      io.close(fd);
    }
  });

  it('raises node-style errors with a code', async () => {
    const io = writer.file;
    expect(() => io.open(join(workDir, 'missing', 'nope.log'), constants.O_RDONLY)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    const fd = io.open(join(workDir, `closed-${name}.log`), WRITE_FLAGS);
    io.close(fd);
    expect(() => io.pread(fd, Buffer.alloc(4), 0, 4, 0)).toThrow(expect.objectContaining({ code: 'EBADF' }));
    await expect(io.preadAsync(fd, Buffer.alloc(4), 0, 4, 0)).rejects.toMatchObject({ code: 'EBADF' });
  });
});
