// Record bodies for the record-body suites (records.test.ts, record-scan.test.ts): an
// independent BigInt varlong encoder, random records, and every malformed body shape.
import { limits } from '../../../src/config/limits.js';
import type { Accel, RecordInput } from '../../../src/accel/index.js';
import type { SeededRandom } from './implementations.js';

/** Zigzag varlong with BigInt: an independent reference for the encoders. */
export function referenceVarlong(value: number): number[] {
  const big = BigInt(value);
  let encoded = BigInt.asUintN(64, (big << 1n) ^ (big >> 63n));
  const bytes: number[] = [];
  while (encoded >= 0x80n) {
    bytes.push(Number(encoded & 0x7fn) | 0x80);
    encoded >>= 7n;
  }
  bytes.push(Number(encoded));
  return bytes;
}

function randomBytesOrNull(random: SeededRandom, nullable: boolean): Buffer | null {
  if (nullable && random.below(5) === 0) return null;
  const lengthBytes = random.below(4) === 0 ? random.below(2000) : random.below(40);
  return random.bytes(lengthBytes);
}

export function randomRecords(random: SeededRandom, count: number): RecordInput[] {
  return Array.from({ length: count }, () => {
    const headerCount = random.below(4) === 0 ? random.below(6) : 0;
    const headers = Array.from({ length: headerCount }, () => ({ key: randomBytesOrNull(random, false)!, value: randomBytesOrNull(random, true) }));
    const timestampDelta = random.below(3) === 0 ? random.below(2 ** 31) * (random.below(2) ? 1 : -1) : random.below(1000);
    return { key: randomBytesOrNull(random, true), value: randomBytesOrNull(random, true), headers: headerCount || random.below(2) ? headers : null, timestampDelta };
  });
}

export function malformedBodies(js: Accel): [string, Buffer, number][] {
  const good = js.encodeRecords([
    { key: Buffer.from('k'), value: Buffer.from('value'), headers: [{ key: Buffer.from('h'), value: Buffer.from('x') }] },
    { key: null, value: Buffer.from('second') },
  ]);
  const cases: [string, Buffer, number][] = [];
  for (let length = 0; length < good.length; length++) cases.push([`prefix ${length}`, good.subarray(0, length), 2]);
  cases.push(['one record too many', good, 3], ['one record too few', good, 1], ['trailing byte', Buffer.concat([good, Buffer.from([0])]), 2]);
  const record = (body: number[]): Buffer => Buffer.from([...referenceVarlong(body.length), ...body]);
  cases.push(['negative record length', Buffer.from([...referenceVarlong(-5), 0, 0, 0, 1, 1, 0]), 1]);
  cases.push(['key longer than the record', record([0, 0, 0, ...referenceVarlong(50), 1, 2, ...referenceVarlong(-1), 0]), 1]);
  cases.push(['key length -2', record([0, 0, 0, ...referenceVarlong(-2), ...referenceVarlong(-1), 0]), 1]);
  cases.push(['record length shorter than its fields', Buffer.concat([record([0, 0, 0, 1, 1]), Buffer.from([0])]), 1]);
  cases.push(['record length longer than its fields', record([0, 0, 0, 1, 1, 0, 9]), 1]);
  cases.push(['negative header count', record([0, 0, 0, 1, 1, ...referenceVarlong(-3)]), 1]);
  cases.push(['header count above the limit', record([0, 0, 0, 1, 1, ...referenceVarlong(limits.recordHeaderCountMax + 1)]), 1]);
  cases.push(['header count beyond the bytes', record([0, 0, 0, 1, 1, ...referenceVarlong(1000), 0, 0]), 1]);
  cases.push(['null header key', record([0, 0, 0, 1, 1, 2, ...referenceVarlong(-1), ...referenceVarlong(-1)]), 1]);
  cases.push(['varint longer than 5 bytes', record([0, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 1, 1, 0]), 1]);
  cases.push(['negative count', good, -1]);
  return cases;
}

