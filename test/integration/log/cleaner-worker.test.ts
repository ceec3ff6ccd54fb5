// Compaction through the real worker thread, against the compiled build (a worker cannot load
// .ts). Skipped with a message without dist/ (npm run build:ts), failed under CI=true.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeBatch } from '../../unit/log/helpers.js';

const distDir = process.env.RILL_DIST_DIR ?? join(import.meta.dirname, '../../../dist');
const available = existsSync(join(distDir, 'src/log/cleaner-worker.js'));
const inCi = process.env.CI === 'true';

describe('log cleaner in a worker thread', () => {
  if (!available && !inCi) {
    it.skip('skipped: dist/src/log/cleaner-worker.js is missing; run `npm run build:ts`', () => {});
    return;
  }
  it('compacts a log off the event loop', async () => {
    expect(available, 'dist/ must be built under CI (npm run build:ts)').toBe(true);
    const load = (rel: string) => import(pathToFileURL(join(distDir, rel)).href);
    const { PartitionLog } = await load('src/log/partition-log.js');
    const { LogCleaner } = await load('src/log/log-cleaner.js');
    const { createStorageContext } = await load('src/log/io.js');
    const root = mkdtempSync(join(tmpdir(), 'rill-cleaner-'));
    try {
      const context = createStorageContext(32);
      const log = PartitionLog.open({ dir: join(root, 'kv-0'), context, config: { cleanupPolicy: 'compact', segmentBytes: 500, minCleanableDirtyRatio: 0.01, fileDeleteDelayMs: 0 } });
      const t0 = Date.now() - 10_000;
      for (let i = 0; i < 30; i++) {
        await log.append(makeBatch({ records: [{ key: Buffer.from(`k${i % 3}`), value: Buffer.from(`v${i}`) }], baseTimestamp: t0 }));
      }
      const cleaner = new LogCleaner({ context });
      expect(cleaner.useWorker).toBe(true);
      const before = log.sizeBytes;
      const result = await cleaner.clean(log);
      expect(result.recordsRemoved).toBeGreaterThan(0);
      expect(log.sizeBytes).toBeLessThan(before);
      expect(log.logEndOffset).toBe(30);
      const read = await log.read(0, 1 << 20);
      expect(read.records.length).toBeGreaterThan(0);
      await cleaner.close();
      await log.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
