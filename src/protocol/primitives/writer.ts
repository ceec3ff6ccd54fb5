// Writer: a growable chunk list. Bytes go into the current chunk; when it is full a new, larger
// chunk starts (nothing already written is copied). Chunks are carved from shared 64 KiB slabs
// (bump allocation; a finished writer gives its unused tail back when it was the last carve), so
// encoding allocates no ArrayBuffer of its own. Like Node's own Buffer pool, a finished Buffer is a
// view of a slab: code that keeps many small results for a long time should copy them. Large Buffers (record sets) are appended by
// reference, so a Fetch response's segment bytes are never copied. finishChunks() hands the list
// to a socket (writev); finish() returns one Buffer (one copy only when there are several).

import type { RawTaggedField } from './reader.js';

const CHUNK_BYTES_FIRST = 1024;
const CHUNK_BYTES_MAX = 64 * 1024;
/** Buffers at least this large are appended by reference instead of copied. */
const APPEND_BY_REFERENCE_BYTES_MIN = 256;
const UUID_BYTES = 16;
const SLAB_BYTES = 64 * 1024;
/** Chunks larger than this get their own allocation instead of a slab carve. */
const SLAB_CARVE_BYTES_MAX = 8 * 1024;
const SLAB_ALIGN_BYTES = 8;
const EMPTY = Buffer.alloc(0);

let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
let slabView = new DataView(slab.buffer, slab.byteOffset, slab.byteLength);
let slabUsedBytes = 0;

function carve(sizeBytes: number): Buffer {
  if (sizeBytes > SLAB_CARVE_BYTES_MAX) return Buffer.allocUnsafeSlow(sizeBytes);
  if (slabUsedBytes + sizeBytes > SLAB_BYTES) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    slabView = new DataView(slab.buffer, slab.byteOffset, slab.byteLength);
    slabUsedBytes = 0;
  }
  const chunk = slab.subarray(slabUsedBytes, slabUsedBytes + sizeBytes);
  slabUsedBytes += (sizeBytes + SLAB_ALIGN_BYTES - 1) & ~(SLAB_ALIGN_BYTES - 1);
  return chunk;
}

/** Returns the bytes of chunk from usedBytes on to the slab when chunk is its most recent carve. */
function giveBack(chunk: Buffer, usedBytes: number): void {
  if (chunk.buffer !== slab.buffer) return;
  const chunkStart = chunk.byteOffset - slab.byteOffset;
  const carvedEnd = chunkStart + ((chunk.length + SLAB_ALIGN_BYTES - 1) & ~(SLAB_ALIGN_BYTES - 1));
  if (carvedEnd !== slabUsedBytes) return;
  slabUsedBytes = chunkStart + ((usedBytes + SLAB_ALIGN_BYTES - 1) & ~(SLAB_ALIGN_BYTES - 1));
}

export class Writer {
  private chunks: Buffer[] = [];
  private bytesInChunks = 0;
  private buf: Buffer;
  /** Where the current chunk's unflushed bytes start in buf. */
  private start = 0;
  private pos = 0;
  private nextChunkBytes: number;
  /** A DataView for int64/float64 (much faster than Buffer's BigInt writes) and buf's offset in it. */
  private view: DataView | undefined;
  private viewBase = 0;

  constructor(initialBytes = CHUNK_BYTES_FIRST) {
    this.buf = carve(initialBytes);
    this.nextChunkBytes = Math.min(initialBytes * 4, CHUNK_BYTES_MAX);
  }

  /** Bytes written since the writer was made or last finished. */
  get length(): number {
    return this.bytesInChunks + (this.pos - this.start);
  }

  private flush(): void {
    if (this.pos === this.start) return;
    const chunk = this.buf.subarray(this.start, this.pos);
    this.chunks.push(chunk);
    this.bytesInChunks += chunk.length;
    this.start = this.pos;
  }

  /** Makes room for n more bytes in the current chunk; returns the write position. */
  private room(n: number): number {
    if (this.pos + n <= this.buf.length) return this.pos;
    this.flush();
    const size = Math.max(n, this.nextChunkBytes);
    this.nextChunkBytes = Math.min(this.nextChunkBytes * 4, CHUNK_BYTES_MAX);
    this.buf = carve(size);
    this.view = undefined;
    this.start = 0;
    this.pos = 0;
    return 0;
  }

