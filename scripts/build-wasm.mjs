// Builds the AssemblyScript hot path (wasm/assembly) into wasm/build/rill.wasm with the
// release target of wasm/asconfig.json. Without the assemblyscript compiler (an install
// without dev dependencies) it says so and exits 0: the broker then runs on the JS reference.
// `--debug` also builds the debug target (wasm/build/rill.debug.wasm + .wat).
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wasmDir = join(root, 'wasm');

async function loadCompiler() {
  try {
    return (await import('assemblyscript/asc')).default;
  } catch (err) {
    console.warn(`build-wasm: assemblyscript is not installed (${err.code ?? err.message}); skipping the WASM build`);
    return undefined;
  }
}

async function buildTarget(asc, target) {
  const { error, stderr } = await asc.main(['--config', join(wasmDir, 'asconfig.json'), '--target', target], {
    stdout: process.stdout,
    stderr: process.stderr,
  });
  if (error) {
    console.error(`build-wasm: ${target} build failed: ${error.message}`);
    console.error(stderr.toString());
    process.exit(1);
  }
}

const asc = await loadCompiler();
if (asc !== undefined) {
  mkdirSync(join(wasmDir, 'build'), { recursive: true });
  process.chdir(wasmDir);
  await buildTarget(asc, 'release');
  if (process.argv.includes('--debug')) await buildTarget(asc, 'debug');
  console.log('build-wasm: wrote wasm/build/rill.wasm');
}
