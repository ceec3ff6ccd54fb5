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

const CRC32_POLY_REVERSED = 0xedb88320;

/** Bitwise CRC32 (IEEE), independent of node:zlib and of src/. */
export function slowCrc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ CRC32_POLY_REVERSED : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export interface HandMessage {
  offset: bigint;
  magic: 0 | 1;
  attributes?: number;
  timestampMs?: bigint;
  key: Buffer | null;
  value: Buffer | null;
}

function lengthPrefixed(bytes: Buffer | null): Buffer {
  const length = Buffer.alloc(4);
  length.writeInt32BE(bytes === null ? -1 : bytes.length);
  return bytes === null ? length : Buffer.concat([length, bytes]);
}

/** One v0/v1 message-set entry: offset, size, crc, magic, attributes, [timestamp], key, value. */
export function handBuildMessage(message: HandMessage): Buffer {
  const head = Buffer.alloc(message.magic === 1 ? 10 : 2);
  head.writeInt8(message.magic, 0);
  head.writeInt8(message.attributes ?? 0, 1);
  if (message.magic === 1) head.writeBigInt64BE(message.timestampMs ?? 0n, 2);
  const covered = Buffer.concat([head, lengthPrefixed(message.key), lengthPrefixed(message.value)]);
  const front = Buffer.alloc(16);
  front.writeBigInt64BE(message.offset, 0);
  front.writeInt32BE(4 + covered.length, 8);
  front.writeUInt32BE(slowCrc32(covered), 12);
  return Buffer.concat([front, covered]);
}

/** Snappy in xerial framing, using only literal elements (a valid if useless compression). */
export function xerialSnappyLiterals(data: Buffer): Buffer {
  const varint: number[] = [];
  for (let n = data.length; ; n >>>= 7) {
    if (n < 0x80) {
      varint.push(n);
      break;
    }
    varint.push((n & 0x7f) | 0x80);
  }
  const parts: Buffer[] = [Buffer.from(varint)];
  for (let at = 0; at < data.length; at += 60) {
    const literal = data.subarray(at, at + 60);
    parts.push(Buffer.from([(literal.length - 1) << 2]), literal);
  }
  const block = Buffer.concat(parts);
  const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
  const chunkLength = Buffer.alloc(4);
  chunkLength.writeInt32BE(block.length);
  return Buffer.concat([header, chunkLength, block]);
}

/** Rounds for the randomized robustness tests: modest by default, RILL_FUZZ_ROUNDS for long runs. */
export function fuzzRounds(defaultRounds: number): number {
  const fromEnv = Number(process.env.RILL_FUZZ_ROUNDS);
  return Number.isSafeInteger(fromEnv) && fromEnv > 0 ? fromEnv : defaultRounds;
}
