// The consumer's record table (ConsumedBatch): its accessors agree with the accel record decoder
// on random batches (keys, null values, headers, large timestamp deltas, codecs), mutated bytes
// give RecordFormatError exactly when the accel decoder refuses them, and a consumer starting in
// the middle of a batch on a real broker is handed the records from its position on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accel } from '../../../src/accel/index.js';
import type { RecordInput } from '../../../src/accel/types.js';
import type { RunningBroker } from '../../../src/broker.js';
import { ConsumedBatch, Consumer, Producer } from '../../../src/client/index.js';
import { buildBatch, readBatchRecords, RecordBatchView, RecordFormatError } from '../../../src/protocol/records/index.js';
import { createTopic, startQuietBroker, uniqueTopic } from './helpers.js';

let seed = 12345;
function random(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
function randomBytes(maxLength: number): Buffer {
  return Buffer.from(Array.from({ length: Math.floor(random() * maxLength) }, () => Math.floor(random() * 256)));
}

const TIMESTAMP_DELTAS = [0, 1, -1, 300, 2 ** 31 + 5, -(2 ** 33), 2 ** 40];

function randomRecord(): RecordInput {
  const headerCount = random() < 0.5 ? 0 : Math.floor(random() * 4);
  return {
    key: random() < 0.3 ? null : randomBytes(40),
    value: random() < 0.1 ? null : randomBytes(300),
    headers: Array.from({ length: headerCount }, () => ({ key: randomBytes(10), value: random() < 0.3 ? null : randomBytes(20) })),
    timestampDelta: TIMESTAMP_DELTAS[Math.floor(random() * TIMESTAMP_DELTAS.length)]!,
  };
}

const PLACE = { topic: 't', partition: 0, highWatermark: 0, fetchOffset: 0 };

function expectBatchMatches(batch: ConsumedBatch, view: RecordBatchView): void {
  const expected = readBatchRecords(view);
  expect(batch.count).toBe(expected.length);
  expected.forEach((record, i) => {
    expect(batch.offsetAt(i)).toBe(record.offset);
    expect(batch.timestampAt(i)).toBe(record.timestampMs);
    expect(batch.keyAt(i)).toEqual(record.key);
    expect(batch.valueAt(i)).toEqual(record.value);
    expect(batch.valueLengthAt(i)).toBe(record.value === null ? -1 : record.value.length);
    expect(batch.headersAt(i)).toEqual(record.headers);
  });
  expect(batch.records.map((r) => ({ offset: r.offset, key: r.key, value: r.value, headers: r.headers }))).toEqual(
    expected.map((r) => ({ offset: r.offset, key: r.key, value: r.value, headers: r.headers })),
  );
}

describe('record table', () => {
  for (const compression of ['none', 'gzip', 'lz4'] as const) {
    it(`agrees with the accel decoder on random batches (${compression})`, () => {
      for (let round = 0; round < 30; round++) {
        const records = Array.from({ length: 1 + Math.floor(random() * 60) }, randomRecord);
        const view = new RecordBatchView(buildBatch({ records, baseOffset: 1000, baseTimestamp: 1_700_000_000_000, compression }));
        expectBatchMatches(new ConsumedBatch(view, PLACE), view);
      }
    });
  }

  it('drops the records before the fetch offset', () => {
    const records = Array.from({ length: 10 }, randomRecord);
    const view = new RecordBatchView(buildBatch({ records, baseOffset: 50 }));
    const batch = new ConsumedBatch(view, { ...PLACE, fetchOffset: 57 });
    expect(batch.count).toBe(3);
    expect([0, 1, 2].map((i) => batch.offsetAt(i))).toEqual([57, 58, 59]);
    expect(batch.valueAt(0)).toEqual(records[7]!.value);
  });

  it('agrees on 10,000 plain records (no headers; offset deltas of three varint bytes)', () => {
    const records = Array.from({ length: 10_000 }, (_, i) => ({ key: i % 2 === 0 ? null : Buffer.from(`k${i}`), value: randomBytes(120), timestampDelta: i % 300 }));
    const view = new RecordBatchView(buildBatch({ records, baseOffset: 7 }));
    expectBatchMatches(new ConsumedBatch(view, PLACE), view);
  });

  const shapes = { mixed: randomRecord, plain: () => ({ key: random() < 0.5 ? null : randomBytes(8), value: randomBytes(100) }) };
  for (const [shape, makeRecord] of Object.entries(shapes)) {
    it(`refuses mutated bytes (${shape} records) with RecordFormatError exactly when the accel decoder refuses them`, () => {
      const records = Array.from({ length: 8 }, makeRecord);
      const pristine = buildBatch({ records });
      let refused = 0;
      for (let round = 0; round < 2000; round++) {
        const mutated = Buffer.from(pristine);
        const at = 61 + Math.floor(random() * (mutated.length - 61));
        mutated[at] = Math.floor(random() * 256);
        const view = new RecordBatchView(mutated);
        const accelRefuses = (() => {
          try {
            accel.decodeRecords(mutated, 61, mutated.length, 8);
            return false;
          } catch {
            return true;
          }
        })();
        let tableError: unknown;
        try {
          new ConsumedBatch(view, PLACE);
        } catch (err) {
          tableError = err;
        }
        if (tableError !== undefined) expect(tableError).toBeInstanceOf(RecordFormatError);
        expect({ at, refused: tableError !== undefined }).toEqual({ at, refused: accelRefuses });
        if (accelRefuses) refused++;
      }
      expect(refused).toBeGreaterThan(0);
    });
  }
});

describe('consumer batches from a broker', () => {
  let broker: RunningBroker;
  beforeAll(async () => {
    broker = await startQuietBroker();
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('starts in the middle of a batch at the assigned offset', async () => {
    const topic = uniqueTopic('table-mid');
    await createTopic(broker.bootstrap, topic, 1);
    const producer = new Producer({ bootstrap: broker.bootstrap, acks: 1, lingerMs: 20 });
    await Promise.all(Array.from({ length: 50 }, (_, i) => producer.send({ topic, value: Buffer.from(`v${i}`) })));
    await producer.close();
    const consumer = new Consumer({ bootstrap: broker.bootstrap, maxWaitMs: 50 });
    await consumer.assign([{ topic, partition: 0, offset: 23 }]);
    const offsets: number[] = [];
    const values: string[] = [];
    await consumer.run({
      eachBatch: (batch) => {
        for (let i = 0; i < batch.count; i++) {
          offsets.push(batch.offsetAt(i));
          values.push(batch.valueAt(i)!.toString());
        }
        if (offsets.length >= 27) void consumer.stop();
      },
    });
    await consumer.close();
    expect(offsets).toEqual(Array.from({ length: 27 }, (_, i) => 23 + i));
    expect(values).toEqual(Array.from({ length: 27 }, (_, i) => `v${23 + i}`));
  });
});
