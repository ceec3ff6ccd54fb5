// The AssemblyScript implementation of the hot path (implementation 'wasm').
//
// One module (wasm/build/rill.wasm), one linear memory. Static tables sit below the module's
// arena base; everything above it is the arena, owned by this file: each call lays out its
// input (one copy in), lets WASM write the output, and copies the result out once. The arena
// grows to the high-water mark the calls need (bounded by limits.wasmArenaBytesMax) and is
// reused, never allocated per call. WASM functions return a byte count or a negative code
// (wasm/assembly/errors.ts), mapped here to CompressionError / RecordDecodeError.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { limits } from '../config/limits.js';
import { packageRoot } from '../util/package-root.js';
import { gzipCompress, gzipCompressAsync, gzipDecompress, gzipDecompressAsync } from './js/gzip.js';
import { createJsAccel } from './js/index.js';
import {
  CompressionError,
  RecordDecodeError,
  type Accel,
  type Codec,
  type CompressionErrorKind,
  type DecodedRecord,
  type RecordHeader,
  type RecordInput,
  type RecordScan,
} from './types.js';
import { checkRecordsArguments } from './js/records.js';
import { recordReasonError } from './record-reasons.js';

// The WebAssembly JS API, typed locally: @types/node 20 does not declare it and the project
// does not include the DOM lib.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: object };
  RuntimeError: new (message?: string) => Error;
}
const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The module's exports (wasm/assembly/index.ts). Pointers and sizes are byte offsets. */
interface RillWasmExports {
  memory: WasmMemory;
  arenaBase(): number;
  crc32c(ptr: number, len: number, seed: number): number;
  encodeVarlongs(inPtr: number, count: number, outPtr: number): number;
  decodeVarlongs(inPtr: number, inLen: number, count: number, outPtr: number): number;
  encodeRecords(count: number, metaPtr: number, timesPtr: number, dataPtr: number, outPtr: number, outCap: number): number;
  decodeRecords(inPtr: number, inLen: number, count: number, tablePtr: number, tableCap: number, headerCountMax: number): number;
  scanRecords(inPtr: number, inLen: number, count: number, outPtr: number, headerCountMax: number): number;
  recordErrorReason(): number;
  recordErrorIndex(): number;
  lz4FrameBound(srcLen: number): number;
  lz4FrameCompress(src: number, srcLen: number, dst: number, dstCap: number): number;
  lz4FrameDecodedSize(src: number, srcLen: number, capBytes: number): number;
  lz4FrameDecompress(src: number, srcLen: number, dst: number, dstCap: number): number;
  snappyBound(srcLen: number): number;
  snappyCompress(src: number, srcLen: number, dst: number, dstCap: number): number;
  snappyDecompress(src: number, srcLen: number, dst: number, dstCap: number): number;
  isXerial(src: number, srcLen: number): number;
  xerialLength(src: number, srcLen: number): number;
  xerialDecompress(src: number, srcLen: number, dst: number, dstCap: number): number;
}

// Result codes of wasm/assembly/errors.ts.
const ERR_CORRUPT = -1;
const ERR_TRUNCATED = -2;
const ERR_OUTPUT_FULL = -3;
const ERR_CHECKSUM = -4;
const ERR_UNSUPPORTED = -5;
const ERR_HEADER_CHECKSUM = -6;
const ERR_RECORD = -7;

// Layout constants of wasm/assembly/records.ts.
const RECORD_ENTRY_BYTES = 40;
const HEADER_ENTRY_BYTES = 16;
/** scanRecords' output: f64 min, f64 max, i32 null keys, i32 offsetDelta mismatch index. */
const SCAN_RESULT_BYTES = 24;

const WASM_PAGE_BYTES = 65536;
const VARLONG_BYTES_MAX = 10;
/** Per-record bytes beyond its data: length 5, attributes 1, timestamp 10, offset 5, key/value/header-count lengths 15. */
const RECORD_OVERHEAD_BYTES_MAX = 36;
/** Per-header bytes beyond its data: two length varints. */
const HEADER_OVERHEAD_BYTES_MAX = 10;
/** decodeRecords' first table guess holds one header per record plus this many. */
const RECORD_HEADERS_GUESS_EXTRA = 4096;
const ZSTD_UNSUPPORTED = 'zstd needs the native module (Node 20 zlib has no zstd)';

