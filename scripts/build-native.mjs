#!/usr/bin/env node
// Builds the Rust N-API module (native/) with @napi-rs/cli: `napi build --platform --release`,
// producing native/rill.<platform>.node. This step never fails the install: without cargo,
// without the C libraries (libzstd-dev liblz4-dev libsnappy-dev) or on any build error it prints
// one warning and exits 0, and the broker runs on WASM/JS.
// RILL_SKIP_NATIVE=1 skips the step.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
const libraries = [
  { link: 'zstd', debian: 'libzstd-dev' },
  { link: 'lz4', debian: 'liblz4-dev' },
  { link: 'snappy', debian: 'libsnappy-dev' },
];

function giveUp(reason) {
  console.warn(`rill: native module not built: ${reason}; the broker will run on WASM/JS`);
  process.exit(0);
}

function napiCliPath() {
  try {
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve('@napi-rs/cli/package.json')), 'dist', 'cli.js');
  } catch {
    return undefined;
  }
}

/** The reason a failed build gives, in one line. */
function failureReason(output) {
  for (const library of libraries) {
    if (new RegExp(`cannot find -l${library.link}\\b|unable to find library -l${library.link}\\b`).test(output)) {
      return `the C library lib${library.link} is missing (Debian: apt-get install ${library.debian})`;
    }
  }
  const otherLibrary = /(?:cannot find|unable to find library) -l([\w+-]+)/.exec(output);
  if (otherLibrary) return `the C library lib${otherLibrary[1]} is missing`;
  const firstError = output.split('\n').find((line) => /^error/.test(line.trim()));
  return `napi build failed${firstError ? ` (${firstError.trim()})` : ''}`;
}

function loadProblem(file) {
  const check = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(file)})`], { encoding: 'utf8' });
  if (check.status === 0) return undefined;
  return (check.stderr || '').split('\n').find((line) => /Error/.test(line)) ?? `exit code ${check.status}`;
}

function main() {
  if (process.env.RILL_SKIP_NATIVE === '1') giveUp('RILL_SKIP_NATIVE=1');
  if (process.platform !== 'linux') giveUp(`the native module supports Linux only (this is ${process.platform})`);
  const cargo = spawnSync('cargo', ['--version'], { encoding: 'utf8' });
  if (cargo.error || cargo.status !== 0) giveUp('cargo (the Rust toolchain) is not installed');
  const cli = napiCliPath();
  if (cli === undefined || !existsSync(cli)) giveUp('@napi-rs/cli is not installed (a dev dependency)');

  const args = [cli, 'build', '--platform', '--release', '--cwd', nativeDir, '--config-path', 'napi.json',
    '--package-json-path', '../package.json', '--no-js'];
  const build = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const output = `${build.stdout ?? ''}\n${build.stderr ?? ''}`;
  if (build.error) giveUp(`napi build could not start (${build.error.message})`);
  if (build.status !== 0) {
    process.stderr.write(output.split('\n').slice(-30).join('\n') + '\n');
    giveUp(failureReason(output));
  }
  const built = readdirSync(nativeDir).filter((name) => name.startsWith('rill.') && name.endsWith('.node'));
  if (built.length === 0) giveUp('napi build finished but produced no .node file');
  for (const name of built) {
    const problem = loadProblem(join(nativeDir, name));
    if (problem !== undefined) giveUp(`native/${name} was built but does not load: ${problem}`);
  }
  console.log(`rill: native module built: ${built.map((name) => `native/${name}`).join(', ')}`);
}

main();
