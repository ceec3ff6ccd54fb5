#!/usr/bin/env node
// Runs the protocol code generator without a full build: compiles src/protocol/codegen/ (and
// what it imports) with tsc into node_modules/.cache/rill-codegen (inside the package, so the
// package.json "type": "module" applies and packageRoot() finds the root), then runs main.js.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'node_modules', '.cache', 'rill-codegen');
try {
  const tsc = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--outDir', outDir, '--rootDir', root, '--module', 'NodeNext',
      '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--strict', '--types', 'node', '--skipLibCheck',
      join(root, 'src', 'protocol', 'codegen', 'main.ts')],
    { stdio: 'inherit' },
  );
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  // package.json marks the compiled .js files as ES modules and lets packageRoot() find the root.
  const run = spawnSync(process.execPath, [join(outDir, 'src', 'protocol', 'codegen', 'main.js'), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
