// Batch buffers by size class: a new batch takes a buffer sized from its partition's previous
// batch, a growing batch trades its buffer for one of the next class, and an answered batch gives
// its buffer back. Classes double from smallestBytes up to largestBytes (the batch.size buffer).
// Buffers of 1 MiB live outside the V8 heap: allocating one per batch makes V8 run a full
// mark-compact every few batches ("external memory" pressure); reusing them avoids that.

export interface BatchBufferPoolOptions {
  /** Capacity of the smallest class. */
  smallestBytes: number;
  /** Capacity of the largest class (a full batch plus its header and headroom). */
  largestBytes: number;
  /** Bound on the bytes held idle in the pool. */
  pooledBytesMax: number;
}

export class BatchBufferPool {
  private readonly classBytes: number[] = [];
  private readonly free = new Map<number, Buffer[]>();
  private readonly pooledBytesMax: number;
  private pooledBytes = 0;

  constructor(options: BatchBufferPoolOptions) {
    for (let bytes = options.smallestBytes; bytes * 2 <= options.largestBytes; bytes *= 2) this.classBytes.push(bytes);
    this.classBytes.push(options.largestBytes);
    for (const bytes of this.classBytes) this.free.set(bytes, []);
    this.pooledBytesMax = options.pooledBytesMax;
  }

  /** The capacity a buffer of at least minBytes gets (minBytes itself above the largest class). */
  capacityFor(minBytes: number): number {
    for (const bytes of this.classBytes) if (bytes >= minBytes) return bytes;
    return minBytes;
  }

  /** A buffer of at least minBytes (contents undefined). */
  take(minBytes: number): Buffer {
    const capacity = this.capacityFor(minBytes);
    const reused = this.free.get(capacity)?.pop();
    if (reused === undefined) return Buffer.allocUnsafeSlow(capacity);
    this.pooledBytes -= capacity;
    return reused;
  }

  /** Returns a buffer nobody references any more; dropped when not of a class or the pool is full. */
  give(buffer: Buffer): void {
    const list = this.free.get(buffer.length);
    if (list === undefined || buffer.byteOffset !== 0 || this.pooledBytes + buffer.length > this.pooledBytesMax) return;
    list.push(buffer);
    this.pooledBytes += buffer.length;
  }

  /** Bytes held idle. */
  get idleBytes(): number {
    return this.pooledBytes;
  }
}
