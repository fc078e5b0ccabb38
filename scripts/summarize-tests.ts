/*
 * Adds up the results of jest (--json) and Playwright (json reporter) and
 * prints the closing line `N passed, N failed`. A missing report counts as a
 * failure: a runner that crashed must not look like a green run.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

type Counts = { passed: number; failed: number; skipped: number };

function jestCounts(file: string): Counts {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0),
    skipped: report.numPendingTests + (report.numTodoTests ?? 0),
  };
}

function playwrightCounts(file: string): Counts {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const stats = report.stats ?? {};
  return {
    passed: (stats.expected ?? 0) + (stats.flaky ?? 0),
    failed: (stats.unexpected ?? 0) + (report.errors?.length ?? 0),
    skipped: stats.skipped ?? 0,
  };
}

const [jestFile, playwrightFile] = process.argv.slice(2);
const total: Counts = { passed: 0, failed: 0, skipped: 0 };
for (const [name, file, read] of [
  ['jest', jestFile, jestCounts],
  ['playwright', playwrightFile, playwrightCounts],
] as const) {
  if (!file || !existsSync(file)) {
    console.log(`${name}: no report at ${file}, counted as one failure`);
    total.failed += 1;
    continue;
  }
  const counts = read(file);
  console.log(
    `${name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`,
  );
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
}
const skipped = total.skipped ? `, ${total.skipped} skipped` : '';
const line = `${total.passed} passed, ${total.failed} failed${skipped}`;
console.log(line);
writeFileSync('test-results/summary.txt', `${line}\n`);
process.exit(total.failed > 0 ? 1 : 0);
