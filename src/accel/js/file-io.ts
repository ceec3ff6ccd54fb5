// FileIo through node:fs. Writes loop until every byte is written (short writes are retried).
import {
  close,
  closeSync,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  openSync,
  read,
  readSync,
  write,
  writeSync,
  writev,
  writevSync,
} from 'node:fs';
import type { FileIo } from '../types.js';

/** A write that made no progress would loop forever: report it as the I/O error it is. */
function progressed(bytes: number): number {
  if (bytes > 0) return bytes;
  throw Object.assign(new Error('EIO: write made no progress'), { code: 'EIO', syscall: 'write' });
}

function totalBytes(bufs: readonly Buffer[]): number {
  let total = 0;
  for (const buf of bufs) total += buf.length;
  return total;
}

/** The buffers left to write after `written` bytes of bufs went out. */
function remainingBuffers(bufs: readonly Buffer[], written: number): Buffer[] {
  const rest: Buffer[] = [];
  let skip = written;
  for (const buf of bufs) {
    if (skip >= buf.length) {
      skip -= buf.length;
      continue;
    }
    rest.push(skip > 0 ? buf.subarray(skip) : buf);
    skip = 0;
  }
  return rest;
}

function pwrite(fd: number, buf: Buffer, position: number): number {
  let written = 0;
  while (written < buf.length) {
    written += progressed(writeSync(fd, buf, written, buf.length - written, position + written));
  }
  return written;
}

function pwritev(fd: number, bufs: readonly Buffer[], position: number): number {
  const total = totalBytes(bufs);
  let written = writevSync(fd, bufs as Buffer[], position);
  while (written < total) {
    written += progressed(writevSync(fd, remainingBuffers(bufs, written), position + written));
  }
  return written;
}

function writeAsync(fd: number, buf: Buffer, offset: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    write(fd, buf, offset, buf.length - offset, position, (err, bytes) => (err ? reject(err) : resolve(bytes)));
  });
}

async function pwriteAsync(fd: number, buf: Buffer, position: number): Promise<number> {
  let written = 0;
  while (written < buf.length) written += progressed(await writeAsync(fd, buf, written, position + written));
  return written;
}

function writevAsync(fd: number, bufs: Buffer[], position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    writev(fd, bufs, position, (err, bytes) => (err ? reject(err) : resolve(bytes)));
  });
}

async function pwritevAsync(fd: number, bufs: readonly Buffer[], position: number): Promise<number> {
  const total = totalBytes(bufs);
  let written = await writevAsync(fd, bufs as Buffer[], position);
  while (written < total) written += progressed(await writevAsync(fd, remainingBuffers(bufs, written), position + written));
  return written;
}

function preadAsync(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buf, offset, length, position, (err, bytes) => (err ? reject(err) : resolve(bytes)));
  });
}

function fdatasyncAsync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fdatasync(fd, (err) => (err ? reject(err) : resolve()));
  });
}

/** Async close, for completeness of tests; FileIo itself closes synchronously. */
export function closeAsync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => close(fd, (err) => (err ? reject(err) : resolve())));
}

export function createJsFileIo(): FileIo {
  return {
    open: (path, flags, mode = 0o644) => openSync(path, flags, mode),
    close: (fd) => closeSync(fd),
    pwrite,
    pwritev,
    pread: (fd, buf, offset, length, position) => readSync(fd, buf, offset, length, position),
    fdatasync: (fd) => fdatasyncSync(fd),
    fallocate: () => undefined,
    fileSize: (fd) => fstatSync(fd).size,
    ftruncate: (fd, length) => ftruncateSync(fd, length),
    pwriteAsync,
    pwritevAsync,
    preadAsync,
    fdatasyncAsync,
  };
}
