// Size-prefixed response frames read straight from the socket (net.connect's `onread`): once a
// frame's size is known and part of it is still to come, the next socket reads go directly into
// a buffer of exactly that frame's size, so a multi-MiB Fetch answer is written once, by the
// kernel, with no per-read 64 KiB chunk and no assembling copy. Bytes that arrive outside such a
// frame go through one reused staging buffer; frames that lie wholly inside it (small answers)
// are copied out, since the staging buffer is reused. A size prefix above the limit is reported
// before anything is allocated for it.
import { FrameSizeError } from '../server/frame-reader.js';

const SIZE_PREFIX_BYTES = 4;
const STAGING_BYTES = 64 * 1024;

export class SocketFrameReader {
  private readonly staging = Buffer.allocUnsafe(STAGING_BYTES);
  /** The frame being filled by socket reads, right-sized; undefined between frames. */
  private frame: Buffer | undefined;
  private frameFilledBytes = 0;
  /** A size prefix cut by a read boundary. */
  private readonly prefix = Buffer.alloc(SIZE_PREFIX_BYTES);
  private prefixFilledBytes = 0;

  constructor(
    private readonly frameBytesMax: number,
    private readonly onFrame: (frame: Buffer) => void,
    private readonly onError: (err: Error) => void,
  ) {}

  /** The `onread` option for net.connect. */
  get onread(): { buffer: () => Uint8Array; callback: (bytesRead: number, buf: Uint8Array) => boolean } {
    return { buffer: () => this.readTarget(), callback: (bytesRead) => this.onRead(bytesRead) };
  }

  private readTarget(): Uint8Array {
    return this.frame === undefined ? this.staging : this.frame.subarray(this.frameFilledBytes);
  }

  /** A size prefix outside 0..frameBytesMax goes to onError (FrameSizeError); reading stops. */
  private onRead(bytesRead: number): boolean {
    try {
      this.take(bytesRead);
      return true;
    } catch (err) {
      this.onError(err as Error);
      return false;
    }
  }

  private take(bytesRead: number): void {
    if (bytesRead <= 0) return;
    if (this.frame !== undefined) {
      this.frameFilledBytes += bytesRead;
      this.emitIfFull();
      return;
    }
    this.consumeStaging(bytesRead);
  }

  private emitIfFull(): void {
    const frame = this.frame!;
    if (this.frameFilledBytes < frame.length) return;
    this.frame = undefined;
    this.frameFilledBytes = 0;
    this.onFrame(frame);
  }

  /** Splits staging[0, end) into frames; the last partial one becomes this.frame. */
  private consumeStaging(end: number): void {
    let pos = 0;
    while (pos < end) {
      const prefixTaken = Math.min(SIZE_PREFIX_BYTES - this.prefixFilledBytes, end - pos);
      this.staging.copy(this.prefix, this.prefixFilledBytes, pos, pos + prefixTaken);
      this.prefixFilledBytes += prefixTaken;
      pos += prefixTaken;
      if (this.prefixFilledBytes < SIZE_PREFIX_BYTES) return;
      this.prefixFilledBytes = 0;
      pos = this.startFrame(this.prefix.readInt32BE(0), pos, end);
    }
  }

  /** Starts a frame of sizeBytes whose first bytes are staging[pos, end); returns the position after what it took. */
  private startFrame(sizeBytes: number, pos: number, end: number): number {
    if (sizeBytes < 0 || sizeBytes > this.frameBytesMax) throw new FrameSizeError(sizeBytes, this.frameBytesMax);
    const taken = Math.min(sizeBytes, end - pos);
    this.frame = Buffer.allocUnsafe(sizeBytes);
    this.staging.copy(this.frame, 0, pos, pos + taken);
    this.frameFilledBytes = taken;
    this.emitIfFull();
    return pos + taken;
  }
}
