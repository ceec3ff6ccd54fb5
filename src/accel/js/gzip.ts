// gzip through node:zlib, with zlib's errors mapped to CompressionError kinds.
import { constants as bufferConstants } from 'node:buffer';
import { gunzip, gunzipSync, gzip, gzipSync } from 'node:zlib';
import { CompressionError } from '../types.js';

/**
 * zlib accepts maxOutputLength in [1, buffer.constants.MAX_LENGTH]: a zero cap asks for 1 byte
 * and checks the result; a cap above the largest Buffer is that largest Buffer.
 */
function zlibOutputLimit(maxOutputBytes: number): number {
  return Math.min(bufferConstants.MAX_LENGTH, Math.max(1, maxOutputBytes));
}

/** Maps an error thrown by zlib while inflating to a CompressionError. */
export function gzipError(err: unknown): CompressionError {
  if (err instanceof CompressionError) return err;
  const { code, message } = err as { code?: string; message?: string };
  if (code === 'ERR_BUFFER_TOO_LARGE') return new CompressionError('gzip', 'too-large', `output exceeds the cap (${message})`);
  if (code === 'Z_BUF_ERROR') return new CompressionError('gzip', 'truncated', message ?? 'unexpected end of input');
  return new CompressionError('gzip', 'corrupt', message ?? String(err));
}

function checkOutput(out: Buffer, maxOutputBytes: number): Buffer {
  if (out.length > maxOutputBytes) {
    throw new CompressionError('gzip', 'too-large', `output of ${out.length} bytes exceeds the ${maxOutputBytes}-byte cap`);
  }
  return out;
}

export function gzipCompress(src: Buffer): Buffer {
  return gzipSync(src);
}

export function gzipDecompress(src: Buffer, maxOutputBytes: number): Buffer {
  if (src.length === 0) throw new CompressionError('gzip', 'truncated', 'input is empty');
  try {
    return checkOutput(gunzipSync(src, { maxOutputLength: zlibOutputLimit(maxOutputBytes) }), maxOutputBytes);
  } catch (err) {
    throw gzipError(err);
  }
}

export function gzipCompressAsync(src: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    gzip(src, (err, out) => (err ? reject(err) : resolve(out)));
  });
}

export function gzipDecompressAsync(src: Buffer, maxOutputBytes: number): Promise<Buffer> {
  if (src.length === 0) return Promise.reject(new CompressionError('gzip', 'truncated', 'input is empty'));
  return new Promise((resolve, reject) => {
    gunzip(src, { maxOutputLength: zlibOutputLimit(maxOutputBytes) }, (err, out) => {
      if (err) return reject(gzipError(err));
      try {
        resolve(checkOutput(out, maxOutputBytes));
      } catch (capErr) {
        reject(capErr);
      }
    });
  });
}
