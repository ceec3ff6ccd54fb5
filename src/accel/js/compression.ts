// Codec dispatch for the TypeScript implementation. Decompression lets no exception but
// CompressionError escape: anything else thrown while decoding is reported as 'corrupt'.
import { limits } from '../../config/limits.js';
import { CODEC_IDS, CompressionError, type Codec } from '../types.js';
import { AccelInvariantError } from './invariant.js';
import { gzipCompress, gzipCompressAsync, gzipDecompress, gzipDecompressAsync } from './gzip.js';
import { lz4CompressFrame, lz4DecompressFrames } from './lz4-frame.js';
import { snappyCompress, snappyDecompress } from './snappy.js';

const ZSTD_UNSUPPORTED = 'zstd needs the native module: Node 20 zlib has no zstd';

function unsupportedZstd(): never {
  throw new CompressionError('zstd', 'unsupported', ZSTD_UNSUPPORTED);
}

/** An unknown codec name is a caller bug (the type forbids it), not bad input: TypeError. */
function unknownCodec(codec: never): never {
  throw new TypeError(`unknown codec ${String(codec)}`);
}

function checkCodec(codec: Codec): void {
  if (!Object.hasOwn(CODEC_IDS, codec) || codec === ('none' as Codec)) unknownCodec(codec as never);
}

/** The cap to apply: the caller's, or limits.decompressedBytesMax. */
export function outputCap(maxOutputBytes: number | undefined): number {
  if (maxOutputBytes === undefined) return limits.decompressedBytesMax;
  if (!Number.isSafeInteger(maxOutputBytes) || maxOutputBytes < 0) {
    throw new RangeError(`maxOutputBytes ${maxOutputBytes} is not a non-negative safe integer`);
  }
  return maxOutputBytes;
}

export function compress(codec: Codec, src: Buffer): Buffer {
  switch (codec) {
    case 'gzip':
      return gzipCompress(src);
    case 'snappy':
      return snappyCompress(src);
    case 'lz4':
      return lz4CompressFrame(src);
    case 'zstd':
      return unsupportedZstd();
    default:
      return unknownCodec(codec);
  }
}

function decompressUnchecked(codec: Codec, src: Buffer, cap: number): Buffer {
  switch (codec) {
    case 'gzip':
      return gzipDecompress(src, cap);
    case 'snappy':
      return snappyDecompress(src, cap);
    case 'lz4':
      return lz4DecompressFrames(src, cap);
    case 'zstd':
      return unsupportedZstd();
    default:
      return unknownCodec(codec);
  }
}

export function decompress(codec: Codec, src: Buffer, maxOutputBytes?: number): Buffer {
  checkCodec(codec);
  const cap = outputCap(maxOutputBytes);
  try {
    return decompressUnchecked(codec, src, cap);
  } catch (err) {
    if (err instanceof CompressionError || err instanceof AccelInvariantError) throw err;
    throw new CompressionError(codec, 'corrupt', `decoder failed: ${(err as Error).message}`);
  }
}

/** gzip runs on the libuv thread pool; the pure-JS codecs run inline and settle the promise. */
export async function compressAsync(codec: Codec, src: Buffer): Promise<Buffer> {
  if (codec === 'gzip') return gzipCompressAsync(src);
  return compress(codec, src);
}

export async function decompressAsync(codec: Codec, src: Buffer, maxOutputBytes?: number): Promise<Buffer> {
  checkCodec(codec);
  const cap = outputCap(maxOutputBytes);
  if (codec === 'gzip') return gzipDecompressAsync(src, cap);
  return decompress(codec, src, cap);
}
