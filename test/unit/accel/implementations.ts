// The accel implementations for the parity suites: every one that loads here. Outside CI an
// implementation that fails to load is skipped (and reported by loader.test.ts); under
// CI=true native and wasm must load, and loader.test.ts fails if they do not.
import {
  CompressionError,
  loadAccelImplementation,
  type Accel,
  type AccelImplementation,
  type Codec,
} from '../../../src/accel/index.js';
import { SeededRandom } from '../../../bench/lib/corpus.js';

export const ALL_IMPLEMENTATIONS: readonly AccelImplementation[] = ['js', 'wasm', 'native'];
export const ALL_CODECS: readonly Codec[] = ['gzip', 'snappy', 'lz4', 'zstd'];
export const IN_CI = process.env.CI === 'true';

export interface LoadAttempt {
  impl: AccelImplementation;
  accel?: Accel;
  error?: Error;
}

let attempts: LoadAttempt[] | undefined;

export function loadAttempts(): LoadAttempt[] {
  attempts ??= ALL_IMPLEMENTATIONS.map((impl) => {
    try {
      return { impl, accel: loadAccelImplementation(impl) };
    } catch (err) {
      return { impl, error: err as Error };
    }
  });
  return attempts;
}

/** Every implementation that loaded, js first (the reference). */
export function loadedAccels(): Accel[] {
  return loadAttempts().flatMap((attempt) => (attempt.accel ? [attempt.accel] : []));
}

export function referenceAccel(): Accel {
  const js = loadedAccels().find((accel) => accel.implementation === 'js');
  if (!js) throw new Error('the js implementation must always load');
  return js;
}

const supportCache = new Map<string, boolean>();

/** Whether accel can compress with codec (it throws CompressionError 'unsupported' if not). */
export function supportsCodec(accel: Accel, codec: Codec): boolean {
  const key = `${accel.implementation}/${codec}`;
  let supported = supportCache.get(key);
  if (supported === undefined) {
    try {
      accel.compress(codec, Buffer.from('probe'));
      supported = true;
    } catch (err) {
      if (!(err instanceof CompressionError && err.kind === 'unsupported')) throw err;
      supported = false;
    }
    supportCache.set(key, supported);
  }
  return supported;
}

/** [accel, codec] pairs where the codec is supported. */
export function codecPairs(): [Accel, Codec][] {
  return loadedAccels().flatMap((accel) => ALL_CODECS.filter((codec) => supportsCodec(accel, codec)).map((codec) => [accel, codec] as [Accel, Codec]));
}

/**
 * A copy of data placed at an odd offset inside a larger buffer, so implementations that
 * ignore byteOffset or assume alignment fail.
 */
export function unaligned(data: Buffer, random: SeededRandom): { buf: Buffer; start: number; end: number } {
  const start = 1 + random.below(7);
  const trailer = random.below(9);
  const buf = Buffer.alloc(start + data.length + trailer, 0xa5);
  data.copy(buf, start);
  return { buf, start, end: start + data.length };
}

/** A view of data starting at an odd byteOffset in its ArrayBuffer. */
export function unalignedView(data: Buffer, random: SeededRandom): Buffer {
  const { buf, start, end } = unaligned(data, random);
  return buf.subarray(start, end);
}

export type ErrorClass<T> = abstract new (...args: never[]) => T;

/** Runs fn and returns what it threw (failing if it returned or threw another class). */
export function thrown<T extends Error>(fn: () => unknown, errorClass: ErrorClass<T>, context: string): T {
  let result: unknown;
  try {
    result = fn();
  } catch (err) {
    if (err instanceof errorClass) return err;
    throw new Error(`${context}: expected ${errorClass.name}, got ${(err as Error)?.name}: ${(err as Error)?.message}`);
  }
  throw new Error(`${context}: expected ${errorClass.name}, but it returned ${describe(result)}`);
}

export async function rejected<T extends Error>(promise: Promise<unknown>, errorClass: ErrorClass<T>, context: string): Promise<T> {
  let result: unknown;
  try {
    result = await promise;
  } catch (err) {
    if (err instanceof errorClass) return err;
    throw new Error(`${context}: expected ${errorClass.name}, got ${(err as Error)?.name}: ${(err as Error)?.message}`);
  }
  throw new Error(`${context}: expected ${errorClass.name}, but it resolved ${describe(result)}`);
}

function describe(value: unknown): string {
  return Buffer.isBuffer(value) ? `a ${value.length}-byte Buffer` : String(value);
}

export { SeededRandom };
