// Inputs for the compression parity suites: several kinds of data at several sizes.
import { logCorpus } from '../../../bench/lib/corpus.js';
import { SeededRandom } from './implementations.js';

export interface CodecInput {
  name: string;
  data: Buffer;
}

function repeating(sizeBytes: number, period: number, random: SeededRandom): Buffer {
  const pattern = random.bytes(period);
  const out = Buffer.allocUnsafe(sizeBytes);
  for (let i = 0; i < sizeBytes; i++) out[i] = pattern[i % period]!;
  return out;
}

/** Random bytes with runs: partly compressible, exercising literal/match interleaving. */
function mixed(sizeBytes: number, random: SeededRandom): Buffer {
  const out = random.bytes(sizeBytes);
  for (let i = 0; i < sizeBytes; ) {
    const runBytes = random.below(40);
    const source = random.below(Math.max(1, i));
    for (let k = 0; k < runBytes && i < sizeBytes; k++, i++) out[i] = out[Math.min(source + k, i)]!;
    i += random.below(30);
  }
  return out;
}

const SMALL_SIZES_BYTES = [0, 1, 2, 3, 4, 5, 11, 12, 13, 16, 17, 63, 64, 100, 1000, 4099];
const MEDIUM_SIZES_BYTES = [65_535, 65_536, 65_537, 200_003];
const LARGE_SIZE_BYTES = 4 * 1_048_576;

/** A deterministic list of inputs; `large` adds the 4 MiB ones. */
export function codecInputs(seed: number, large: boolean): CodecInput[] {
  const random = new SeededRandom(seed);
  const inputs: CodecInput[] = [];
  for (const sizeBytes of [...SMALL_SIZES_BYTES, ...MEDIUM_SIZES_BYTES]) {
    inputs.push({ name: `random ${sizeBytes} B`, data: random.bytes(sizeBytes) });
    inputs.push({ name: `log lines ${sizeBytes} B`, data: logCorpus(sizeBytes, seed + sizeBytes) });
    inputs.push({ name: `mixed ${sizeBytes} B`, data: mixed(sizeBytes, random) });
  }
  inputs.push({ name: 'zeros 70000 B', data: Buffer.alloc(70_000) });
  inputs.push({ name: 'period 3, 100000 B', data: repeating(100_000, 3, random) });
  inputs.push({ name: 'period 1000, 300000 B', data: repeating(300_000, 1000, random) });
  if (large) {
    inputs.push({ name: 'log lines 4 MiB', data: logCorpus(LARGE_SIZE_BYTES, seed) });
    inputs.push({ name: 'random 4 MiB + 3', data: random.bytes(LARGE_SIZE_BYTES + 3) });
  }
  return inputs;
}
