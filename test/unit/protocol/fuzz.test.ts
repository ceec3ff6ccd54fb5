// Fuzzing: random and mutated frames across every API, version and direction. Only
// ProtocolDecodeError may escape a decoder, and whatever decodes must re-encode.
// RILL_FUZZ_ITERATIONS overrides the count; scripts/fuzz-protocol.mjs runs a million or more.

import { expect, test } from 'vitest';
import { runFuzz } from './support/fuzz-core.js';

const ITERATIONS = Number(process.env['RILL_FUZZ_ITERATIONS'] ?? 250_000);

test(`${ITERATIONS} fuzzed frames: nothing but ProtocolDecodeError escapes`, () => {
  const summary = runFuzz(ITERATIONS, 0x5eed);
  expect(summary.escapes).toEqual([]);
  // The mutations must exercise both outcomes, or the fuzzer is not reaching the decoders.
  expect(summary.decodedOk).toBeGreaterThan(ITERATIONS / 100);
  expect(summary.rejected.malformed).toBeGreaterThan(ITERATIONS / 10);
});
