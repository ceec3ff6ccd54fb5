#!/usr/bin/env node
// Runs scripts/fuzz-protocol.ts through vite-node (installed with vitest), no build needed.
// Usage: node scripts/fuzz-protocol.mjs [iterations=1000000] [seed=1]
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const viteNode = join(root, 'node_modules', 'vite-node', 'vite-node.mjs');
const run = spawnSync(process.execPath, [viteNode, join(root, 'scripts', 'fuzz-protocol.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: root,
});
process.exitCode = run.status ?? 1;
