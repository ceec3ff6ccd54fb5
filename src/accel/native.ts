// The Rust N-API implementation of the hot path (implementation 'native').
//
// Loads native/rill.<platform>.node (built by scripts/build-native.mjs) and adapts its
// functions to the Accel interface. gzip and the record-body codecs are not in the crate:
// gzip runs in node:zlib either way; record bodies and varints use the WASM module where it
// loads (measured faster than both the reference and an N-API version, whose per-record
// property lookups cost as much as the JS encoder), else the TypeScript reference. scanRecords
// is in the crate: it reads the caller's Buffer in place and returns four numbers through a
// reused Float64Array, so there is no per-record object to build on either side.
//
// Native errors carry codes: RILL_COMPRESSION_{CORRUPT,TRUNCATED,TOO_LARGE} become
// CompressionError; file errors are already node-style ({ code: 'ENOENT', errno, syscall }).
// FileIo.fallocate reserves blocks without changing the file size (FALLOC_FL_KEEP_SIZE).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { limits } from '../config/limits.js';
import { packageRoot } from '../util/package-root.js';
import { outputCap } from './js/compression.js';
import { gzipCompress, gzipCompressAsync, gzipDecompress, gzipDecompressAsync } from './js/gzip.js';
import { createJsAccel } from './js/index.js';
import { loadWasmAccel } from './wasm.js';
import { checkRecordsArguments } from './js/records.js';
import { recordReasonError } from './record-reasons.js';
import { CODEC_IDS, CompressionError, type Accel, type Codec, type CompressionErrorKind, type FileIo, type RecordScan } from './types.js';

