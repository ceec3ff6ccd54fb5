// Prints CI's closing line from vitest's JSON report: `N passed, N failed`.
// A missing report, a suite that failed to load, or a non-zero vitest exit counts as a failure.
import { existsSync, readFileSync } from 'node:fs';

const [reportPath, statusText] = process.argv.slice(2);
const vitestStatus = Number(statusText ?? '1');
let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(reportPath)) {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = report.numFailedTests ?? 0;
  skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  const brokenSuites = (report.testResults ?? []).filter((r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0);
  for (const suite of brokenSuites) console.log(`suite failed to run: ${suite.name}: ${String(suite.message ?? '').split('\n')[0]}`);
  failed += brokenSuites.length;
} else {
  console.log(`no vitest report at ${reportPath}`);
}
if (vitestStatus !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
