// Test-only helpers, deliberately independent of src/: a bitwise CRC32C and a hand-written v2
// batch header encoder, so the view is checked against bytes it did not produce.

const CRC32C_POLY_REVERSED = 0x82f63b78;

export function slowCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ CRC32C_POLY_REVERSED : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export interface HandHeader {
  baseOffset: bigint;
  partitionLeaderEpoch: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** Writes a v2 batch: the header fields in order with BigInt writes, then body, then the CRC. */
export function handBuildBatch(header: HandHeader, body: Buffer): Buffer {
  const afterCrc = Buffer.alloc(2 + 4 + 8 + 8 + 8 + 2 + 4 + 4);
  let at = 0;
  at = afterCrc.writeInt16BE(header.attributes, at);
  at = afterCrc.writeInt32BE(header.lastOffsetDelta, at);
  at = afterCrc.writeBigInt64BE(header.baseTimestamp, at);
  at = afterCrc.writeBigInt64BE(header.maxTimestamp, at);
  at = afterCrc.writeBigInt64BE(header.producerId, at);
  at = afterCrc.writeInt16BE(header.producerEpoch, at);
  at = afterCrc.writeInt32BE(header.baseSequence, at);
  afterCrc.writeInt32BE(header.recordCount, at);
  const covered = Buffer.concat([afterCrc, body]);
  const front = Buffer.alloc(8 + 4 + 4 + 1 + 4);
  front.writeBigInt64BE(header.baseOffset, 0);
  front.writeInt32BE(4 + 1 + 4 + covered.length, 8);
  front.writeInt32BE(header.partitionLeaderEpoch, 12);
  front.writeInt8(2, 16);
  front.writeUInt32BE(slowCrc32c(covered), 17);
  return Buffer.concat([front, covered]);
}

/** A deterministic pseudo-random generator (xorshift32) so failures reproduce. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}
