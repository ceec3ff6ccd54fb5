// The Rill hot-path WASM module: one module, one linear memory. Static tables sit below
// __heap_base; src/accel/wasm.ts owns everything above it (the arena) and passes pointers.

export { crc32c } from './crc32c';
export { xxh32 } from './xxh32';
export { encodeVarlongs, decodeVarlongs } from './varint';
export { encodeRecords, decodeRecords, scanRecords, recordErrorReason, recordErrorIndex } from './records';
export { lz4FrameBound, lz4FrameCompress, lz4FrameDecompress, lz4FrameDecodedSize } from './lz4';
export { snappyBound, snappyCompress, snappyDecompress, isXerial, xerialLength, xerialDecompress } from './snappy';

/** First byte the arena may use (16-byte aligned). */
export function arenaBase(): usize {
  return (__heap_base + 15) & ~<usize>15;
}
