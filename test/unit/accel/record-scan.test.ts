// scanRecords against decodeRecords, in every implementation: the same verdict on every body
// (valid, malformed, mutated), the same error text as the implementation's own decodeRecords,
// and fields equal to what the decoded records say (timestampDelta range, null keys, the first
// offsetDelta that is not its index).
import { describe, expect, it } from 'vitest';
import { RecordDecodeError, type Accel, type DecodedRecord, type RecordInput, type RecordScan } from '../../../src/accel/index.js';
import { loadedAccels, referenceAccel, SeededRandom, thrown, unaligned } from './implementations.js';
import { malformedBodies, randomRecords, referenceVarlong } from './record-bodies.js';

const accels = loadedAccels();
const SEED = 9191;

/** The scan a correct implementation returns, from decoded records. */
function expectedScan(records: readonly Pick<DecodedRecord, 'key' | 'timestampDelta' | 'offsetDelta'>[]): RecordScan {
  const deltas = records.map((record) => record.timestampDelta);
  const mismatch = records.findIndex((record, index) => record.offsetDelta !== index);
  return {
    timestampDeltaMin: deltas.length === 0 ? 0 : Math.min(...deltas),
    timestampDeltaMax: deltas.length === 0 ? 0 : Math.max(...deltas),
    nullKeyCount: records.filter((record) => record.key === null).length,
    offsetDeltaMismatchIndex: mismatch,
  };
}

function inputScan(records: readonly RecordInput[]): RecordScan {
  return expectedScan(records.map((record, index) => ({ key: record.key, timestampDelta: record.timestampDelta ?? 0, offsetDelta: index })));
}

/** What an implementation says about a body: the scan fields, or its RecordDecodeError text. */
function scanOutcome(accel: Accel, body: Buffer, count: number): RecordScan | string {
  try {
    return { ...accel.scanRecords(body, 0, body.length, count) };
  } catch (err) {
    if (err instanceof RecordDecodeError) return `RecordDecodeError: ${err.message}`;
    throw err;
  }
}

function decodeOutcome(accel: Accel, body: Buffer, count: number): RecordScan | string {
  try {
    return expectedScan(accel.decodeRecords(body, 0, body.length, count));
  } catch (err) {
    if (err instanceof RecordDecodeError) return `RecordDecodeError: ${err.message}`;
    throw err;
  }
}

/** One record written field by field, with the offsetDelta given. */
function rawRecord(offsetDelta: number, timestampDelta: number, key: number[] | null): number[] {
  const keyBytes = key === null ? referenceVarlong(-1) : [...referenceVarlong(key.length), ...key];
  const body = [0, ...referenceVarlong(timestampDelta), ...referenceVarlong(offsetDelta), ...keyBytes, ...referenceVarlong(1), 0x76, 0];
  return [...referenceVarlong(body.length), ...body];
}

