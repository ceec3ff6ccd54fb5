// Compaction with transactions (at the storage level: the broker does not schedule the cleaner
// yet): aborted records are removed and never shadow a committed record with the same key;
// markers stay; segments at or after the first open transaction are not cleaned.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogCleaner } from '../../../src/log/log-cleaner.js';
import { PartitionLog } from '../../../src/log/partition-log.js';
import { appendMarker, appendWithProducerState, producerStateOf } from '../../../src/log/producer-state-store.js';
import { buildBatch, buildControlBatch, iterateBatches, readBatchRecords } from '../../../src/protocol/records/index.js';
import { defaultStorageContext } from '../../../src/log/io.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const OLD_MS = Date.now() - 60_000;

function records(entries: [string, string][], producer?: { producerId: number; baseSequence: number }): Buffer {
  return buildBatch({
    records: entries.map(([key, value]) => ({ key: Buffer.from(key), value: Buffer.from(value) })),
    baseTimestamp: OLD_MS,
    producerId: producer?.producerId ?? -1,
    producerEpoch: producer === undefined ? -1 : 0,
    baseSequence: producer?.baseSequence ?? -1,
    isTransactional: producer !== undefined,
  });
}

async function visible(log: PartitionLog): Promise<{ control: number; data: string[] }> {
  const read = await log.read(log.logStartOffset, 1 << 20, { maxOffset: log.logEndOffset });
  let control = 0;
  const data: string[] = [];
  let offset = log.logStartOffset;
  let chunk = read.records;
  while (chunk.length > 0) {
    for (const view of iterateBatches(chunk)) {
      offset = view.nextOffset;
      if (view.isControl) control++;
      else for (const r of readBatchRecords(view)) data.push(`${view.baseOffset + r.offsetDelta}:${r.key?.toString()}=${r.value?.toString()}`);
    }
    chunk = offset < log.logEndOffset ? (await log.read(offset, 1 << 20, { maxOffset: log.logEndOffset })).records : Buffer.alloc(0);
  }
  return { control, data };
}

describe('compaction of a transactional log', () => {
  it('removes aborted records, keeps committed ones and markers, stops at open transactions', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'rill-txn-compact-')), 'compacted-0');
    dirs.push(join(dir, '..'));
    const log = PartitionLog.open({ dir, context: defaultStorageContext(), config: { cleanupPolicy: 'compact', segmentBytes: 100_000, minCleanableDirtyRatio: 0.01, fileDeleteDelayMs: 0 } });
    await producerStateOf(log);
    await log.append(records([['k', 'committed'], ['j', 'j0']]));
    expect((await appendWithProducerState(log, records([['k', 'aborted'], ['l', 'aborted']], { producerId: 5, baseSequence: 0 }))).ok).toBe(true);
    expect(await appendMarker(log, buildControlBatch({ marker: 'abort', producerId: 5, producerEpoch: 0, coordinatorEpoch: 0, timestampMs: OLD_MS }), { producerId: 5, producerEpoch: 0, commit: false, coordinatorEpoch: 0 })).toBe(0);
    await log.append(records([['j', 'j1']]));
    log.roll();
    expect((await appendWithProducerState(log, records([['j', 'open']], { producerId: 6, baseSequence: 0 }))).ok).toBe(true);
    log.roll();
    await log.append(records([['j', 'j2']]));
    log.roll();
    await log.append(records([['z', 'active']]));

    const result = await new LogCleaner({ context: defaultStorageContext(), useWorker: false }).clean(log);
    expect(result).toBeDefined();
    const after = await visible(log);
    expect(after.control).toBe(1);
    expect(after.data).toEqual(['0:k=committed', '5:j=j1', '6:j=open', '7:j=j2', '8:z=active']);
    await log.close();
  });
});