/** Path of the module this implementation loads. */
export function wasmModulePath(): string {
  return join(packageRoot(), 'wasm', 'build', 'rill.wasm');
}

let compiledModule: object | undefined;

function compileModule(): object {
  if (compiledModule !== undefined) return compiledModule;
  const path = wasmModulePath();
  if (!existsSync(path)) throw new Error(`wasm module ${path} is missing (run npm run build:wasm)`);
  compiledModule = new WebAssemblyApi.Module(readFileSync(path));
  return compiledModule;
}

const align = (offset: number, alignment: number): number => Math.ceil(offset / alignment) * alignment;

/** Thrown by Arena.reserve when a call would need more than limits.wasmArenaBytesMax (or memory cannot grow). */
class ArenaLimitError extends RangeError {}

/** The linear memory above the module's static data, and cached views of it. */
class Arena {
  readonly base: number;
  u8: Uint8Array;
  i32: Int32Array;
  f64: Float64Array;

  constructor(private readonly memory: WasmMemory, base: number) {
    this.base = align(base, 16);
    this.u8 = new Uint8Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
    this.f64 = new Float64Array(memory.buffer);
  }

  /** Bytes of linear memory (static data + arena). */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Makes [base, base + sizeBytes) usable, growing memory once if needed; returns base. */
  reserve(sizeBytes: number): number {
    if (sizeBytes > limits.wasmArenaBytesMax) {
      throw new ArenaLimitError(`needs ${sizeBytes} bytes, the wasm arena is capped at ${limits.wasmArenaBytesMax}`);
    }
    const needBytes = this.base + sizeBytes;
    if (needBytes > this.u8.length) this.grow(needBytes);
    return this.base;
  }

  private grow(needBytes: number): void {
    const pages = Math.ceil((needBytes - this.memory.buffer.byteLength) / WASM_PAGE_BYTES);
    try {
      this.memory.grow(pages);
    } catch (err) {
      throw new ArenaLimitError(`wasm memory cannot grow by ${pages} pages: ${(err as Error).message}`);
    }
    this.u8 = new Uint8Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
    this.f64 = new Float64Array(this.memory.buffer);
  }

  /** Copies [ptr, ptr + len) out into a new Buffer. */
  copyOut(ptr: number, len: number): Buffer {
    const out = Buffer.allocUnsafe(len);
    out.set(this.u8.subarray(ptr, ptr + len));
    return out;
  }
}

/** A trap means a missed bound check in wasm/assembly: a bug, reported loudly. */
function rethrowTrap(err: unknown, what: string): never {
  if (err instanceof WebAssemblyApi.RuntimeError) {
    throw new Error(`wasm ${what} trapped (a bug in wasm/assembly, not bad input): ${(err as Error).message}`, { cause: err });
  }
  throw err;
}

/** Runs a WASM call on untrusted input; a trap becomes a loud Error naming the bug. */
function trapsAreBugs<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    return rethrowTrap(err, what);
  }
}

function codecFail(codec: Codec, kind: CompressionErrorKind, message: string): never {
  throw new CompressionError(codec, kind, message);
}

/** Maps a negative decompression result to a CompressionError. */
function decodeFailure(codec: Codec, code: number): never {
  switch (code) {
    case ERR_TRUNCATED:
      return codecFail(codec, 'truncated', 'input ends before the stream does');
    case ERR_CHECKSUM:
      return codecFail(codec, 'corrupt', 'block or content checksum mismatch');
    case ERR_HEADER_CHECKSUM:
      return codecFail(codec, 'corrupt', 'frame header checksum mismatch');
    case ERR_UNSUPPORTED:
      return codecFail(codec, 'unsupported', 'frames that need a dictionary are not supported');
    case ERR_OUTPUT_FULL:
      return codecFail(codec, 'corrupt', 'stream decodes past the length it declares');
    default:
      return codecFail(codec, 'corrupt', `invalid ${codec} stream (code ${code})`);
  }
}

function outputCap(maxOutputBytes: number | undefined): number {
  if (maxOutputBytes === undefined) return limits.decompressedBytesMax;
  if (!Number.isSafeInteger(maxOutputBytes) || maxOutputBytes < 0) {
    throw new RangeError(`maxOutputBytes ${maxOutputBytes} is not a non-negative safe integer`);
  }
  return maxOutputBytes;
}

