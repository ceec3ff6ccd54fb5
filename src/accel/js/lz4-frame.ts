// LZ4 frame format (magic 0x184D2204): frame descriptor, data blocks, end mark, optional
// block and content checksums (xxh32). Kafka's framing for codec lz4.
import { CompressionError } from '../types.js';
import { lz4BlockBound, lz4BlockDecodedBytes, lz4CompressBlock, lz4DecompressBlock } from './lz4-block.js';
import { invariant } from './invariant.js';
import { xxh32 } from './xxh32.js';

const FRAME_MAGIC = 0x184d2204;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const FLG_VERSION = 0x40;
const FLG_VERSION_MASK = 0xc0;
const FLG_BLOCK_INDEPENDENT = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_RESERVED = 0x02;
const FLG_DICT_ID = 0x01;
const BD_BLOCK_SIZE_SHIFT = 4;
const BD_RESERVED = 0x8f;
const BLOCK_UNCOMPRESSED = 0x80000000;
/** Block max size id 4: 64 KiB, what Kafka clients write. */
const WRITE_BLOCK_SIZE_ID = 4;

function fail(kind: 'corrupt' | 'truncated' | 'too-large' | 'unsupported', message: string): never {
  throw new CompressionError('lz4', kind, message);
}

function blockMaxBytes(sizeId: number): number {
  return 1 << (8 + 2 * sizeId);
}

function headerChecksum(buf: Buffer, start: number, end: number): number {
  return (xxh32(buf, start, end, 0) >>> 8) & 0xff;
}

// ---- compression -------------------------------------------------------------------------

/** One LZ4 frame: independent 64 KiB blocks, no checksums beyond the header's. */
export function lz4CompressFrame(src: Buffer): Buffer {
  const blockBytesMax = blockMaxBytes(WRITE_BLOCK_SIZE_ID);
  const blockCount = Math.ceil(src.length / blockBytesMax);
  // Per block: a 4-byte header plus lz4BlockBound (its data + 1/255 + 16); 7-byte header, end mark.
  const out = Buffer.allocUnsafe(7 + blockCount * 4 + lz4BlockBound(src.length) + blockCount * 16 + 4);
  out.writeUInt32LE(FRAME_MAGIC, 0);
  out[4] = FLG_VERSION | FLG_BLOCK_INDEPENDENT;
  out[5] = WRITE_BLOCK_SIZE_ID << BD_BLOCK_SIZE_SHIFT;
  out[6] = headerChecksum(out, 4, 6);
  let at = 7;
  for (let start = 0; start < src.length; start += blockBytesMax) {
    at = writeBlock(src, start, Math.min(src.length, start + blockBytesMax), out, at);
  }
  out.writeUInt32LE(0, at);
  return withoutSlack(out, at + 4);
}

/** Output this much smaller than its buffer is copied out so the slack is not retained. */
const SLACK_BYTES_MAX = 64 * 1024;

function withoutSlack(out: Buffer, usedBytes: number): Buffer {
  if (out.length - usedBytes <= SLACK_BYTES_MAX) return out.subarray(0, usedBytes);
  return Buffer.from(out.subarray(0, usedBytes));
}

function writeBlock(src: Buffer, start: number, end: number, out: Buffer, at: number): number {
  const dataStart = at + 4;
  const compressedEnd = lz4CompressBlock(src, start, end, out, dataStart);
  const compressedBytes = compressedEnd - dataStart;
  if (compressedBytes < end - start) {
    out.writeUInt32LE(compressedBytes, at);
    return compressedEnd;
  }
  out.writeUInt32LE((BLOCK_UNCOMPRESSED | (end - start)) >>> 0, at);
  src.copy(out, dataStart, start, end);
  return dataStart + (end - start);
}

// ---- decompression: pass 1 reads the structure, pass 2 decodes -----------------------------

interface BlockSpan {
  start: number;
  end: number;
  uncompressed: boolean;
  /** Exact decoded size, found before any output is allocated. */
  decodedBytes: number;
}

interface FrameLayout {
  independent: boolean;
  blockChecksums: boolean;
  blockBytesMax: number;
  contentBytes: number | undefined;
  /** Offset of the content checksum, if the frame has one. */
  contentChecksumAt: number | undefined;
  blocks: BlockSpan[];
  /** Exact bytes this frame decodes to. */
  decodedBytes: number;
}

