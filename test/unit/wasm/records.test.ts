// WASM record bodies and varints: byte-identical encoding with the JS reference, decoding into
// views of the caller's buffer (no copy), and malformed bodies mapped to RecordDecodeError.
import { beforeAll, describe, expect, it } from 'vitest';
import { RecordDecodeError, type DecodedRecord, type RecordInput } from '../../../src/accel/types.js';
import type { WasmAccel } from '../../../src/accel/wasm.js';
import { jsAccel, newWasmAccel, randomBytes, runWasmSuite } from './helpers.js';

/** Pseudo-random records: null/empty/short/long keys and values, headers, signed deltas. */
function randomRecords(count: number, seed: number): RecordInput[] {
  const noise = randomBytes(count * 16, seed);
  const pick = (i: number, k: number): number => noise[i * 16 + k]!;
  const bytes = (n: number, i: number): Buffer | null => (n % 7 === 0 ? null : randomBytes(n * (n % 5 === 0 ? 40 : 1), seed + i));
  const records: RecordInput[] = [];
  for (let i = 0; i < count; i++) {
    const headerCount = pick(i, 2) % 4;
    const headers = Array.from({ length: headerCount }, (_, h) => ({
      key: randomBytes(pick(i, 3 + h) % 12, seed * 31 + h),
      value: bytes(pick(i, 7 + h), i + h),
    }));
    const sign = pick(i, 11) % 2 === 0 ? 1 : -1;
    const magnitude = [0, 1, 63, 64, 8191, 2 ** 31, 2 ** 53 - 1][pick(i, 12) % 7]!;
    records.push({ key: bytes(pick(i, 0), i), value: bytes(pick(i, 1), i + 7), headers, timestampDelta: sign * magnitude + 0 });
  }
  return records;
}

/** Decoded records with their byte slices as hex (deep equality on Buffers is very slow). */
function plain(records: readonly DecodedRecord[]): unknown[] {
  const hex = (bytes: Buffer | null): string | null => (bytes === null ? null : bytes.toString('hex'));
  return records.map((record) => ({
    ...record,
    key: hex(record.key),
    value: hex(record.value),
    headers: record.headers.map((header) => ({ key: hex(header.key), value: hex(header.value) })),
  }));
}

function expectDecodeError(run: () => unknown): void {
  expect(run).toThrow(RecordDecodeError);
}