  private dataView(): DataView {
    if (this.view === undefined) {
      const buf = this.buf;
      if (buf.buffer === slab.buffer) {
        this.view = slabView;
        this.viewBase = buf.byteOffset - slab.byteOffset;
      } else {
        this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
        this.viewBase = 0;
      }
    }
    return this.view;
  }

  writeInt8(value: number): void {
    if ((value << 24) >> 24 !== value) throw new RangeError(`Writer: int8 out of range: ${value}`);
    const at = this.room(1);
    this.buf[at] = value;
    this.pos = at + 1;
  }

  writeBool(value: boolean): void {
    const at = this.room(1);
    this.buf[at] = value ? 1 : 0;
    this.pos = at + 1;
  }

  writeInt16(value: number): void {
    if ((value << 16) >> 16 !== value) throw new RangeError(`Writer: int16 out of range: ${value}`);
    const at = this.room(2);
    const buf = this.buf;
    buf[at] = value >>> 8;
    buf[at + 1] = value;
    this.pos = at + 2;
  }

  writeUint16(value: number): void {
    const at = this.room(2);
    this.buf.writeUInt16BE(value, at);
    this.pos = at + 2;
  }

  writeInt32(value: number): void {
    if ((value | 0) !== value) throw new RangeError(`Writer: int32 out of range: ${value}`);
    const at = this.room(4);
    const buf = this.buf;
    buf[at] = value >>> 24;
    buf[at + 1] = value >>> 16;
    buf[at + 2] = value >>> 8;
    buf[at + 3] = value;
    this.pos = at + 4;
  }

  writeUint32(value: number): void {
    const at = this.room(4);
    this.buf.writeUInt32BE(value, at);
    this.pos = at + 4;
  }

  writeInt64(value: bigint): void {
    const at = this.room(8);
    this.dataView().setBigInt64(this.viewBase + at, value, false);
    this.pos = at + 8;
  }

  writeFloat64(value: number): void {
    const at = this.room(8);
    this.dataView().setFloat64(this.viewBase + at, value, false);
    this.pos = at + 8;
  }

