// Frames written by Debian's lz4 and zstd command-line tools decode in every implementation
// that supports the codec, and what the implementations write, the tools decode. Outside CI a
// missing tool skips its tests; under CI it fails them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Accel, type Codec } from '../../../src/accel/index.js';
import { logCorpus } from '../../../bench/lib/corpus.js';
import { IN_CI, loadedAccels, SeededRandom, supportsCodec } from './implementations.js';

const workDir = mkdtempSync(join(tmpdir(), 'rill-accel-cli-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function toolAvailable(tool: string): boolean {
  return spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
}

function run(tool: string, args: string[], input?: Buffer): Buffer {
  const result = spawnSync(tool, args, { input, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed: ${result.stderr?.toString() ?? result.error}`);
  return result.stdout;
}

const random = new SeededRandom(31_337);
const FILES: Record<string, Buffer> = {
  empty: Buffer.alloc(0),
  tiny: Buffer.from('hello, rill'),
  logs: logCorpus(1_300_000, 5),
  mixed: Buffer.concat([logCorpus(100_000, 6), random.bytes(150_000), Buffer.alloc(90_000, 0x20)]),
};

/** Writes each file once; returns its path. */
function inputPath(name: string): string {
  const path = join(workDir, `${name}.bin`);
  writeFileSync(path, FILES[name]!);
  return path;
}

interface Variant {
  label: string;
  args: string[];
  files: string[];
}

const LZ4_VARIANTS: Variant[] = [
  { label: 'defaults (4 MiB blocks, content checksum)', args: [], files: ['empty', 'tiny', 'logs', 'mixed'] },
  { label: '64 KiB blocks', args: ['-B4'], files: ['logs', 'mixed'] },
  { label: 'linked blocks', args: ['-B4', '-BD'], files: ['logs', 'mixed'] },
  { label: 'block checksums, 256 KiB blocks', args: ['-B5', '-BX'], files: ['logs', 'mixed'] },
  { label: 'content size, no frame checksum', args: ['--content-size', '--no-frame-crc'], files: ['tiny', 'logs'] },
  { label: 'high compression', args: ['-9', '-B4'], files: ['logs'] },
];

const ZSTD_VARIANTS: Variant[] = [
  { label: 'level 1', args: ['-1'], files: ['empty', 'tiny', 'logs', 'mixed'] },
  { label: 'level 3 with checksum', args: ['-3', '--check'], files: ['logs', 'mixed'] },
  { label: 'level 12', args: ['-12'], files: ['mixed'] },
  { label: 'no content size (streamed)', args: ['-3', '--no-content-size'], files: ['logs'] },
];

function compressWithTool(tool: string, args: string[], fileName: string): Buffer {
  return run(tool, ['-q', '-c', ...args, inputPath(fileName)]);
}

function decompressWithTool(tool: string, compressed: Buffer, label: string): Buffer {
  const path = join(workDir, `${label}.${tool}`);
  writeFileSync(path, compressed);
  return run(tool, ['-q', '-d', '-c', path]);
}

function toolSuite(tool: string, codec: Codec, variants: Variant[]): void {
  const available = toolAvailable(tool);
  const consumers: Accel[] = loadedAccels().filter((accel) => supportsCodec(accel, codec));
  describe(`${tool} command-line frames`, () => {
    it(`${tool} is installed (required under CI)`, () => {
      if (IN_CI) expect(available, `${tool} must be installed in CI`).toBe(true);
    });
    it.skipIf(!available).each(variants)(`decode in every implementation: $label`, (variant) => {
      for (const fileName of variant.files) {
        const frame = compressWithTool(tool, variant.args, fileName);
        for (const accel of consumers) {
          const output = accel.decompress(codec, frame);
          expect(output.equals(FILES[fileName]!), `${fileName} -> ${accel.implementation}`).toBe(true);
        }
      }
    });
    it.skipIf(!available)(`${tool} decodes what every implementation writes`, () => {
      for (const accel of consumers) {
        for (const fileName of ['empty', 'tiny', 'logs', 'mixed']) {
          const compressed = accel.compress(codec, FILES[fileName]!);
          const output = decompressWithTool(tool, compressed, `${accel.implementation}-${fileName}`);
          expect(output.equals(FILES[fileName]!), `${accel.implementation} ${fileName}`).toBe(true);
        }
      }
    });
  });
}

toolSuite('lz4', 'lz4', LZ4_VARIANTS);
toolSuite('zstd', 'zstd', ZSTD_VARIANTS);

