// Reusable read buffers for Fetch. A Fetch answer carries the segment bytes it read as views of
// the read buffers, untouched until the socket has taken them. Allocating a fresh multi-KiB
// buffer per partition per Fetch makes V8 collect for external memory pressure every few
// reads; instead each request borrows fixed-size buffers through a lender, and the connection
// gives them back once the response has been written. A buffer never given back (a closed
// connection, a caller without the hook) is simply garbage: the pool only ever loses buffers.

/** Full-size read buffers waiting for reuse, at most countMax of them. */
export class ReadBufferPool {
  private readonly free: Buffer[] = [];

  constructor(
    readonly bufferBytes: number,
    private readonly countMax: number,
  ) {}

  /** Buffers waiting for reuse now. */
  get freeCount(): number {
    return this.free.length;
  }

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(this.bufferBytes);
  }

  give(buf: Buffer): void {
    if (buf.length !== this.bufferBytes) throw new Error(`read buffer pool: a ${buf.length}-byte buffer is not one of this pool's ${this.bufferBytes}-byte buffers`);
    if (this.free.length < this.countMax) this.free.push(buf);
  }

  /** A lender for one request's reads. */
  lender(): ReadBufferLender {
    return new ReadBufferLender(this);
  }
}

/** Hands out a pool's buffers for one request and gives them all back at once. */
export class ReadBufferLender {
  private lent: Buffer[] = [];

  constructor(private readonly pool: ReadBufferPool) {}

  get bufferBytes(): number {
    return this.pool.bufferBytes;
  }

  /** A buffer of bufferBytes; its bytes belong to this request until release(). */
  take(): Buffer {
    const buf = this.pool.take();
    this.lent.push(buf);
    return buf;
  }

  /** Gives every lent buffer back: only once nothing refers to their bytes any more. */
  release(): void {
    const lent = this.lent;
    this.lent = [];
    for (const buf of lent) this.pool.give(buf);
  }
}
