// The accel implementations that load on this machine (js always; wasm and native when built).
import { loadAccelImplementation, type Accel, type AccelImplementation } from '../../../src/accel/index.js';

export function availableAccels(): Accel[] {
  const loaded: Accel[] = [];
  for (const impl of ['js', 'wasm', 'native'] as AccelImplementation[]) {
    try {
      loaded.push(loadAccelImplementation(impl));
    } catch {
      // not built here: the parity suites in test/unit/accel report that; we test what loads
    }
  }
  return loaded;
}
