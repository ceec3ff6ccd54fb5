// `npm run codegen`: regenerates src/protocol/generated/ and docs/PROTOCOL.md from the Kafka
// message definitions. Specs folder: argv[2], else $RILL_KAFKA_SPECS, else ../shared/kafka-protocol
// beside the package root.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { packageRoot } from '../../util/package-root.js';
import { GENERATED_DIR, generateFiles } from './generate.js';

export function defaultSpecsDir(root: string): string {
  return process.env['RILL_KAFKA_SPECS'] ?? resolve(root, '..', 'shared', 'kafka-protocol');
}

/** Writes every generated file under root; removes generated modules no longer produced. */
export function writeGenerated(root: string, specsDir: string): { written: number; unchanged: number; removed: number } {
  const files = generateFiles(specsDir);
  let written = 0;
  let unchanged = 0;
  for (const [relative, content] of files) {
    const path = join(root, relative);
    if (existsSync(path) && readFileSync(path, 'utf8') === content) {
      unchanged++;
      continue;
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    written++;
  }
  let removed = 0;
  for (const name of readdirSync(join(root, GENERATED_DIR))) {
    if (!files.has(`${GENERATED_DIR}/${name}`)) {
      rmSync(join(root, GENERATED_DIR, name));
      removed++;
    }
  }
  return { written, unchanged, removed };
}

function main(): void {
  const root = packageRoot();
  const specsDir = process.argv[2] !== undefined ? resolve(process.argv[2]) : defaultSpecsDir(root);
  if (!existsSync(join(specsDir, 'current'))) {
    console.error(`codegen: no Kafka message definitions at ${specsDir}/current (pass the folder as an argument)`);
    process.exit(2);
  }
  const result = writeGenerated(root, specsDir);
  console.log(`codegen: ${result.written} written, ${result.unchanged} unchanged, ${result.removed} removed (specs: ${specsDir})`);
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]).replace(/\.ts$/, '.js').endsWith(join('codegen', 'main.js'));
if (invokedDirectly) main();
