// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), slice-by-16.
// Tables live in static memory and are computed once when the module starts.

const POLY: u32 = 0x82f63b78;
const SLICES: i32 = 16;
/** SLICES tables of 256 u32 entries; table k at TABLES + k * 1024. */
const TABLES: usize = memory.data(SLICES * 256 * 4, 64);

function buildTables(): void {
  for (let b: u32 = 0; b < 256; b++) {
    let crc = b;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (POLY & (0 - (crc & 1)));
    store<u32>(TABLES + (<usize>b << 2), crc);
  }
  for (let k = 1; k < SLICES; k++) {
    for (let b: u32 = 0; b < 256; b++) {
      const prev = load<u32>(TABLES + (<usize>(k - 1) << 10) + (<usize>b << 2));
      const next = (prev >>> 8) ^ load<u32>(TABLES + (<usize>(prev & 0xff) << 2));
      store<u32>(TABLES + (<usize>k << 10) + (<usize>b << 2), next);
    }
  }
}
buildTables();

// @ts-ignore: decorator
@inline function t(k: i32, index: u32): u32 {
  return load<u32>(TABLES + (<usize>index << 2) + (<usize>k << 10));
}

// @ts-ignore: decorator
@inline function word16(crc: u32, p: usize): u32 {
  const w0 = load<u32>(p) ^ crc;
  const w1 = load<u32>(p, 4);
  const w2 = load<u32>(p, 8);
  const w3 = load<u32>(p, 12);
  return t(15, w0 & 0xff) ^ t(14, (w0 >>> 8) & 0xff) ^ t(13, (w0 >>> 16) & 0xff) ^ t(12, w0 >>> 24) ^
    t(11, w1 & 0xff) ^ t(10, (w1 >>> 8) & 0xff) ^ t(9, (w1 >>> 16) & 0xff) ^ t(8, w1 >>> 24) ^
    t(7, w2 & 0xff) ^ t(6, (w2 >>> 8) & 0xff) ^ t(5, (w2 >>> 16) & 0xff) ^ t(4, w2 >>> 24) ^
    t(3, w3 & 0xff) ^ t(2, (w3 >>> 8) & 0xff) ^ t(1, (w3 >>> 16) & 0xff) ^ t(0, w3 >>> 24);
}

/** CRC32C of [ptr, ptr + len), continuing from seed (a previous CRC, 0 to start). */
export function crc32c(ptr: usize, len: usize, seed: u32): u32 {
  let crc = ~seed;
  let p = ptr;
  const end = ptr + len;
  while (p < end && (p & 3) != 0) {
    crc = (crc >>> 8) ^ t(0, (crc ^ load<u8>(p)) & 0xff);
    p++;
  }
  while (end - p >= 16) {
    crc = word16(crc, p);
    p += 16;
  }
  while (p < end) {
    crc = (crc >>> 8) ^ t(0, (crc ^ load<u8>(p)) & 0xff);
    p++;
  }
  return ~crc;
}
