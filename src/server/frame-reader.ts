// Size-prefixed frame reader. Keeps the received chunks in a list (never concatenates per
// chunk); a frame that lies inside one chunk is returned as a slice of it (no copy), a frame
// that spans chunks is copied once into a buffer of exactly its size. A size prefix above the
// limit (or negative) is reported before anything is allocated for it.

const SIZE_PREFIX_BYTES = 4;

export class FrameSizeError extends Error {
  constructor(readonly sizeBytes: number, readonly sizeBytesMax: number) {
    super(`frame size ${sizeBytes} is outside 0..${sizeBytesMax} (socket.request.max.bytes)`);
    this.name = 'FrameSizeError';
  }
}

export class FrameReader {
  private chunks: Buffer[] = [];
  /** Index of the first chunk with unread bytes. */
  private head = 0;
  /** Read position inside chunks[head]. */
  private headOffset = 0;
  private buffered = 0;

  constructor(private readonly frameBytesMax: number) {}

  /** Bytes received and not yet returned as frames. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next whole frame (without its size prefix), or null when more bytes are needed. */
  next(): Buffer | null {
    if (this.buffered < SIZE_PREFIX_BYTES) return null;
    const sizeBytes = this.peekInt32();
    if (sizeBytes < 0 || sizeBytes > this.frameBytesMax) throw new FrameSizeError(sizeBytes, this.frameBytesMax);
    if (this.buffered < SIZE_PREFIX_BYTES + sizeBytes) return null;
    this.skip(SIZE_PREFIX_BYTES);
    return this.take(sizeBytes);
  }

  private peekInt32(): number {
    const first = this.chunks[this.head]!;
    if (first.length - this.headOffset >= SIZE_PREFIX_BYTES) return first.readInt32BE(this.headOffset);
    let value = 0;
    let chunkIndex = this.head;
    let offset = this.headOffset;
    for (let i = 0; i < SIZE_PREFIX_BYTES; i++) {
      while (offset >= this.chunks[chunkIndex]!.length) {
        chunkIndex++;
        offset = 0;
      }
      value = (value << 8) | this.chunks[chunkIndex]![offset++]!;
    }
    return value;
  }

  private skip(byteCount: number): void {
    let remaining = byteCount;
    while (remaining > 0) {
      const available = this.chunks[this.head]!.length - this.headOffset;
      const step = Math.min(available, remaining);
      this.advance(step);
      remaining -= step;
    }
  }

  /** Consumes byteCount bytes, all known to be buffered. */
  private take(byteCount: number): Buffer {
    const first = this.chunks[this.head];
    if (byteCount === 0 || first === undefined) return Buffer.alloc(0);
    if (first.length - this.headOffset >= byteCount) {
      const frame = first.subarray(this.headOffset, this.headOffset + byteCount);
      this.advance(byteCount);
      return frame;
    }
    return this.copySpanning(byteCount);
  }

  private copySpanning(byteCount: number): Buffer {
    const frame = Buffer.allocUnsafe(byteCount);
    let written = 0;
    while (written < byteCount) {
      const chunk = this.chunks[this.head]!;
      const step = Math.min(chunk.length - this.headOffset, byteCount - written);
      chunk.copy(frame, written, this.headOffset, this.headOffset + step);
      written += step;
      this.advance(step);
    }
    return frame;
  }

  private advance(byteCount: number): void {
    this.headOffset += byteCount;
    this.buffered -= byteCount;
    if (this.headOffset < this.chunks[this.head]!.length) return;
    this.head++;
    this.headOffset = 0;
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    } else if (this.head >= 64) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}
