// The accel loader: RILL_ACCEL forces an implementation (read on every call), an unknown
// value is rejected, native wins when it loads; under CI native and wasm must load.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAccel, loadAccelImplementation, type AccelImplementation } from '../../../src/accel/index.js';
import { nativeAddonPath } from '../../../src/accel/native.js';
import { IN_CI, loadAttempts } from './implementations.js';

let savedAccelEnv: string | undefined;
beforeEach(() => {
  savedAccelEnv = process.env.RILL_ACCEL;
});
afterEach(() => {
  if (savedAccelEnv === undefined) delete process.env.RILL_ACCEL;
  else process.env.RILL_ACCEL = savedAccelEnv;
});

function loads(impl: AccelImplementation): boolean {
  return loadAttempts().some((attempt) => attempt.impl === impl && attempt.accel !== undefined);
}

describe('accel loader', () => {
  it.each(['native', 'wasm'] as const)('%s loads (required under CI; reported otherwise)', (impl) => {
    const attempt = loadAttempts().find((candidate) => candidate.impl === impl)!;
    if (attempt.error) {
      console.warn(`accel ${impl} did not load, its parity tests are skipped: ${attempt.error.message}`);
      expect(IN_CI, `${impl} must load under CI: ${attempt.error.message}`).toBe(false);
      return;
    }
    expect(attempt.accel!.implementation).toBe(impl);
  });

  it('RILL_ACCEL=js forces the TypeScript implementation', () => {
    process.env.RILL_ACCEL = 'js';
    expect(loadAccel().accel.implementation).toBe('js');
  });

  it.each(['wasm', 'native'] as const)('RILL_ACCEL=%s forces it, or fails when it cannot load', (impl) => {
    process.env.RILL_ACCEL = impl;
    if (loads(impl)) expect(loadAccel().accel.implementation).toBe(impl);
    else expect(() => loadAccel()).toThrow();
  });

  it('reads RILL_ACCEL on each call', () => {
    process.env.RILL_ACCEL = 'js';
    expect(loadAccel().accel.implementation).toBe('js');
    delete process.env.RILL_ACCEL;
    const expected = loads('native') ? 'native' : loads('wasm') ? 'wasm' : 'js';
    expect(loadAccel().accel.implementation).toBe(expected);
  });

  it('rejects an unknown RILL_ACCEL value', () => {
    process.env.RILL_ACCEL = 'turbo';
    expect(() => loadAccel()).toThrow(/RILL_ACCEL=turbo/);
  });

  it('picks native when the native module loads, and reports what it skipped', () => {
    delete process.env.RILL_ACCEL;
    const result = loadAccel();
    if (loads('native')) {
      expect(result.accel.implementation).toBe('native');
      expect(result.skipped).toEqual([]);
    } else {
      expect(result.accel.implementation).not.toBe('native');
      expect(result.skipped.some((line) => line.startsWith('native:'))).toBe(true);
    }
  });

  it('picks native whenever the built native module file exists', () => {
    delete process.env.RILL_ACCEL;
    let addonPath: string | undefined;
    try {
      addonPath = nativeAddonPath();
    } catch {
      addonPath = undefined;
    }
    if (addonPath === undefined) {
      expect(IN_CI, 'CI builds the native module').toBe(false);
      return;
    }
    expect(loads('native'), `${addonPath} exists but does not load`).toBe(true);
    expect(loadAccel().accel.implementation).toBe('native');
  });

  it('loadAccelImplementation returns the implementation asked for', () => {
    expect(loadAccelImplementation('js').implementation).toBe('js');
  });
});