interface Descriptor {
  flags: number;
  blockBytesMax: number;
  contentBytes: number | undefined;
  /** Offset of the first block header. */
  blocksStart: number;
}

function need(src: Buffer, at: number, bytes: number, what: string): void {
  if (at + bytes > src.length) fail('truncated', `input ends inside ${what}`);
}

function readDescriptor(src: Buffer, frameStart: number, maxOutputBytes: number): Descriptor {
  const flgAt = frameStart + 4;
  need(src, flgAt, 2, 'the frame descriptor');
  const flags = src[flgAt]!;
  const bd = src[flgAt + 1]!;
  if ((flags & FLG_VERSION_MASK) !== FLG_VERSION) fail('corrupt', `frame version bits ${flags >>> 6} are not 01`);
  if ((flags & FLG_RESERVED) !== 0 || (bd & BD_RESERVED) !== 0) fail('corrupt', 'reserved descriptor bits are set');
  if ((flags & FLG_DICT_ID) !== 0) fail('unsupported', 'frames that need a dictionary are not supported');
  const sizeId = bd >>> BD_BLOCK_SIZE_SHIFT;
  if (sizeId < 4) fail('corrupt', `block max size id ${sizeId} is invalid`);
  let at = flgAt + 2;
  let contentBytes: number | undefined;
  if ((flags & FLG_CONTENT_SIZE) !== 0) {
    need(src, at, 8, 'the content size');
    contentBytes = src.readUInt32LE(at + 4) * 0x100000000 + src.readUInt32LE(at);
    at += 8;
  }
  need(src, at, 1, 'the header checksum');
  checkHeaderChecksum(src, frameStart, at);
  if (contentBytes !== undefined && contentBytes > maxOutputBytes) {
    fail('too-large', `declared content size ${contentBytes} exceeds the ${maxOutputBytes}-byte cap`);
  }
  return { flags, blockBytesMax: blockMaxBytes(sizeId), contentBytes, blocksStart: at + 1 };
}

/** Accepts the correct checksum and the one old Kafka clients wrote over magic + descriptor (KAFKA-3160). */
function checkHeaderChecksum(src: Buffer, frameStart: number, checksumAt: number): void {
  const stored = src[checksumAt]!;
  if (stored === headerChecksum(src, frameStart + 4, checksumAt)) return;
  if (stored === headerChecksum(src, frameStart, checksumAt)) return;
  fail('corrupt', 'frame header checksum mismatch');
}

interface BlockWalk {
  blocks: BlockSpan[];
  next: number;
  decodedBytes: number;
}

function blockSpan(src: Buffer, at: number, header: number, descriptor: Descriptor, capBytes: number): BlockSpan {
  const dataBytes = header & ~BLOCK_UNCOMPRESSED;
  const uncompressed = (header & BLOCK_UNCOMPRESSED) !== 0;
  if (dataBytes > descriptor.blockBytesMax) fail('corrupt', `block of ${dataBytes} bytes exceeds the block max size`);
  const end = at + dataBytes;
  const limitBytes = Math.min(descriptor.blockBytesMax, capBytes);
  const decodedBytes = uncompressed ? dataBytes : lz4BlockDecodedBytes(src, at, end, limitBytes);
  if (decodedBytes > descriptor.blockBytesMax) fail('corrupt', 'block decodes beyond the block max size');
  return { start: at, end, uncompressed, decodedBytes };
}

/** Walks the blocks, sizing each; fails 'too-large' as soon as the running total passes the cap. */
function readBlocks(src: Buffer, descriptor: Descriptor, capBytes: number): BlockWalk {
  const checksumBytes = (descriptor.flags & FLG_BLOCK_CHECKSUM) !== 0 ? 4 : 0;
  const blocks: BlockSpan[] = [];
  let decodedBytes = 0;
  let at = descriptor.blocksStart;
  for (;;) {
    need(src, at, 4, 'a block header');
    const header = src.readUInt32LE(at);
    at += 4;
    if (header === 0) return { blocks, next: at, decodedBytes };
    need(src, at, (header & ~BLOCK_UNCOMPRESSED) + checksumBytes, 'a block');
    const block = blockSpan(src, at, header, descriptor, capBytes - decodedBytes + 1);
    decodedBytes += block.decodedBytes;
    if (decodedBytes > capBytes) fail('too-large', `output passes the ${capBytes}-byte cap`);
    blocks.push(block);
    at = block.end + checksumBytes;
  }
}

