// CRC32 (IEEE 802.3, zlib's), the checksum of magic v0/v1 messages. node:zlib has crc32 from
// Node 20.15; earlier 20.x releases get the table implementation below.
import * as zlib from 'node:zlib';

type Crc32 = (data: Uint8Array, seed?: number) => number;

const IEEE_POLY_REVERSED = 0xedb88320;

function makeTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? (c >>> 1) ^ IEEE_POLY_REVERSED : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

let table: Uint32Array | undefined;

/** Table-driven CRC32; exported for the parity test against node:zlib. */
export function crc32Table(data: Uint8Array, seed = 0): number {
  table ??= makeTable();
  let crc = (seed ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const zlibCrc32 = (zlib as { crc32?: Crc32 }).crc32;

/** CRC32 (IEEE) of data as an unsigned 32-bit number. */
export const crc32: Crc32 = zlibCrc32 !== undefined ? (data, seed) => zlibCrc32(data, seed) >>> 0 : crc32Table;
