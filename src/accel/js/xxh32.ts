// xxHash32 (used by the LZ4 frame format for header, block and content checksums).

const PRIME1 = 2654435761;
const PRIME2 = 2246822519;
const PRIME3 = 3266489917;
const PRIME4 = 668265263;
const PRIME5 = 374761393;

function rotl(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

function readU32(buf: Uint8Array, i: number): number {
  return buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
}

function round(acc: number, lane: number): number {
  return Math.imul(rotl((acc + Math.imul(lane, PRIME2)) | 0, 13), PRIME1);
}

function stripes(buf: Uint8Array, start: number, stripesEnd: number, seed: number): number {
  let v1 = (seed + PRIME1 + PRIME2) | 0;
  let v2 = (seed + PRIME2) | 0;
  let v3 = seed | 0;
  let v4 = (seed - PRIME1) | 0;
  for (let i = start; i < stripesEnd; i += 16) {
    v1 = round(v1, readU32(buf, i));
    v2 = round(v2, readU32(buf, i + 4));
    v3 = round(v3, readU32(buf, i + 8));
    v4 = round(v4, readU32(buf, i + 12));
  }
  return (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
}

/** xxh32 of buf[start, end) with the given seed; returns an unsigned 32-bit number. */
export function xxh32(buf: Uint8Array, start: number, end: number, seed = 0): number {
  const length = end - start;
  const stripesEnd = start + (length & ~15);
  let h = length >= 16 ? stripes(buf, start, stripesEnd, seed) : (seed + PRIME5) | 0;
  h = (h + length) | 0;
  let i = stripesEnd;
  for (; i + 4 <= end; i += 4) {
    h = Math.imul(rotl((h + Math.imul(readU32(buf, i), PRIME3)) | 0, 17), PRIME4);
  }
  for (; i < end; i++) {
    h = Math.imul(rotl((h + Math.imul(buf[i]!, PRIME5)) | 0, 11), PRIME1);
  }
  h ^= h >>> 15;
  h = Math.imul(h, PRIME2);
  h ^= h >>> 13;
  h = Math.imul(h, PRIME3);
  h ^= h >>> 16;
  return h >>> 0;
}
