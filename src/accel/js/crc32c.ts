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

/** CRC32C of buf[start, end), continuing from seed (a previous CRC32C; 0 to start). */
export function crc32c(buf: Buffer, start = 0, end = buf.length, seed = 0): number {
  checkRange(buf, start, end);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`crc32c seed ${seed} is not an unsigned 32-bit integer`);
  }
  const t = TABLE;
  let crc = ~seed;
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
  while (i < end) {
    crc = t[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
    i++;
  }
  return ~crc >>> 0;
}
