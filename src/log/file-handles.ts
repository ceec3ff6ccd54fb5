// A bounded cache of open segment file descriptors, so 10,000 partitions with several segments
// each never hold more than `handlesMax` fds. A FileRef names a file (its path may change on
// rename: an open fd survives the rename). Handles in use (acquired, not yet released) are
// never closed; the least recently used idle one is closed when the bound is reached.
import { constants } from 'node:fs';
import type { FileIo } from '../accel/types.js';
import { assertStorage, StorageError } from './errors.js';

export class FileRef {
  path: string;
  fd = -1;
  inUse = 0;
  /** Set when the owner forgets the file: close as soon as it is idle. */
  retired = false;
  constructor(path: string) {
    this.path = path;
  }
}

export class FileHandleCache {
  private readonly io: FileIo;
  readonly handlesMax: number;
  /** Open refs in least-recently-used-first order. */
  private readonly open = new Map<FileRef, true>();

  constructor(io: FileIo, handlesMax: number) {
    assertStorage(Number.isSafeInteger(handlesMax) && handlesMax >= 1, `handlesMax ${handlesMax}`);
    this.io = io;
    this.handlesMax = handlesMax;
  }

  get openCount(): number {
    return this.open.size;
  }

  /** Returns an open fd for ref and marks it in use until release(ref). */
  acquire(ref: FileRef, create = false): number {
    if (ref.fd >= 0) {
      this.open.delete(ref);
      this.open.set(ref, true);
    } else {
      this.makeRoom();
      ref.fd = this.io.open(ref.path, constants.O_RDWR | (create ? constants.O_CREAT | constants.O_TRUNC : 0), 0o644);
      this.open.set(ref, true);
    }
    ref.inUse += 1;
    return ref.fd;
  }

  release(ref: FileRef): void {
    assertStorage(ref.inUse > 0, `${ref.path}: release without acquire`);
    ref.inUse -= 1;
    if (ref.inUse === 0 && ref.retired) this.closeNow(ref);
  }

  /** Runs fn with the fd (sync); with `create` the file is created (or emptied) first. */
  with<T>(ref: FileRef, fn: (fd: number) => T, create = false): T {
    if (create) this.retireFd(ref);
    const fd = this.acquire(ref, create);
    try {
      return fn(fd);
    } finally {
      this.release(ref);
    }
  }

  /** Runs fn with the fd, released when the promise settles. */
  async withAsync<T>(ref: FileRef, fn: (fd: number) => Promise<T>): Promise<T> {
    const fd = this.acquire(ref);
    try {
      return await fn(fd);
    } finally {
      this.release(ref);
    }
  }

  /**
   * Forgets ref: its fd closes now, or when the last user releases it. A later acquire (a read
   * that looked the segment up before it was deleted) reopens it by its current path.
   */
  retire(ref: FileRef): void {
    ref.retired = true;
    if (ref.inUse === 0) this.closeNow(ref);
  }

  private retireFd(ref: FileRef): void {
    if (ref.fd >= 0 && ref.inUse === 0) this.closeNow(ref);
  }

  private closeNow(ref: FileRef): void {
    if (ref.fd < 0) return;
    const fd = ref.fd;
    ref.fd = -1;
    this.open.delete(ref);
    this.io.close(fd);
  }

  private makeRoom(): void {
    if (this.open.size < this.handlesMax) return;
    for (const ref of this.open.keys()) {
      if (ref.inUse === 0) {
        this.closeNow(ref);
        return;
      }
    }
    throw new StorageError('KAFKA_STORAGE_ERROR', `all ${this.handlesMax} segment file handles are in use`);
  }
}