function readFrame(src: Buffer, frameStart: number, capBytes: number): { layout: FrameLayout; next: number } {
  const descriptor = readDescriptor(src, frameStart, capBytes);
  const { blocks, next, decodedBytes } = readBlocks(src, descriptor, capBytes);
  let contentChecksumAt: number | undefined;
  let end = next;
  if ((descriptor.flags & FLG_CONTENT_CHECKSUM) !== 0) {
    need(src, next, 4, 'the content checksum');
    contentChecksumAt = next;
    end += 4;
  }
  if (descriptor.contentBytes !== undefined && descriptor.contentBytes !== decodedBytes) {
    fail('corrupt', `frame holds ${decodedBytes} bytes, its header declares ${descriptor.contentBytes}`);
  }
  const layout: FrameLayout = {
    independent: (descriptor.flags & FLG_BLOCK_INDEPENDENT) !== 0,
    blockChecksums: (descriptor.flags & FLG_BLOCK_CHECKSUM) !== 0,
    blockBytesMax: descriptor.blockBytesMax,
    contentBytes: descriptor.contentBytes,
    contentChecksumAt,
    blocks,
    decodedBytes,
  };
  return { layout, next: end };
}

interface ParsedInput {
  frames: FrameLayout[];
  decodedBytes: number;
}

function skipFrame(src: Buffer, at: number): number {
  need(src, at + 4, 4, 'a skippable frame size');
  const skipBytes = src.readUInt32LE(at + 4);
  need(src, at + 8, skipBytes, 'a skippable frame');
  return at + 8 + skipBytes;
}

function parseFrames(src: Buffer, maxOutputBytes: number): ParsedInput {
  if (src.length < 4) fail('truncated', 'input is shorter than the frame magic');
  const frames: FrameLayout[] = [];
  let decodedBytes = 0;
  for (let at = 0; at < src.length; ) {
    need(src, at, 4, 'a frame magic');
    const magic = src.readUInt32LE(at);
    if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      at = skipFrame(src, at);
      continue;
    }
    if (magic !== FRAME_MAGIC) fail('corrupt', `bad frame magic 0x${magic.toString(16)}`);
    const { layout, next } = readFrame(src, at, maxOutputBytes - decodedBytes);
    frames.push(layout);
    decodedBytes += layout.decodedBytes;
    at = next;
  }
  return { frames, decodedBytes };
}

function checkBlockChecksum(src: Buffer, block: BlockSpan): void {
  if (src.readUInt32LE(block.end) !== xxh32(src, block.start, block.end, 0)) fail('corrupt', 'block checksum mismatch');
}

interface OutputState {
  out: Buffer;
  written: number;
}

function decodeBlock(src: Buffer, layout: FrameLayout, block: BlockSpan, frameStart: number, state: OutputState): void {
  const { out, written } = state;
  if (block.uncompressed) {
    src.copy(out, written, block.start, block.end);
    state.written += block.decodedBytes;
    return;
  }
  const outLimit = written + block.decodedBytes;
  const windowStart = layout.independent ? written : frameStart;
  state.written = lz4DecompressBlock(src, block.start, block.end, { out, outStart: written, outLimit, windowStart, overrunKind: 'corrupt' });
  invariant(state.written === outLimit, () => `lz4 block decoded to ${state.written - written} bytes, sized ${block.decodedBytes}`);
}

function decodeFrame(src: Buffer, layout: FrameLayout, state: OutputState): void {
  const frameStart = state.written;
  for (const block of layout.blocks) {
    if (layout.blockChecksums) checkBlockChecksum(src, block);
    decodeBlock(src, layout, block, frameStart, state);
  }
  if (layout.contentChecksumAt !== undefined) {
    const expected = src.readUInt32LE(layout.contentChecksumAt);
    if (expected !== xxh32(state.out, frameStart, state.written, 0)) fail('corrupt', 'content checksum mismatch');
  }
}

/** Decompresses one or more LZ4 frames into one exactly sized buffer, capped at maxOutputBytes. */
export function lz4DecompressFrames(src: Buffer, maxOutputBytes: number): Buffer {
  const parsed = parseFrames(src, maxOutputBytes);
  const out = Buffer.allocUnsafe(parsed.decodedBytes);
  const state: OutputState = { out, written: 0 };
  for (const layout of parsed.frames) decodeFrame(src, layout, state);
  invariant(state.written === out.length, () => `lz4 decoded ${state.written} of ${out.length} bytes`);
  return out;
}
