#!/usr/bin/env bash
# Runs every test of the repository: jest (unit and integration tests against
# real PostgreSQL, Redis, OCI registry and git) and the end-to-end tests in
# headless Chromium against the demo. Installs what it needs first. Closes
# with the line `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh || exit 1
source scripts/system-deps.sh || exit 1
# The sourced scripts stop at the first error; from here every step runs, so
# a failing jest run still leaves the end-to-end tests and the summary.
set +e

mkdir -p test-results
rm -f test-results/jest.json e2e-test-report/results.json

echo "==> Unit and integration tests (jest)"
CI=true yarn backstage-cli repo test --json --outputFile=test-results/jest.json
jest_status=$?

echo "==> End-to-end tests (Playwright, headless Chromium)"
CI=true yarn playwright test
e2e_status=$?

node --require @backstage/cli/config/nodeTransform.cjs scripts/summarize-tests.ts \
  test-results/jest.json e2e-test-report/results.json
summary_status=$?

if [ $jest_status -ne 0 ] || [ $e2e_status -ne 0 ] || [ $summary_status -ne 0 ]; then
  exit 1
fi
