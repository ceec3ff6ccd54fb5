// Varints and v2 record bodies: js against an independent BigInt reference, byte equality of
// every implementation's encoding, decode round trips, views not copies, and malformed bodies.
import { describe, expect, it } from 'vitest';
import { RecordDecodeError, type Accel, type DecodedRecord, type RecordInput } from '../../../src/accel/index.js';
import { loadedAccels, referenceAccel, SeededRandom, thrown, unaligned } from './implementations.js';
import { malformedBodies, randomRecords, referenceVarlong } from './record-bodies.js';

const accels = loadedAccels();
const SEED = 4242;
const BOUNDARY_VALUES = [
  0, 1, -1, 63, -64, 64, -65, 127, 128, 8191, -8192, 8192, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 32,
  2 ** 35, -(2 ** 35), 2 ** 49, 2 ** 52, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53 - 2, -(2 ** 53 - 2),
];

function referenceBytes(bytes: Buffer | null): number[] {
  return bytes === null ? referenceVarlong(-1) : [...referenceVarlong(bytes.length), ...bytes];
}

/** The v2 record encoding written out by hand, field by field. */
function referenceRecords(records: readonly RecordInput[]): Buffer {
  const out: number[] = [];
  records.forEach((record, index) => {
    const body = [0, ...referenceVarlong(record.timestampDelta ?? 0), ...referenceVarlong(index)];
    body.push(...referenceBytes(record.key), ...referenceBytes(record.value));
    const headers = record.headers ?? [];
    body.push(...referenceVarlong(headers.length));
    for (const header of headers) body.push(...referenceBytes(header.key), ...referenceBytes(header.value));
    out.push(...referenceVarlong(body.length), ...body);
  });
  return Buffer.from(out);
}

function plain(records: readonly DecodedRecord[]): unknown[] {
  const hex = (bytes: Buffer | null): string | null => (bytes === null ? null : bytes.toString('hex'));
  return records.map((record) => ({
    attributes: record.attributes,
    timestampDelta: record.timestampDelta,
    offsetDelta: record.offsetDelta,
    key: hex(record.key),
    value: hex(record.value),
    headers: record.headers.map((header) => ({ key: hex(header.key), value: hex(header.value) })),
  }));
}

function expectedPlain(records: readonly RecordInput[]): unknown[] {
  const hex = (bytes: Buffer | null): string | null => (bytes === null ? null : bytes.toString('hex'));
  return records.map((record, index) => ({
    attributes: 0,
    timestampDelta: record.timestampDelta ?? 0,
    offsetDelta: index,
    key: hex(record.key),
    value: hex(record.value),
    headers: (record.headers ?? []).map((header) => ({ key: hex(header.key), value: hex(header.value) })),
  }));
}

describe.each(accels.map((accel) => [accel.implementation, accel] as const))('varints [%s]', (_name, accel) => {
  it('encode boundary values exactly as the BigInt reference and decode them back', () => {
    const encoded = accel.encodeVarints(BOUNDARY_VALUES);
    expect([...encoded]).toEqual(BOUNDARY_VALUES.flatMap(referenceVarlong));
    expect(accel.decodeVarints(encoded, 0, BOUNDARY_VALUES.length)).toEqual(BOUNDARY_VALUES);
    expect(accel.encodeVarints([]).length).toBe(0);
  });

  it('decode at an offset inside an unaligned buffer', () => {
    const random = new SeededRandom(SEED);
    const values = Array.from({ length: 500 }, () => (random.below(2) ? 1 : -1) * Math.floor(random.nextU32() * 2 ** random.below(22)));
    const { buf, start } = unaligned(accel.encodeVarints(values), random);
    expect(accel.decodeVarints(buf, start, values.length)).toEqual(values);
    expect(accel.decodeVarints(buf, start, 0)).toEqual([]);
  });

  it('reject varints longer than 10 bytes, truncated ones, and values beyond safe integers', () => {
    const elevenBytes = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]);
    thrown(() => accel.decodeVarints(elevenBytes, 0, 1), RecordDecodeError, 'eleven bytes');
    thrown(() => accel.decodeVarints(Buffer.from([0x80, 0x80]), 0, 1), RecordDecodeError, 'truncated');
    thrown(() => accel.decodeVarints(accel.encodeVarints([1, 2]), 0, 3), RecordDecodeError, 'count beyond the bytes');
    thrown(() => accel.decodeVarints(Buffer.alloc(0), 0, 1), RecordDecodeError, 'empty');
    const twoPow54 = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]); // zigzag value 2^61
    thrown(() => accel.decodeVarints(twoPow54, 0, 1), RecordDecodeError, 'beyond safe integers');
  });
});

