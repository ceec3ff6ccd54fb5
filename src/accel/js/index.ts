// The TypeScript reference implementation of the hot path (implementation 'js').
import type { Accel } from '../types.js';
import { compress, compressAsync, decompress, decompressAsync } from './compression.js';
import { crc32c } from './crc32c.js';
import { createJsFileIo } from './file-io.js';
import { scanRecords } from './record-scan.js';
import { decodeRecords, encodeRecords } from './records.js';
import { decodeVarints, encodeVarints } from './varint.js';

export { xxh32 } from './xxh32.js';

export function createJsAccel(): Accel {
  return {
    implementation: 'js',
    crc32c,
    compress,
    decompress,
    compressAsync,
    decompressAsync,
    encodeVarints,
    decodeVarints,
    encodeRecords,
    decodeRecords,
    scanRecords,
    file: createJsFileIo(),
  };
}
