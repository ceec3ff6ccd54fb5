// Fuzzes every protocol decoder (see test/unit/protocol/support/fuzz-core.ts) and prints a summary.
// Usage: node scripts/fuzz-protocol.mjs [iterations=1000000] [seed=1]
import { runFuzz } from '../test/unit/protocol/support/fuzz-core.js';

const iterations = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 1);
const summary = runFuzz(iterations, seed);
console.log(JSON.stringify({ ...summary, node: process.version, seed }, null, 2));
console.log(
  `fuzz-protocol: ${summary.iterations} frames over ${summary.targets} api/version/direction targets in ` +
    `${(summary.elapsedMs / 1000).toFixed(1)} s: ${summary.decodedOk} decoded, ` +
    `${summary.rejected.malformed + summary.rejected['unknown-api'] + summary.rejected['unsupported-version']} rejected with ProtocolDecodeError, ` +
    `${summary.escapes.length} escaped`,
);
process.exitCode = summary.escapes.length === 0 ? 0 : 1;
