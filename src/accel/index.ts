// The accel loader: native (Rust N-API), then WASM (AssemblyScript), then the TypeScript
// reference. RILL_ACCEL=native|wasm|js forces one; a forced implementation that fails to load
// is an error, not a silent fallback. One log line names the choice.
import { createJsAccel } from './js/index.js';
import { loadNativeAccel } from './native.js';
import { loadWasmAccel } from './wasm.js';
import type { Accel, AccelImplementation } from './types.js';

export * from './types.js';

export interface AccelLoadResult {
  accel: Accel;
  /** Why faster implementations were not used, for the start-up log line. */
  skipped: string[];
}

function forcedImplementation(): AccelImplementation | undefined {
  const forced = process.env.RILL_ACCEL;
  if (forced === undefined || forced === '') return undefined;
  if (forced === 'native' || forced === 'wasm' || forced === 'js') return forced;
  throw new Error(`RILL_ACCEL=${forced} is not one of native, wasm, js`);
}

function loadOne(impl: AccelImplementation): Accel {
  if (impl === 'js') return createJsAccel();
  return impl === 'native' ? loadNativeAccel() : loadWasmAccel();
}

/** Loads the fastest available implementation, or the forced one. */
export function loadAccel(): AccelLoadResult {
  const forced = forcedImplementation();
  if (forced !== undefined) return { accel: loadOne(forced), skipped: [] };
  const skipped: string[] = [];
  for (const impl of ['native', 'wasm'] as const) {
    try {
      return { accel: loadOne(impl), skipped };
    } catch (err) {
      skipped.push(`${impl}: ${(err as Error).message}`);
    }
  }
  return { accel: createJsAccel(), skipped };
}

/** Loads a specific implementation (tests and benchmarks compare them side by side). */
export function loadAccelImplementation(impl: AccelImplementation): Accel {
  return loadOne(impl);
}

const loaded = loadAccel();

/** The process-wide hot path. */
export const accel: Accel = loaded.accel;

let announced = false;
/** Logs, once per process, which implementation runs and why faster ones did not. */
export function announceAccel(log: (line: string) => void = (line) => process.stderr.write(line + '\n')): void {
  if (announced) return;
  announced = true;
  const why = loaded.skipped.length > 0 ? ` (skipped ${loaded.skipped.join('; ')})` : '';
  log(`rill: hot path uses the ${accel.implementation} implementation${why}`);
}
