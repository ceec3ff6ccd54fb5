// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), slice-by-8 over a Buffer range.

const POLYNOMIAL_REFLECTED = 0x82f63b78;
const SLICES = 8;

/** TABLE[k * 256 + b]: the CRC of byte b followed by k zero bytes. */
const TABLE = buildTable();

function buildTable(): Uint32Array {
  const table = new Uint32Array(SLICES * 256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ POLYNOMIAL_REFLECTED : crc >>> 1;
    table[byte] = crc;
  }
  for (let byte = 0; byte < 256; byte++) {
    let crc = table[byte]!;
    for (let slice = 1; slice < SLICES; slice++) {
      crc = table[crc & 0xff]! ^ (crc >>> 8);
      table[slice * 256 + byte] = crc;
    }
  }
  return table;
}

/** Validates a [start, end) range of buf; a bad range is a caller bug, so it throws RangeError. */
export function checkRange(buf: Buffer, start: number, end: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > buf.length || start > end) {
    throw new RangeError(`range [${start}, ${end}) is not within a buffer of ${buf.length} bytes`);
  }
}

/** Ranges at least this long read aligned 32-bit words through a Uint32Array view. */
const WORD_VIEW_BYTES_MIN = 4096;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function crcBytes(buf: Uint8Array, start: number, end: number, crc: number): number {
  const t = TABLE;
  for (let i = start; i < end; i++) crc = t[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  return crc;
}

/** Slice-by-8 over 8-byte groups given as two little-endian 32-bit words each. */
function crcWordPairs(words: Uint32Array, crc: number): number {
  const t = TABLE;
  for (let w = 0; w < words.length; w += 2) {
    const low = crc ^ words[w]!;
    const high = words[w + 1]!;
    crc =
      t[1792 + (low & 0xff)]! ^
      t[1536 + ((low >>> 8) & 0xff)]! ^
      t[1280 + ((low >>> 16) & 0xff)]! ^
      t[1024 + (low >>> 24)]! ^
      t[768 + (high & 0xff)]! ^
      t[512 + ((high >>> 8) & 0xff)]! ^
      t[256 + ((high >>> 16) & 0xff)]! ^
      t[high >>> 24]!;
  }
  return crc;
}

/** Slice-by-8 assembling each word from bytes (any alignment, any length). */
function crcSliceBytes(buf: Buffer, start: number, end: number, crc: number): number {
  const t = TABLE;
  let i = start;
  const wholeEnd = start + ((end - start) & ~7);
  while (i < wholeEnd) {
    const low = crc ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    const high = buf[i + 4]! | (buf[i + 5]! << 8) | (buf[i + 6]! << 16) | (buf[i + 7]! << 24);
    crc =
      t[1792 + (low & 0xff)]! ^
      t[1536 + ((low >>> 8) & 0xff)]! ^
      t[1280 + ((low >>> 16) & 0xff)]! ^
      t[1024 + (low >>> 24)]! ^
      t[768 + (high & 0xff)]! ^
      t[512 + ((high >>> 8) & 0xff)]! ^
      t[256 + ((high >>> 16) & 0xff)]! ^
      t[high >>> 24]!;
    i += 8;
  }
  return crcBytes(buf, i, end, crc);
}

/** Bytes up to 4-byte alignment, then aligned word pairs through a view, then the tail. */
function crcAligned(buf: Buffer, start: number, end: number, crc: number): number {
  const leadEnd = start + ((4 - ((buf.byteOffset + start) & 3)) & 3);
  crc = crcBytes(buf, start, leadEnd, crc);
  const pairCount = (end - leadEnd) >>> 3;
  crc = crcWordPairs(new Uint32Array(buf.buffer, buf.byteOffset + leadEnd, pairCount * 2), crc);
  return crcBytes(buf, leadEnd + pairCount * 8, end, crc);
}

/** CRC32C of buf[start, end), continuing from seed (a previous CRC32C; 0 to start). */
export function crc32c(buf: Buffer, start = 0, end = buf.length, seed = 0): number {
  checkRange(buf, start, end);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`crc32c seed ${seed} is not an unsigned 32-bit integer`);
  }
  const useWords = LITTLE_ENDIAN && end - start >= WORD_VIEW_BYTES_MIN;
  const crc = useWords ? crcAligned(buf, start, end, ~seed) : crcSliceBytes(buf, start, end, ~seed);
  return ~crc >>> 0;
}