describe.each(accels.map((accel) => [accel.implementation, accel] as const))('scanRecords [%s]', (_name, accel) => {
  it('reports the timestampDelta range and null keys of random valid bodies, at any offset', () => {
    const random = new SeededRandom(SEED);
    for (const count of [1, 2, 7, 300]) {
      const records = randomRecords(random, count);
      const { buf, start, end } = unaligned(referenceAccel().encodeRecords(records), random);
      expect({ ...accel.scanRecords(buf, start, end, count) }, `count ${count}`).toEqual(inputScan(records));
    }
  });

  it('handles extreme and negative timestamp deltas, keyless and header-heavy records', () => {
    const headers = Array.from({ length: 50 }, (_, i) => ({ key: Buffer.from(`h${i}`), value: i % 2 ? null : Buffer.alloc(0) }));
    const records: RecordInput[] = [
      { key: null, value: null, timestampDelta: -(2 ** 53 - 1) },
      { key: Buffer.alloc(0), value: Buffer.from('v'), timestampDelta: 2 ** 53 - 1, headers },
      { key: null, value: Buffer.alloc(3000), timestampDelta: -1 },
      { key: Buffer.from('k'), value: null, timestampDelta: 3_600_001 },
    ];
    const body = referenceAccel().encodeRecords(records);
    expect({ ...accel.scanRecords(body, 0, body.length, records.length) }).toEqual(inputScan(records));
  });

  it('finds the first record whose offsetDelta is not its index', () => {
    const body = Buffer.from([...rawRecord(0, 5, [1]), ...rawRecord(1, -3, null), ...rawRecord(7, 9, [2]), ...rawRecord(2, 0, null)]);
    expect({ ...accel.scanRecords(body, 0, body.length, 4) }).toEqual({ timestampDeltaMin: -3, timestampDeltaMax: 9, nullKeyCount: 2, offsetDeltaMismatchIndex: 2 });
    const swapped = Buffer.from([...rawRecord(1, 0, [1]), ...rawRecord(0, 0, [1])]);
    expect(accel.scanRecords(swapped, 0, swapped.length, 2).offsetDeltaMismatchIndex).toBe(0);
  });

  it('reuses one result object', () => {
    const body = referenceAccel().encodeRecords([{ key: null, value: null }]);
    expect(accel.scanRecords(body, 0, body.length, 1)).toBe(accel.scanRecords(body, 0, body.length, 1));
  });

  it('scans an empty range as zero records, and rejects ranges outside the buffer', () => {
    expect({ ...accel.scanRecords(Buffer.alloc(3), 1, 1, 0) }).toEqual({ timestampDeltaMin: 0, timestampDeltaMax: 0, nullKeyCount: 0, offsetDeltaMismatchIndex: -1 });
    const body = referenceAccel().encodeRecords([{ key: null, value: Buffer.from('v') }]);
    thrown(() => accel.scanRecords(body, 0, body.length + 1, 1), RecordDecodeError, 'end beyond');
    thrown(() => accel.scanRecords(body, 2, 1, 0), RecordDecodeError, 'start after end');
    thrown(() => accel.scanRecords(body, 0, body.length, 1.5), RecordDecodeError, 'fractional count');
  });

  it.each(malformedBodies(referenceAccel()))('%s: the same RecordDecodeError as decodeRecords', (label, body, count) => {
    thrown(() => accel.scanRecords(body, 0, body.length, count), RecordDecodeError, label);
    expect(scanOutcome(accel, body, count)).toEqual(decodeOutcome(accel, body, count));
  });

  it('mutated bodies: the reference decodeRecords verdict, and its fields when valid', () => {
    const random = new SeededRandom(SEED + 1);
    const reference = referenceAccel();
    const body = reference.encodeRecords(randomRecords(random, 20));
    for (let round = 0; round < 1500; round++) {
      const mutated = Buffer.from(body);
      for (let k = 1 + random.below(3); k > 0; k--) mutated[random.below(mutated.length)] = random.nextU32() & 0xff;
      const count = 20 + random.below(3) - 1;
      const expected = decodeOutcome(reference, mutated, count);
      const actual = scanOutcome(accel, mutated, count);
      if (typeof expected === 'string') expect(typeof actual, `round ${round}`).toBe('string');
      else expect(actual, `round ${round}`).toEqual(expected);
      expect(actual, `round ${round}: same text as this implementation's decodeRecords`).toEqual(decodeOutcome(accel, mutated, count));
    }
  });
});

describe('scanRecords parity', () => {
  it('every implementation gives the same outcome on truncations of a varied body', () => {
    const random = new SeededRandom(SEED + 2);
    const records = randomRecords(random, 12);
    const body = referenceAccel().encodeRecords(records);
    for (let length = 0; length <= body.length; length += 1 + random.below(5)) {
      const verdicts = accels.map((accel) => {
        const outcome = scanOutcome(accel, body.subarray(0, length), records.length);
        return typeof outcome === 'string' ? 'rejected' : outcome;
      });
      for (const verdict of verdicts) expect(verdict, `length ${length}`).toEqual(verdicts[0]);
    }
  });
});
