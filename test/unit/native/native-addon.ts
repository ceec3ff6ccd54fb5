// Loads the native addon for the native-specific suites. Outside CI a missing addon skips them;
// under CI=true load.test.ts fails instead ("native module did not load under CI").
import { loadNativeAccel, loadNativeAddon, type NativeAddon } from '../../../src/accel/native.js';
import type { Accel } from '../../../src/accel/types.js';

export const IN_CI = process.env.CI === 'true';

export interface NativeLoad {
  addon?: NativeAddon;
  accel?: Accel;
  error?: Error;
}

function load(): NativeLoad {
  try {
    return { addon: loadNativeAddon(), accel: loadNativeAccel() };
  } catch (err) {
    return { error: err as Error };
  }
}

export const native: NativeLoad = load();
/** True when the native suites cannot run (they are skipped). */
export const nativeMissing = native.addon === undefined;

export function addon(): NativeAddon {
  if (native.addon === undefined) throw new Error(`native module did not load: ${native.error?.message}`);
  return native.addon;
}

export function accel(): Accel {
  if (native.accel === undefined) throw new Error(`native module did not load: ${native.error?.message}`);
  return native.accel;
}

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
export function randomBytes(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

/** Text-like bytes that compress the way record batches do (repeated field names, numbers). */
export function textBytes(length: number, seed: number): Buffer {
  const words = ['offset', 'partition', 'topic', 'key', 'value', 'timestamp', 'headers', 'producer', 'epoch', '{', '}', ':', ','];
  const noise = randomBytes(length, seed);
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < length; i++) {
    const word = noise[i % length]! % 3 === 0 ? String(noise[(i * 7) % length]) : words[noise[i % length]! % words.length]!;
    parts.push(word);
    size += word.length + 1;
  }
  return Buffer.from(parts.join(' ')).subarray(0, length);
}
