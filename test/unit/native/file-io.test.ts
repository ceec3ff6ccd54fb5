// Native segment file I/O on real files in a temp dir: pwritev then pread back (including more
// buffers than one pwritev call takes), positional writes, fdatasync, fallocate, fileSize,
// ftruncate, node-style errors on bad descriptors and paths, and the async forms.
import { constants, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { addon, nativeMissing, randomBytes } from './native-addon.js';

const CREATE_RW = constants.O_CREAT | constants.O_RDWR;
/** Never a real descriptor (a closed one could be reused by another thread before the call). */
const BAD_FD = 2_000_000_000;

describe.skipIf(nativeMissing)('native file I/O', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rill-native-io-'));
  const open: number[] = [];
  let fileCount = 0;
  afterEach(() => {
    for (const fd of open.splice(0)) addon().close(fd);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function newFile(): { fd: number; path: string } {
    const path = join(dir, `segment-${fileCount++}.log`);
    const fd = addon().open(path, CREATE_RW, 0o644);
    open.push(fd);
    return { fd, path };
  }

  function expectSysError(fn: () => unknown, code: string, syscall: string): void {
    let caught: unknown;
    try {
      fn();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(Error);
    expect(caught).toMatchObject({ code, syscall });
    expect((caught as { errno: number }).errno).toBeLessThan(0);
    expect((caught as Error).message).toContain(code);
  }

  it('pwritev writes the buffers in order at the position; pread reads them back into the caller Buffer', () => {
    const { fd, path } = newFile();
    const parts = [Buffer.from('header|'), Buffer.alloc(0), randomBytes(100_000, 1), Buffer.from('|trailer')];
    const whole = Buffer.concat(parts);
    expect(addon().pwritev(fd, parts, 10)).toBe(whole.length);
    expect(addon().fileSize(fd)).toBe(10 + whole.length);
    const target = Buffer.alloc(whole.length + 20, 0xee);
    expect(addon().pread(fd, target, 5, whole.length, 10)).toBe(whole.length);
    expect(target.subarray(5, 5 + whole.length).equals(whole)).toBe(true);
    expect(target[4]).toBe(0xee);
    expect(target[5 + whole.length]).toBe(0xee);
    expect(readFileSync(path).subarray(0, 10).equals(Buffer.alloc(10))).toBe(true);
  });

  it('pwritev takes more buffers than one system call does (IOV_MAX)', () => {
    const { fd, path } = newFile();
    const count = addon().ioVectorsMax * 2 + 17;
    const parts = Array.from({ length: count }, (_, i) => Buffer.from(`record-${i};`));
    const whole = Buffer.concat(parts);
    expect(addon().pwritev(fd, parts, 0)).toBe(whole.length);
    expect(readFileSync(path).equals(whole)).toBe(true);
  });

  it('pwrite writes at a position; pread returns short counts at end of file and 0 past it', () => {
    const { fd } = newFile();
    expect(addon().pwrite(fd, Buffer.from('abcdef'), 0)).toBe(6);
    expect(addon().pwrite(fd, Buffer.from('XY'), 2)).toBe(2);
    const target = Buffer.alloc(10);
    expect(addon().pread(fd, target, 0, 10, 0)).toBe(6);
    expect(target.subarray(0, 6).toString()).toBe('abXYef');
    expect(addon().pread(fd, target, 0, 10, 6)).toBe(0);
    expect(addon().pread(fd, target, 0, 0, 0)).toBe(0);
  });

  it('pread checks offset and length against the Buffer', () => {
    const { fd } = newFile();
    expect(() => addon().pread(fd, Buffer.alloc(4), 2, 3, 0)).toThrow(RangeError);
    expect(() => addon().pread(fd, Buffer.alloc(4), 5, 0, 0)).toThrow(RangeError);
  });

  it('fallocate reserves blocks without changing the size; ftruncate sets it; fdatasync succeeds', () => {
    const { fd, path } = newFile();
    addon().pwrite(fd, Buffer.from('data'), 0);
    addon().fallocate(fd, 0, 1_048_576);
    expect(addon().fileSize(fd)).toBe(4);
    expect(statSync(path).size).toBe(4);
    addon().fallocate(fd, 0, 0);
    addon().fdatasync(fd);
    addon().ftruncate(fd, 4096);
    expect(addon().fileSize(fd)).toBe(4096);
    addon().ftruncate(fd, 2);
    expect(addon().fileSize(fd)).toBe(2);
    expect(readFileSync(path).toString()).toBe('da');
  });

  it('errors carry node-style code, negative errno, syscall (and path for open)', () => {
    const fd = BAD_FD;
    expectSysError(() => addon().pwrite(fd, Buffer.from('x'), 0), 'EBADF', 'write');
    expectSysError(() => addon().pwritev(fd, [Buffer.from('x')], 0), 'EBADF', 'write');
    expectSysError(() => addon().pread(fd, Buffer.alloc(1), 0, 1, 0), 'EBADF', 'read');
    expectSysError(() => addon().fdatasync(fd), 'EBADF', 'fdatasync');
    expectSysError(() => addon().fallocate(fd, 0, 10), 'EBADF', 'fallocate');
    expectSysError(() => addon().fileSize(fd), 'EBADF', 'fstat');
    expectSysError(() => addon().ftruncate(fd, 0), 'EBADF', 'ftruncate');
    expectSysError(() => addon().close(fd), 'EBADF', 'close');
    const missing = join(dir, 'no', 'such.log');
    expectSysError(() => addon().open(missing, constants.O_RDONLY), 'ENOENT', 'open');
    expect(() => addon().open(missing, constants.O_RDONLY)).toThrow(expect.objectContaining({ path: missing, errno: -2 }));
    expectSysError(() => addon().open(dir, constants.O_RDWR), 'EISDIR', 'open');
    const exclusive = newFile();
    expectSysError(() => addon().open(exclusive.path, CREATE_RW | constants.O_EXCL), 'EEXIST', 'open');
  });

  it('async forms write, read and sync on the thread pool, and reject with codes', async () => {
    const { fd, path } = newFile();
    const parts = [randomBytes(70_000, 8), Buffer.from('tail')];
    const whole = Buffer.concat(parts);
    expect(await addon().pwritevAsync(fd, parts, 0)).toBe(whole.length);
    expect(await addon().pwriteAsync(fd, Buffer.from('more'), whole.length)).toBe(4);
    await expect(addon().fdatasyncAsync(fd)).resolves.toBeUndefined();
    const target = Buffer.alloc(whole.length + 4);
    expect(await addon().preadAsync(fd, target, 0, target.length, 0)).toBe(target.length);
    expect(target.equals(Buffer.concat([whole, Buffer.from('more')]))).toBe(true);
    expect(readFileSync(path).equals(target)).toBe(true);
    const written = await Promise.all(Array.from({ length: 20 }, (_, i) => addon().pwriteAsync(fd, Buffer.from([i]), 200_000 + i)));
    expect(written).toEqual(Array(20).fill(1));
    const back = Buffer.alloc(20);
    expect(addon().pread(fd, back, 0, 20, 200_000)).toBe(20);
    expect([...back]).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const closed = { fd: BAD_FD };
    await expect(addon().pwriteAsync(closed.fd, Buffer.from('x'), 0)).rejects.toMatchObject({ code: 'EBADF', syscall: 'write' });
    await expect(addon().pwritevAsync(closed.fd, [Buffer.from('x')], 0)).rejects.toMatchObject({ code: 'EBADF' });
    await expect(addon().preadAsync(closed.fd, Buffer.alloc(1), 0, 1, 0)).rejects.toMatchObject({ code: 'EBADF', syscall: 'read' });
    await expect(addon().fdatasyncAsync(closed.fd)).rejects.toMatchObject({ code: 'EBADF', syscall: 'fdatasync' });
  });

  it('keeps Buffers alive while async work uses them', async () => {
    const { fd } = newFile();
    const pending: Promise<number>[] = [];
    for (let i = 0; i < 50; i++) pending.push(addon().pwritevAsync(fd, [Buffer.alloc(4096, i & 0xff)], i * 4096));
    (globalThis as { gc?: () => void }).gc?.();
    expect((await Promise.all(pending)).every((count) => count === 4096)).toBe(true);
    const back = Buffer.alloc(4096);
    for (const i of [0, 17, 49]) {
      addon().pread(fd, back, 0, 4096, i * 4096);
      expect(back.every((byte) => byte === (i & 0xff))).toBe(true);
    }
  });
});