  writeUVarint(value: number): void {
    if (value >= 0 && value < 0x80 && this.pos < this.buf.length) {
      this.buf[this.pos++] = value;
      return;
    }
    if (!(value >= 0 && value <= 0xffffffff && Number.isInteger(value))) {
      throw new RangeError(`Writer: uvarint out of range: ${value}`);
    }
    let at = this.room(5);
    const buf = this.buf;
    while (value >= 0x80) {
      buf[at++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buf[at++] = value;
    this.pos = at;
  }

  writeVarint(value: number): void {
    this.writeUVarint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  writeVarlong(value: bigint): void {
    let raw = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
    let at = this.room(10);
    const buf = this.buf;
    while (raw >= 0x80n) {
      buf[at++] = Number(raw & 0x7fn) | 0x80;
      raw >>= 7n;
    }
    buf[at++] = Number(raw);
    this.pos = at;
  }

  writeUuid(value: string): void {
    const at = this.room(UUID_BYTES);
    const written = this.buf.write(value, at, UUID_BYTES, 'base64url');
    if (written !== UUID_BYTES || value.length !== 22) {
      throw new RangeError(`Writer: not a 22-character base64url uuid: ${JSON.stringify(value)}`);
    }
    this.pos = at + UUID_BYTES;
  }

  private writeUtf8(value: string, lengthBytes: number): void {
    const at = this.room(lengthBytes);
    this.pos = at + this.buf.write(value, at, lengthBytes, 'utf8');
  }

  /** int16 length + UTF-8 bytes; null as length -1. */
  writeNullableString(value: string | null): void {
    if (value === null) return this.writeInt16(-1);
    const lengthBytes = Buffer.byteLength(value, 'utf8');
    if (lengthBytes > 0x7fff) throw new RangeError(`Writer: string of ${lengthBytes} bytes exceeds int16`);
    this.writeInt16(lengthBytes);
    this.writeUtf8(value, lengthBytes);
  }

  writeString(value: string): void {
    if (value === null) throw new RangeError('Writer: null for a non-nullable string');
    this.writeNullableString(value);
  }

  /** uvarint (length + 1) + UTF-8 bytes; null as 0. */
  writeCompactNullableString(value: string | null): void {
    if (value === null) return this.writeUVarint(0);
    const lengthBytes = Buffer.byteLength(value, 'utf8');
    this.writeUVarint(lengthBytes + 1);
    this.writeUtf8(value, lengthBytes);
  }

  writeCompactString(value: string): void {
    if (value === null) throw new RangeError('Writer: null for a non-nullable string');
    this.writeCompactNullableString(value);
  }

  /** int32 length + bytes; null as -1. Large buffers are appended by reference. */
  writeNullableBytes(value: Uint8Array | null): void {
    if (value === null) return this.writeInt32(-1);
    this.writeInt32(value.length);
    this.writeRaw(value);
  }

  writeBytes(value: Uint8Array): void {
    if (value === null) throw new RangeError('Writer: null for non-nullable bytes');
    this.writeNullableBytes(value);
  }

  /** uvarint (length + 1) + bytes; null as 0. */
  writeCompactNullableBytes(value: Uint8Array | null): void {
    if (value === null) return this.writeUVarint(0);
    this.writeUVarint(value.length + 1);
    this.writeRaw(value);
  }

  writeCompactBytes(value: Uint8Array): void {
    if (value === null) throw new RangeError('Writer: null for non-nullable bytes');
    this.writeCompactNullableBytes(value);
  }

  /** An array count: int32 (null = -1) or compact uvarint count + 1 (null = 0). */
  writeArrayLength(compact: boolean, count: number): void {
    if (compact) this.writeUVarint(count + 1);
    else this.writeInt32(count);
  }

  /** Raw bytes without a length. Small ones are copied, large ones appended by reference. */
  writeRaw(value: Uint8Array): void {
    if (value.length >= APPEND_BY_REFERENCE_BYTES_MIN) {
      this.flush();
      const chunk = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.length);
      this.chunks.push(chunk);
      this.bytesInChunks += chunk.length;
      return;
    }
    const at = this.room(value.length);
    this.buf.set(value, at);
    this.pos = at + value.length;
  }

  /** Appends every chunk of another writer (by reference). */
  writeWriter(other: Writer): void {
    for (const chunk of other.finishChunks()) this.writeRaw(chunk);
  }

  /** A tagged-field section holding only raw fields (sorted by tag). */
  writeRawTaggedFields(fields: readonly RawTaggedField[] | undefined): void {
    if (fields === undefined) return this.writeUVarint(0);
    this.writeUVarint(fields.length);
    for (const field of fields) this.writeRawTaggedField(field);
  }

  writeRawTaggedField(field: RawTaggedField): void {
    this.writeUVarint(field.tag);
    this.writeUVarint(field.data.length);
    this.writeRaw(field.data);
  }

  /** Reserves 4 bytes for an int32 to fill in later with patchInt32 (a frame size). */
  reserveInt32(): { buf: Buffer; offset: number } {
    const at = this.room(4);
    this.pos = at + 4;
    return { buf: this.buf, offset: at };
  }

  patchInt32(slot: { buf: Buffer; offset: number }, value: number): void {
    slot.buf.writeInt32BE(value, slot.offset);
  }

  /** Hands the unused rest of the current chunk back to the slab; later writes start a new chunk. */
  private release(): void {
    this.flush();
    giveBack(this.buf, this.pos);
    this.buf = EMPTY;
    this.view = undefined;
    this.start = 0;
    this.pos = 0;
  }

  /**
   * The written bytes as a list of Buffers (no copy), which the caller now owns. The writer can
   * keep appending after; later bytes are not in the returned list.
   */
  finishChunks(): Buffer[] {
    this.release();
    const chunks = this.chunks;
    this.chunks = [];
    this.bytesInChunks = 0;
    return chunks;
  }

  /** The written bytes as one Buffer (copies only when there is more than one chunk). */
  finish(): Buffer {
    const length = this.length;
    const chunks = this.finishChunks();
    if (chunks.length === 1) return chunks[0]!;
    return Buffer.concat(chunks, length);
  }
}