function checkRange(buf: Buffer, start: number, end: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > buf.length || start > end) {
    throw new RangeError(`range [${start}, ${end}) is not within a buffer of ${buf.length} bytes`);
  }
}

function checkSafeInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} ${value} is not a safe integer`);
}

/** Layout of encodeRecords' input, measured in one pass over the records. */
interface RecordsLayout {
  metaWords: number;
  dataBytes: number;
  headerCount: number;
}

function measureRecords(records: readonly RecordInput[]): RecordsLayout {
  let metaWords = 0;
  let dataBytes = 0;
  let headerCount = 0;
  for (const record of records) {
    checkSafeInteger(record.timestampDelta ?? 0, 'timestampDelta');
    const headers = record.headers ?? [];
    metaWords += 3 + 2 * headers.length;
    headerCount += headers.length;
    dataBytes += (record.key?.length ?? 0) + (record.value?.length ?? 0);
    for (const header of headers) dataBytes += header.key.length + (header.value?.length ?? 0);
  }
  return { metaWords, dataBytes, headerCount };
}

/** The WASM hot path; arenaBytes() is exposed for tests of arena reuse. */
export class WasmAccel implements Accel {
  readonly implementation = 'wasm' as const;
  readonly file: Accel['file'];
  /** The reference, for the rare header-heavy body whose decode table would not fit the arena. */
  private readonly js = createJsAccel();
  private readonly exports: RillWasmExports;
  private readonly arena: Arena;
  /** scanRecords' result, reused by every call. */
  private readonly scanResult: RecordScan = { timestampDeltaMin: 0, timestampDeltaMax: 0, nullKeyCount: 0, offsetDeltaMismatchIndex: -1 };

  constructor() {
    const instance = new WebAssemblyApi.Instance(compileModule(), {});
    this.exports = instance.exports as unknown as RillWasmExports;
    this.arena = new Arena(this.exports.memory, this.exports.arenaBase());
    this.file = this.js.file;
  }

  /** Current size of the module's linear memory in bytes. */
  arenaBytes(): number {
    return this.arena.memoryBytes;
  }

  crc32c(buf: Buffer, start = 0, end = buf.length, seed = 0): number {
    checkRange(buf, start, end);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`crc32c seed ${seed} is not an unsigned 32-bit integer`);
    }
    const chunkBytes = limits.wasmCrcChunkBytes;
    const ptr = this.arena.reserve(Math.min(end - start, chunkBytes));
    let crc = seed;
    for (let at = start; at < end; at += chunkBytes) {
      const chunkEnd = Math.min(end, at + chunkBytes);
      this.arena.u8.set(buf.subarray(at, chunkEnd), ptr);
      crc = this.exports.crc32c(ptr, chunkEnd - at, crc) >>> 0;
    }
    return crc;
  }

  compress(codec: Codec, buf: Buffer): Buffer {
    switch (codec) {
      case 'gzip':
        return gzipCompress(buf);
      case 'lz4':
        return this.compressWith(codec, buf, this.exports.lz4FrameBound, this.exports.lz4FrameCompress);
      case 'snappy':
        return this.compressWith(codec, buf, this.exports.snappyBound, this.exports.snappyCompress);
      case 'zstd':
        return codecFail('zstd', 'unsupported', ZSTD_UNSUPPORTED);
      default:
        throw new TypeError(`unknown codec ${String(codec)}`);
    }
  }

  decompress(codec: Codec, buf: Buffer, maxOutputBytes?: number): Buffer {
    const cap = outputCap(maxOutputBytes);
    switch (codec) {
      case 'gzip':
        return gzipDecompress(buf, cap);
      case 'lz4':
        return this.guard(codec, () => this.lz4Decompress(buf, cap));
      case 'snappy':
        return this.guard(codec, () => this.snappyDecompress(buf, cap));
      case 'zstd':
        return codecFail('zstd', 'unsupported', ZSTD_UNSUPPORTED);
      default:
        throw new TypeError(`unknown codec ${String(codec)}`);
    }
  }

  async compressAsync(codec: Codec, buf: Buffer): Promise<Buffer> {
    if (codec === 'gzip') return gzipCompressAsync(buf);
    return this.compress(codec, buf);
  }

  async decompressAsync(codec: Codec, buf: Buffer, maxOutputBytes?: number): Promise<Buffer> {
    if (codec === 'gzip') return gzipDecompressAsync(buf, outputCap(maxOutputBytes));
    return this.decompress(codec, buf, maxOutputBytes);
  }

  encodeVarints(values: readonly number[]): Buffer {
    for (const value of values) checkSafeInteger(value, 'varint value');
    const count = values.length;
    const inPtr = this.arena.reserve(count * (8 + VARLONG_BYTES_MAX));
    const outPtr = inPtr + count * 8;
    const { f64 } = this.arena;
    for (let i = 0; i < count; i++) f64[inPtr / 8 + i] = values[i]!;
    const written = this.exports.encodeVarlongs(inPtr, count, outPtr);
    return this.arena.copyOut(outPtr, written);
  }

  decodeVarints(buf: Buffer, offset: number, count: number): number[] {
    if (!Number.isInteger(offset) || offset < 0 || offset > buf.length) {
      throw new RecordDecodeError(`offset ${offset} is outside a buffer of ${buf.length} bytes`);
    }
    if (!Number.isInteger(count) || count < 0 || count > buf.length - offset) {
      throw new RecordDecodeError(`count ${count} varints cannot fit in ${buf.length - offset} bytes`);
    }
    const inLen = Math.min(buf.length - offset, count * VARLONG_BYTES_MAX);
    const outPtr = this.arena.reserve(count * 8 + inLen);
    const inPtr = outPtr + count * 8;
    this.arena.u8.set(buf.subarray(offset, offset + inLen), inPtr);
    const result = trapsAreBugs('decodeVarints', () => this.exports.decodeVarlongs(inPtr, inLen, count, outPtr));
    if (result === ERR_TRUNCATED) throw new RecordDecodeError(`varints: input ends inside one of ${count} varints`);
    if (result < 0) throw new RecordDecodeError('varints: a varint is longer than 10 bytes or outside the safe integer range');
    const { f64 } = this.arena;
    const values = new Array<number>(count);
    for (let i = 0, at = outPtr / 8; i < count; i++, at++) values[i] = f64[at]!;
    return values;
  }

  encodeRecords(records: readonly RecordInput[]): Buffer {
    const layout = measureRecords(records);
    const outCap = layout.dataBytes + records.length * RECORD_OVERHEAD_BYTES_MAX + layout.headerCount * HEADER_OVERHEAD_BYTES_MAX;
    const timesBytes = records.length * 8;
    const metaBytes = align(layout.metaWords * 4, 8);
    const metaPtr = this.arena.reserve(timesBytes + metaBytes + layout.dataBytes + outCap);
    const timesPtr = metaPtr + metaBytes;
    const dataPtr = timesPtr + timesBytes;
    const outPtr = dataPtr + layout.dataBytes;
    this.layOutRecords(records, metaPtr, timesPtr, dataPtr);
    const written = this.exports.encodeRecords(records.length, metaPtr, timesPtr, dataPtr, outPtr, outCap);
    if (written < 0) throw new Error(`wasm encodeRecords invariant: output bound ${outCap} was too small (code ${written})`);
    return this.arena.copyOut(outPtr, written);
  }

  decodeRecords(buf: Buffer, start: number, end: number, count: number): DecodedRecord[] {
    checkRecordsArguments(buf, start, end, count);
    const bodyBytes = end - start;
    // First guess: up to one header per record (plus a few thousand); every header takes at
    // least 2 body bytes, which bounds the retry.
    const headersGuess = Math.min(Math.floor(bodyBytes / 2), count + RECORD_HEADERS_GUESS_EXTRA);
    let tableBytes = count * RECORD_ENTRY_BYTES + headersGuess * HEADER_ENTRY_BYTES;
    let result = this.decodeRecordTable(buf, start, end, count, tableBytes);
    if (result === ERR_OUTPUT_FULL) {
      tableBytes = count * RECORD_ENTRY_BYTES + Math.floor(bodyBytes / 2) * HEADER_ENTRY_BYTES;
      if (tableBytes + bodyBytes > limits.wasmArenaBytesMax) return this.js.decodeRecords(buf, start, end, count);
      result = this.decodeRecordTable(buf, start, end, count, tableBytes);
    }
    if (result === ERR_RECORD) this.throwRecordError(count);
    if (result < 0) throw new Error(`wasm decodeRecords invariant: table of ${tableBytes} bytes was too small`);
    return this.readRecordTable(buf, start, count, this.arena.base);
  }

  scanRecords(buf: Buffer, start: number, end: number, count: number): RecordScan {
    checkRecordsArguments(buf, start, end, count);
    const bodyBytes = end - start;
    let outPtr: number;
    try {
      outPtr = this.arena.reserve(SCAN_RESULT_BYTES + bodyBytes);
    } catch (err) {
      // A body the arena cannot hold is still a body to check: the reference scans it in place.
      if (err instanceof ArenaLimitError) return this.js.scanRecords(buf, start, end, count);
      throw err;
    }
    const inPtr = outPtr + SCAN_RESULT_BYTES;
    this.arena.u8.set(buf.subarray(start, end), inPtr);
    const headerCountMax = limits.recordHeaderCountMax;
    const result = trapsAreBugs('scanRecords', () => this.exports.scanRecords(inPtr, bodyBytes, count, outPtr, headerCountMax));
    if (result === ERR_RECORD) this.throwRecordError(count);
    if (result !== 0) throw new Error(`wasm scanRecords invariant: unexpected result ${result}`);
    const { f64, i32 } = this.arena;
    const scan = this.scanResult;
    scan.timestampDeltaMin = f64[outPtr / 8]!;
    scan.timestampDeltaMax = f64[outPtr / 8 + 1]!;
    scan.nullKeyCount = i32[outPtr / 4 + 4]!;
    scan.offsetDeltaMismatchIndex = i32[outPtr / 4 + 5]!;
    return scan;
  }

  /** The RecordDecodeError for the reason and record index the last decode or scan left. */
  private throwRecordError(count: number): never {
    throw recordReasonError(this.exports.recordErrorReason(), this.exports.recordErrorIndex(), count);
  }

  /** Copies buf[start, end) in after a table of tableBytes; returns decodeRecords' result. */
  private decodeRecordTable(buf: Buffer, start: number, end: number, count: number, tableBytes: number): number {
    const tablePtr = this.arena.reserve(tableBytes + (end - start));
    const inPtr = tablePtr + tableBytes;
    this.arena.u8.set(buf.subarray(start, end), inPtr);
    const headerCountMax = limits.recordHeaderCountMax;
    return trapsAreBugs('decodeRecords', () =>
      this.exports.decodeRecords(inPtr, end - start, count, tablePtr, tableBytes, headerCountMax),
    );
  }

  /** Builds DecodedRecords from the table: slices are views of buf, offset by start. */
  private readRecordTable(buf: Buffer, start: number, count: number, tablePtr: number): DecodedRecord[] {
    const { i32, f64 } = this.arena;
    const slice = (word: number): Buffer | null => {
      const len = i32[word + 1]!;
      if (len < 0) return null;
      const at = start + i32[word]!;
      return buf.subarray(at, at + len);
    };
    const records = new Array<DecodedRecord>(count);
    let word = tablePtr / 4;
    for (let i = 0; i < count; i++) {
      const headerCount = i32[word + 8]!;
      const headers = new Array<RecordHeader>(headerCount);
      let headerWord = word + RECORD_ENTRY_BYTES / 4;
      for (let h = 0; h < headerCount; h++) {
        headers[h] = { key: slice(headerWord)!, value: slice(headerWord + 2) };
        headerWord += HEADER_ENTRY_BYTES / 4;
      }
      records[i] = {
        attributes: i32[word]!,
        timestampDelta: f64[word / 2 + 1]!,
        offsetDelta: i32[word + 1]!,
        key: slice(word + 4),
        value: slice(word + 6),
        headers,
      };
      word = headerWord;
    }
    return records;
  }

  /** Writes the records' lengths, timestamps and bytes into the arena for encodeRecords. */
  private layOutRecords(records: readonly RecordInput[], metaPtr: number, timesPtr: number, dataPtr: number): void {
    const { u8, i32, f64 } = this.arena;
    let word = metaPtr / 4;
    let data = dataPtr;
    const put = (bytes: Buffer | null): void => {
      i32[word++] = bytes === null ? -1 : bytes.length;
      if (bytes === null || bytes.length === 0) return;
      u8.set(bytes, data);
      data += bytes.length;
    };
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      const headers = record.headers ?? [];
      f64[timesPtr / 8 + i] = record.timestampDelta ?? 0;
      put(record.key);
      put(record.value);
      i32[word++] = headers.length;
      for (const header of headers) {
        put(header.key);
        put(header.value);
      }
    }
  }

  /** Runs a decompression, turning arena exhaustion into 'too-large' and traps into bugs. */
  private guard(codec: Codec, run: () => Buffer): Buffer {
    try {
      return run();
    } catch (err) {
      if (err instanceof ArenaLimitError) codecFail(codec, 'too-large', err.message);
      return rethrowTrap(err, `${codec} decompress`);
    }
  }

  private compressWith(
    codec: Codec,
    buf: Buffer,
    boundOf: (srcLen: number) => number,
    run: (src: number, srcLen: number, dst: number, dstCap: number) => number,
  ): Buffer {
    const srcLen = buf.length;
    const outCap = boundOf(srcLen);
    let src: number;
    try {
      src = this.arena.reserve(align(srcLen, 16) + outCap);
    } catch (err) {
      if (err instanceof ArenaLimitError) codecFail(codec, 'too-large', `input of ${srcLen} bytes: ${err.message}`);
      throw err;
    }
    const dst = src + align(srcLen, 16);
    this.arena.u8.set(buf, src);
    const written = run(src, srcLen, dst, outCap);
    if (written < 0) throw new Error(`wasm ${codec} compress invariant: output bound ${outCap} was too small`);
    return this.arena.copyOut(dst, written);
  }

  /** Pass 1 sizes the output exactly (and checks the structure); pass 2 decodes into it. */
  private lz4Decompress(buf: Buffer, cap: number): Buffer {
    const srcLen = buf.length;
    const src = this.arena.reserve(srcLen);
    this.arena.u8.set(buf, src);
    const decodedBytes = this.exports.lz4FrameDecodedSize(src, srcLen, cap);
    if (decodedBytes === ERR_OUTPUT_FULL) codecFail('lz4', 'too-large', `output passes the ${cap}-byte cap`);
    if (decodedBytes < 0) decodeFailure('lz4', decodedBytes);
    const dst = align(src + srcLen, 16);
    this.arena.reserve(dst - this.arena.base + decodedBytes);
    const written = this.exports.lz4FrameDecompress(src, srcLen, dst, decodedBytes);
    if (written < 0) decodeFailure('lz4', written);
    if (written !== decodedBytes) throw new Error(`wasm lz4 invariant: decoded ${written} bytes, pass 1 said ${decodedBytes}`);
    return this.arena.copyOut(dst, written);
  }

  private snappyDecompress(buf: Buffer, cap: number): Buffer {
    const srcLen = buf.length;
    const src = this.arena.reserve(srcLen);
    this.arena.u8.set(buf, src);
    const xerial = this.exports.isXerial(src, srcLen) !== 0;
    const declared = xerial ? this.exports.xerialLength(src, srcLen) : readSnappyLength(buf);
    if (declared < 0) decodeFailure('snappy', declared);
    if (declared > cap) codecFail('snappy', 'too-large', `declared length ${declared} exceeds the ${cap}-byte cap`);
    const dst = align(src + srcLen, 16);
    this.arena.reserve(dst - this.arena.base + declared);
    const written = xerial
      ? this.exports.xerialDecompress(src, srcLen, dst, declared)
      : this.exports.snappyDecompress(src, srcLen, dst, declared);
    if (written < 0) decodeFailure('snappy', written);
    return this.arena.copyOut(dst, written);
  }
}

/** The uncompressed length a raw snappy block declares (a varint of at most 5 bytes). */
function readSnappyLength(buf: Buffer): number {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (i >= buf.length) return ERR_TRUNCATED;
    const byte = buf[i]!;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) return value > 0xffffffff ? ERR_CORRUPT : value;
  }
  return ERR_CORRUPT;
}

/** Loads the WASM hot path; throws if wasm/build/rill.wasm is missing or does not instantiate. */
export function loadWasmAccel(): Accel {
  return new WasmAccel();
}