describe.runIf(runWasmSuite)('wasm record bodies', () => {
  let wasm: WasmAccel;
  beforeAll(() => {
    wasm = newWasmAccel();
  });

  it('encodes byte-for-byte what the JS reference encodes', () => {
    for (const count of [0, 1, 2, 50, 500]) {
      const records = randomRecords(count, count + 1);
      expect(wasm.encodeRecords(records).equals(jsAccel.encodeRecords(records))).toBe(true);
    }
  });

  it('decodes what the JS reference decodes, as views of the input buffer', () => {
    const records = randomRecords(300, 41);
    const body = jsAccel.encodeRecords(records);
    const framed = Buffer.concat([Buffer.from('prefix--'), body, Buffer.from('suffix')]);
    const start = 8;
    const decoded = wasm.decodeRecords(framed, start, start + body.length, records.length);
    expect(plain(decoded)).toEqual(plain(jsAccel.decodeRecords(framed, start, start + body.length, records.length)));
    for (let i = 0; i < decoded.length; i++) {
      expect(decoded[i]!.offsetDelta).toBe(i);
      expect(decoded[i]!.timestampDelta).toBe(records[i]!.timestampDelta);
      for (const slice of [decoded[i]!.key, decoded[i]!.value, ...decoded[i]!.headers.map((h) => h.key)]) {
        if (slice !== null) expect(slice.buffer).toBe(framed.buffer);
      }
    }
    const firstKey = decoded.find((record) => record.key !== null && record.key.length > 0)!.key!;
    const at = firstKey.byteOffset - framed.byteOffset;
    framed[at] = framed[at]! ^ 0xff;
    expect(firstKey[0]).toBe(framed[at]); // a view, not a copy
  });

  it('decodes records with many headers (the table grows past its first guess)', () => {
    const headers = Array.from({ length: 5000 }, () => ({ key: Buffer.alloc(0), value: null }));
    const records: RecordInput[] = [{ key: null, value: null, headers }, { key: Buffer.from('k'), value: Buffer.from('v') }];
    const body = wasm.encodeRecords(records);
    const decoded = wasm.decodeRecords(body, 0, body.length, 2);
    expect(decoded[0]!.headers).toHaveLength(5000);
    expect(decoded[1]!.key!.toString()).toBe('k');
  });

  it('rejects every truncation, a trailing byte and a wrong count with RecordDecodeError', () => {
    const body = wasm.encodeRecords(randomRecords(5, 42));
    for (let end = 0; end < body.length; end++) expectDecodeError(() => wasm.decodeRecords(body, 0, end, 5));
    const longer = Buffer.concat([body, Buffer.from([0])]);
    expectDecodeError(() => wasm.decodeRecords(longer, 0, longer.length, 5));
    expectDecodeError(() => wasm.decodeRecords(body, 0, body.length, 4));
    expectDecodeError(() => wasm.decodeRecords(body, 0, body.length, 6));
    expectDecodeError(() => wasm.decodeRecords(body, 0, body.length + 1, 5));
    expectDecodeError(() => wasm.decodeRecords(body, 0, body.length, -1));
  });

  it('rejects bad lengths, header counts and over-long varints', () => {
    // length 6: attributes 0, ts 0, offset 0, key length -2 (invalid), value null, 0 headers.
    expectDecodeError(() => wasm.decodeRecords(Buffer.from([12, 0, 0, 0, 3, 1, 0]), 0, 7, 1));
    // header count -1.
    expectDecodeError(() => wasm.decodeRecords(Buffer.from([12, 0, 0, 0, 1, 1, 1]), 0, 7, 1));
    // header count 100 with no bytes for them.
    expectDecodeError(() => wasm.decodeRecords(Buffer.from([14, 0, 0, 0, 1, 1, 0xc8, 0x01]), 0, 8, 1));
    // header key null (-1) is invalid.
    expectDecodeError(() => wasm.decodeRecords(Buffer.from([16, 0, 0, 0, 1, 1, 2, 1, 1]), 0, 9, 1));
    // offsetDelta varint of 6 bytes.
    const longVarint = Buffer.from([22, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 1, 1, 0]);
    expectDecodeError(() => wasm.decodeRecords(longVarint, 0, longVarint.length, 1));
    // record length says 7, fields take 6.
    expectDecodeError(() => wasm.decodeRecords(Buffer.from([14, 0, 0, 0, 1, 1, 0, 0]), 0, 8, 1));
  });

  it('agrees with the JS reference on mutated bodies: same records or both RecordDecodeError', () => {
    const records = randomRecords(20, 43);
    const body = jsAccel.encodeRecords(records);
    const noise = randomBytes(2000 * 3, 44);
    for (let i = 0; i < 2000; i++) {
      const mutated = Buffer.from(body);
      mutated[((noise[3 * i]! << 8) | noise[3 * i + 1]!) % body.length] = noise[3 * i + 2]!;
      let expected: unknown;
      try {
        expected = plain(jsAccel.decodeRecords(mutated, 0, mutated.length, records.length));
      } catch (err) {
        expect(err).toBeInstanceOf(RecordDecodeError);
        expectDecodeError(() => wasm.decodeRecords(mutated, 0, mutated.length, records.length));
        continue;
      }
      expect(plain(wasm.decodeRecords(mutated, 0, mutated.length, records.length))).toEqual(expected);
    }
  });

  it('rejects an unsafe timestampDelta on encode with RangeError', () => {
    expect(() => wasm.encodeRecords([{ key: null, value: null, timestampDelta: 2 ** 53 }])).toThrow(RangeError);
    expect(() => wasm.encodeRecords([{ key: null, value: null, timestampDelta: 1.5 }])).toThrow(RangeError);
  });
});

describe.runIf(runWasmSuite)('wasm varints', () => {
  let wasm: WasmAccel;
  beforeAll(() => {
    wasm = newWasmAccel();
  });
  const values = [0, 1, -1, 63, -64, 64, 300, -70_000, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, -(2 ** 53 - 1)];

  it('encodes like the JS reference and decodes back', () => {
    const encoded = wasm.encodeVarints(values);
    expect(encoded.equals(jsAccel.encodeVarints(values))).toBe(true);
    expect(wasm.decodeVarints(encoded, 0, values.length)).toEqual(values);
    const shifted = Buffer.concat([Buffer.from([0xaa, 0xbb]), encoded]);
    expect(wasm.decodeVarints(shifted, 2, values.length)).toEqual(values);
    expect(wasm.encodeVarints([]).length).toBe(0);
  });

  it('rejects truncated, over-long and unsafe varlongs with RecordDecodeError', () => {
    const encoded = wasm.encodeVarints(values);
    expectDecodeError(() => wasm.decodeVarints(encoded.subarray(0, encoded.length - 1), 0, values.length));
    expectDecodeError(() => wasm.decodeVarints(Buffer.alloc(11, 0x80), 0, 1));
    // 2^53 zigzagged (outside the safe range): 0x80 0x80 ... 0x80 0x20 (9 bytes).
    const unsafe = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
    expectDecodeError(() => jsAccel.decodeVarints(unsafe, 0, 1));
    expectDecodeError(() => wasm.decodeVarints(unsafe, 0, 1));
    // the 10th byte may only carry bit 63.
    expectDecodeError(() => wasm.decodeVarints(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02]), 0, 1));
    expectDecodeError(() => wasm.decodeVarints(encoded, encoded.length + 1, 1));
    expect(() => wasm.encodeVarints([2 ** 53])).toThrow(RangeError);
  });
});