/** The addon's exports (native/src/lib.rs). Codecs are Kafka attribute ids: 2, 3, 4. */
export interface NativeAddon {
  readonly crc32cImplementation: string;
  readonly ioVectorsMax: number;
  crc32c(buf: Buffer, start: number, end: number, seed: number): number;
  /** The table (slice-by-8) path, whatever the CPU: for tests and benchmarks. */
  crc32cPortable(buf: Buffer, start: number, end: number, seed: number): number;
  /** level: zstd level (default 3) or lz4 level (default 0, fast; >= 3 is HC). */
  compress(codecId: number, buf: Buffer, level?: number): Buffer;
  decompress(codecId: number, buf: Buffer, maxOutputBytes: number): Buffer;
  /**
   * As compress / decompress, but an output below 4 KiB stays in the addon's per-thread scratch
   * and its length is returned: the caller allocates (Buffer.allocUnsafe, pooled) and calls
   * takeStaged(target) at once. Larger outputs come back as a Buffer.
   */
  compressStaged(codecId: number, buf: Buffer, level?: number): Buffer | number;
  decompressStaged(codecId: number, buf: Buffer, maxOutputBytes: number): Buffer | number;
  /** Copies the staged output into target, whose length must equal the staged length. */
  takeStaged(target: Buffer): void;
  compressAsync(codecId: number, buf: Buffer, level?: number): Promise<Buffer>;
  decompressAsync(codecId: number, buf: Buffer, maxOutputBytes: number): Promise<Buffer>;
  open(path: string, flags: number, mode?: number): number;
  close(fd: number): void;
  pwrite(fd: number, buf: Buffer, position: number): number;
  pwritev(fd: number, bufs: readonly Buffer[], position: number): number;
  pread(fd: number, buf: Buffer, offset: number, length: number, position: number): number;
  fdatasync(fd: number): void;
  fallocate(fd: number, offset: number, length: number): void;
  fileSize(fd: number): number;
  ftruncate(fd: number, length: number): void;
  pwriteAsync(fd: number, buf: Buffer, position: number): Promise<number>;
  pwritevAsync(fd: number, bufs: readonly Buffer[], position: number): Promise<number>;
  preadAsync(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number>;
  fdatasyncAsync(fd: number): Promise<void>;
  /**
   * Opt-in, process-wide glibc malloc tuning (mallopt M_TRIM_THRESHOLD / M_MMAP_THRESHOLD) so
   * that freed ~1 MiB Buffers are reused instead of re-faulted; false where it cannot apply.
   */
  tuneAllocator(trimThresholdBytes: number, mmapThresholdBytes: number): boolean;
  /**
   * Scans a record body (native/src/exports/records.rs): returns 0 and writes timestampDeltaMin,
   * timestampDeltaMax, nullKeyCount, offsetDeltaMismatchIndex into out (a Buffer over a
   * Float64Array), or returns a reason code (src/accel/record-reasons.ts) with the failing
   * record's index in out's slot 4.
   */
  scanRecords(buf: Buffer, start: number, end: number, count: number, headerCountMax: number, out: Buffer): number;
}

const REQUIRED_FUNCTIONS: readonly (keyof NativeAddon)[] = [
  'crc32c', 'crc32cPortable', 'compress', 'decompress', 'compressStaged', 'decompressStaged', 'takeStaged', 'compressAsync', 'decompressAsync', 'open', 'close',
  'pwrite', 'pwritev', 'pread', 'fdatasync', 'fallocate', 'fileSize', 'ftruncate', 'pwriteAsync',
  'pwritevAsync', 'preadAsync', 'fdatasyncAsync', 'tuneAllocator', 'scanRecords',
];

const ERROR_KINDS: Readonly<Record<string, CompressionErrorKind>> = {
  RILL_COMPRESSION_CORRUPT: 'corrupt',
  RILL_COMPRESSION_TRUNCATED: 'truncated',
  RILL_COMPRESSION_TOO_LARGE: 'too-large',
};

/** The file names napi build --platform gives this platform (glibc first, then musl). */
export function nativeFileNames(): string[] {
  const base = `rill.${process.platform}-${process.arch}`;
  if (process.platform !== 'linux') return [`${base}.node`];
  return [`${base}-gnu.node`, `${base}-musl.node`];
}

/** Where the addon is, or an Error saying why there is none. */
export function nativeAddonPath(): string {
  const dir = join(packageRoot(), 'native');
  const names = nativeFileNames();
  const found = names.map((name) => join(dir, name)).find((path) => existsSync(path));
  if (found === undefined) {
    throw new Error(`native module not built: no native/${names[0]} (npm run build:native needs cargo and libzstd-dev liblz4-dev libsnappy-dev)`);
  }
  return found;
}

let cachedAddon: NativeAddon | undefined;

/** Loads (once) and checks the addon. Throws an Error with the reason if it cannot. */
export function loadNativeAddon(): NativeAddon {
  if (cachedAddon !== undefined) return cachedAddon;
  const path = nativeAddonPath();
  let addon: NativeAddon;
  try {
    addon = createRequire(import.meta.url)(path) as NativeAddon;
  } catch (err) {
    throw new Error(`native module ${path} failed to load: ${(err as Error).message}`);
  }
  const missing = REQUIRED_FUNCTIONS.filter((name) => typeof addon[name] !== 'function');
  if (missing.length > 0) {
    throw new Error(`native module ${path} is out of date (missing ${missing.join(', ')}); rebuild with npm run build:native`);
  }
  cachedAddon = addon;
  return addon;
}

/** A native error as the Accel contract wants it: CompressionError for codec failures. */
function codecError(codec: Codec, err: unknown): unknown {
  const kind = ERROR_KINDS[(err as { code?: string } | null)?.code ?? ''];
  return kind === undefined ? err : new CompressionError(codec, kind, (err as Error).message);
}

const NATIVE_CODECS: ReadonlySet<string> = new Set(['snappy', 'lz4', 'zstd']);

/** The Kafka id of a codec the crate implements (gzip is handled before this). */
function codecId(codec: Codec): number {
  if (!NATIVE_CODECS.has(codec)) throw new TypeError(`unknown codec ${String(codec)}`);
  return CODEC_IDS[codec];
}

/** The output of a *Staged call as a Buffer (allocated here, so small ones come from the pool). */
function takeOutput(addon: NativeAddon, staged: Buffer | number): Buffer {
  if (typeof staged !== 'number') return staged;
  const output = Buffer.allocUnsafe(staged);
  addon.takeStaged(output);
  return output;
}

function createCodecs(addon: NativeAddon): Pick<Accel, 'compress' | 'decompress' | 'compressAsync' | 'decompressAsync'> {
  const compress = (codec: Codec, buf: Buffer): Buffer => {
    if (codec === 'gzip') return gzipCompress(buf);
    return takeOutput(addon, addon.compressStaged(codecId(codec), buf));
  };
  const decompress = (codec: Codec, buf: Buffer, maxOutputBytes?: number): Buffer => {
    const cap = outputCap(maxOutputBytes);
    if (codec === 'gzip') return gzipDecompress(buf, cap);
    const id = codecId(codec);
    try {
      return takeOutput(addon, addon.decompressStaged(id, buf, cap));
    } catch (err) {
      throw codecError(codec, err);
    }
  };
  const compressAsync = async (codec: Codec, buf: Buffer): Promise<Buffer> => {
    if (codec === 'gzip') return gzipCompressAsync(buf);
    if (buf.length < limits.asyncCompressionThresholdBytes) return compress(codec, buf);
    return addon.compressAsync(codecId(codec), buf);
  };
  const decompressAsync = async (codec: Codec, buf: Buffer, maxOutputBytes?: number): Promise<Buffer> => {
    const cap = outputCap(maxOutputBytes);
    if (codec === 'gzip') return gzipDecompressAsync(buf, cap);
    if (buf.length < limits.asyncCompressionThresholdBytes) return decompress(codec, buf, cap);
    const id = codecId(codec);
    try {
      return await addon.decompressAsync(id, buf, cap);
    } catch (err) {
      throw codecError(codec, err);
    }
  };
  return { compress, decompress, compressAsync, decompressAsync };
}

function createFileIo(addon: NativeAddon): FileIo {
  return {
    open: (path, flags, mode) => addon.open(path, flags, mode),
    close: (fd) => addon.close(fd),
    pwrite: (fd, buf, position) => addon.pwrite(fd, buf, position),
    pwritev: (fd, bufs, position) => addon.pwritev(fd, bufs, position),
    pread: (fd, buf, offset, length, position) => addon.pread(fd, buf, offset, length, position),
    fdatasync: (fd) => addon.fdatasync(fd),
    fallocate: (fd, offset, length) => addon.fallocate(fd, offset, length),
    fileSize: (fd) => addon.fileSize(fd),
    ftruncate: (fd, length) => addon.ftruncate(fd, length),
    pwriteAsync: (fd, buf, position) => addon.pwriteAsync(fd, buf, position),
    pwritevAsync: (fd, bufs, position) => addon.pwritevAsync(fd, bufs, position),
    preadAsync: (fd, buf, offset, length, position) => addon.preadAsync(fd, buf, offset, length, position),
    fdatasyncAsync: (fd) => addon.fdatasyncAsync(fd),
  };
}

/** The native Accel. Throws an Error with a clear reason if the addon is missing or broken. */
export function loadNativeAccel(): Accel {
  const addon = loadNativeAddon();
  return {
    implementation: 'native',
    crc32c: (buf, start = 0, end = buf.length, seed = 0) => addon.crc32c(buf, start, end, seed),
    ...createCodecs(addon),
    ...recordCodecs(),
    scanRecords: createRecordScanner(addon),
    file: createFileIo(addon),
  };
}

type RecordCodecs = Pick<Accel, 'encodeVarints' | 'decodeVarints' | 'encodeRecords' | 'decodeRecords'>;

/** WASM's record-body codecs when the module loads; the reference for what WASM's arena cannot hold. */
function recordCodecs(): RecordCodecs {
  const js = createJsAccel();
  let wasm: Accel;
  try {
    wasm = loadWasmAccel();
  } catch {
    return { encodeVarints: js.encodeVarints, decodeVarints: js.decodeVarints, encodeRecords: js.encodeRecords, decodeRecords: js.decodeRecords };
  }
  return {
    encodeVarints: (values) => wasm.encodeVarints(values),
    decodeVarints: (buf, offset, count) => wasm.decodeVarints(buf, offset, count),
    encodeRecords: (records) => {
      try {
        return wasm.encodeRecords(records);
      } catch (err) {
        // The arena bound (limits.wasmArenaBytesMax) is a RangeError; anything else is a bug.
        if (err instanceof RangeError) return js.encodeRecords(records);
        throw err;
      }
    },
    decodeRecords: (buf, start, end, count) => wasm.decodeRecords(buf, start, end, count),
  };
}

const SCAN_OUT_SLOTS = 5;
const SCAN_OUT_ERROR_INDEX = 4;

/** scanRecords over the addon, with one output array and one result object reused by every call. */
function createRecordScanner(addon: NativeAddon): Accel['scanRecords'] {
  const slots = new Float64Array(SCAN_OUT_SLOTS);
  const out = Buffer.from(slots.buffer);
  const scan: RecordScan = { timestampDeltaMin: 0, timestampDeltaMax: 0, nullKeyCount: 0, offsetDeltaMismatchIndex: -1 };
  return (buf, start, end, count) => {
    checkRecordsArguments(buf, start, end, count);
    const reasonCode = addon.scanRecords(buf, start, end, count, limits.recordHeaderCountMax, out);
    if (reasonCode !== 0) throw recordReasonError(reasonCode, slots[SCAN_OUT_ERROR_INDEX]!, count);
    scan.timestampDeltaMin = slots[0]!;
    scan.timestampDeltaMax = slots[1]!;
    scan.nullKeyCount = slots[2]!;
    scan.offsetDeltaMismatchIndex = slots[3]!;
    return scan;
  };
}
