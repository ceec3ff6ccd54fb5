// SIGKILL crash test of the storage engine (a modest count here; scripts/crash-storage.mjs runs
// 200+). Needs dist/ (npm run build:ts): skipped with a message without it, failed under CI=true.
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain .mjs script without type declarations
import { distAvailable, runCrashTest } from '../../../scripts/crash-storage.mjs';

const available = distAvailable() as boolean;
const inCi = process.env.CI === 'true';
const kills = Number(process.env.RILL_CRASH_KILLS ?? 30);

describe('storage crash test (SIGKILL, flush.messages=1)', () => {
  if (!available && !inCi) {
    it.skip('skipped: dist/ is missing; run `npm run build:ts` to enable the crash test', () => {});
    return;
  }
  it(`loses no acknowledged batch over ${kills} kills and exposes nothing invalid`, async () => {
    expect(available, 'dist/ must be built under CI (npm run build:ts)').toBe(true);
    const summary = (await runCrashTest({ kills })) as { kills: number; ackedBatches: number; problems: string[] };
    expect(summary.problems).toEqual([]);
    expect(summary.kills).toBe(kills);
    expect(summary.ackedBatches).toBeGreaterThan(0);
  }, 600_000);
});
