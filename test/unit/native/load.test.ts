// The native module loads (or, outside CI, says why not); under CI=true a missing native module
// fails this suite.
import { describe, expect, it } from 'vitest';
import { nativeAddonPath, nativeFileNames } from '../../../src/accel/native.js';
import { addon, IN_CI, native, nativeMissing } from './native-addon.js';

describe('native module', () => {
  it.runIf(IN_CI)('loads under CI', () => {
    expect(native.error?.message, 'native module did not load under CI').toBeUndefined();
    expect(native.accel?.implementation).toBe('native');
  });

  it.runIf(!nativeMissing)('is the file napi build --platform produces, with every function', () => {
    expect(nativeFileNames().some((name) => nativeAddonPath().endsWith(name))).toBe(true);
    expect(native.accel?.implementation).toBe('native');
    expect(typeof addon().crc32cImplementation).toBe('string');
    expect(addon().ioVectorsMax).toBeGreaterThan(0);
  });

  it.runIf(nativeMissing && !IN_CI)('reports a clear reason when it is missing', () => {
    expect(native.error?.message).toMatch(/native module/);
  });

  it.runIf(!nativeMissing)('tuneAllocator applies on glibc and bounds its thresholds', () => {
    const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime;
    expect(addon().tuneAllocator(256 * 1_048_576, 32 * 1_048_576)).toBe(glibc !== undefined);
    expect(() => addon().tuneAllocator(2 ** 31, 0)).toThrow(RangeError);
    expect(() => addon().tuneAllocator(-1, 0)).toThrow(RangeError);
  });

  it.runIf(!nativeMissing)('rejects arguments of the wrong type with TypeError, not a crash', () => {
    const a = addon();
    expect(() => a.crc32c('not a buffer' as unknown as Buffer, 0, 0, 0)).toThrow(TypeError);
    expect(() => a.decompress(3, {} as Buffer, 10)).toThrow(TypeError);
    expect(() => a.pwritev(1, 'x' as unknown as Buffer[], 0)).toThrow(TypeError);
    expect(() => a.pwritev(1, [Buffer.alloc(1), 7 as unknown as Buffer], 0)).toThrow(TypeError);
    expect(() => a.open(42 as unknown as string, 0)).toThrow(TypeError);
    expect(() => a.compress(9, Buffer.alloc(1))).toThrow(RangeError);
    expect(() => a.compress(4, Buffer.alloc(1), 1.5)).toThrow(RangeError);
    expect(() => a.pread(-1, Buffer.alloc(1), 0, 1, 0)).toThrow(RangeError);
    expect(() => a.pwrite(0, Buffer.alloc(1), 2 ** 53)).toThrow(RangeError);
  });
});
