// Throughput of the WASM hot path beside the JS reference, measured in one run (ratios are
// what count on shared machines). Run: npx vitest bench --run test/unit/wasm/throughput.bench.ts
// MB/s = hz * size. Not part of `npm test`; the full suite lives in bench/micro.
import { bench, describe } from 'vitest';
import { createJsAccel } from '../../../src/accel/js/index.js';
import { WasmAccel } from '../../../src/accel/wasm.js';
import { randomBytes, textBytes } from './helpers.js';

const wasm = new WasmAccel();
const js = createJsAccel();
const options = { time: 500, warmupTime: 100 };

for (const size of [1024, 64 * 1024, 1024 * 1024]) {
  const data = randomBytes(size, size);
  describe(`crc32c ${size} bytes`, () => {
    bench('wasm', () => void wasm.crc32c(data), options);
    bench('js', () => void js.crc32c(data), options);
  });
}

const text = textBytes(1024 * 1024, 61);
for (const codec of ['lz4', 'snappy'] as const) {
  const compressed = wasm.compress(codec, text);
  describe(`${codec} compress 1 MiB text`, () => {
    bench('wasm', () => void wasm.compress(codec, text), options);
    bench('js', () => void js.compress(codec, text), options);
  });
  describe(`${codec} decompress 1 MiB text`, () => {
    bench('wasm', () => void wasm.decompress(codec, compressed), options);
    bench('js', () => void js.decompress(codec, compressed), options);
  });
}

const records = Array.from({ length: 1000 }, (_, i) => ({ key: randomBytes(16, i), value: text.subarray(i * 100, i * 100 + 100) }));
const body = wasm.encodeRecords(records);
describe('records: 1000 x 100-byte values', () => {
  bench('wasm encode', () => void wasm.encodeRecords(records), options);
  bench('js encode', () => void js.encodeRecords(records), options);
  bench('wasm decode', () => void wasm.decodeRecords(body, 0, body.length, records.length), options);
  bench('js decode', () => void js.decodeRecords(body, 0, body.length, records.length), options);
});