describe.each(accels.map((accel) => [accel.implementation, accel] as const))('records [%s]', (_name, accel) => {
  it('encode byte-for-byte as the hand-written reference and as every other implementation', () => {
    const random = new SeededRandom(SEED + 1);
    for (const count of [0, 1, 2, 10, 300]) {
      const records = randomRecords(random, count);
      const encoded = accel.encodeRecords(records);
      expect(encoded.equals(referenceRecords(records)), `count ${count}`).toBe(true);
      for (const other of accels) expect(other.encodeRecords(records).equals(encoded), other.implementation).toBe(true);
    }
  });

  it('decode what every implementation encodes, as views into the input', () => {
    const random = new SeededRandom(SEED + 2);
    const records = randomRecords(random, 200);
    for (const producer of accels) {
      const { buf, start, end } = unaligned(producer.encodeRecords(records), random);
      const decoded = accel.decodeRecords(buf, start, end, records.length);
      expect(plain(decoded), producer.implementation).toEqual(expectedPlain(records));
      const viewed = decoded.flatMap((record) => [record.key, record.value, ...record.headers.flatMap((h) => [h.key, h.value])]);
      for (const view of viewed) if (view !== null && view.length > 0) expect(view.buffer).toBe(buf.buffer);
    }
  });

  it('round-trips boundary timestamps and empty keys/values', () => {
    const records: RecordInput[] = [
      { key: Buffer.alloc(0), value: Buffer.alloc(0), timestampDelta: 2 ** 53 - 1 },
      { key: null, value: null, timestampDelta: -(2 ** 53 - 1), headers: [{ key: Buffer.alloc(0), value: Buffer.alloc(0) }] },
      { key: null, value: Buffer.from('v') },
    ];
    const encoded = accel.encodeRecords(records);
    expect(plain(accel.decodeRecords(encoded, 0, encoded.length, 3))).toEqual(expectedPlain(records));
  });
});

describe.each(accels.map((accel) => [accel.implementation, accel] as const))('malformed records [%s]', (_name, accel) => {
  it.each(malformedBodies(referenceAccel()))('%s -> RecordDecodeError', (_label, body, count) => {
    thrown(() => accel.decodeRecords(body, 0, body.length, count), RecordDecodeError, _label);
  });

  it('rejects a range outside the buffer', () => {
    const body = accel.encodeRecords([{ key: null, value: Buffer.from('v') }]);
    thrown(() => accel.decodeRecords(body, 0, body.length + 1, 1), RecordDecodeError, 'end beyond');
    thrown(() => accel.decodeRecords(body, 2, 1, 0), RecordDecodeError, 'start after end');
  });

  it('decodes an empty range as zero records', () => {
    expect(accel.decodeRecords(Buffer.alloc(3), 1, 1, 0)).toEqual([]);
  });
});

describe.each(accels.map((accel) => [accel.implementation, accel] as const))('mutated records [%s]', (_name, accel) => {
  it('decode to the same result as the reference, or RecordDecodeError in both', () => {
    const random = new SeededRandom(SEED + 3);
    const reference = referenceAccel();
    const body = reference.encodeRecords(randomRecords(random, 20));
    const outcome = (impl: Accel, input: Buffer, count: number): unknown => {
      try {
        return plain(impl.decodeRecords(input, 0, input.length, count));
      } catch (err) {
        if (err instanceof RecordDecodeError) return 'RecordDecodeError';
        throw err;
      }
    };
    for (let round = 0; round < 300; round++) {
      const mutated = Buffer.from(body);
      for (let k = 1 + random.below(3); k > 0; k--) mutated[random.below(mutated.length)] = random.nextU32() & 0xff;
      const count = 20 + random.below(3) - 1;
      expect(outcome(accel, mutated, count), `round ${round}`).toEqual(outcome(reference, mutated, count));
    }
  });
});
