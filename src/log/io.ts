// The default storage context: the loaded accel (native, WASM or JS) and one process-wide
// file-handle cache bounded by limits.logFileHandlesMax.
import { accel } from '../accel/index.js';
import { limits } from '../config/limits.js';
import type { StorageContext } from './context.js';
import { FileHandleCache } from './file-handles.js';

let shared: StorageContext | undefined;

export function defaultStorageContext(): StorageContext {
  shared ??= createStorageContext(limits.logFileHandlesMax);
  return shared;
}

export function createStorageContext(handlesMax: number): StorageContext {
  return {
    io: accel.file,
    crc32c: (buf, start, end, seed) => accel.crc32c(buf, start, end, seed),
    records: accel,
    handles: new FileHandleCache(accel.file, handlesMax),
    nowMs: () => Date.now(),
    warn: (line) => process.stderr.write(`rill storage: ${line}\n`),
  };
}
