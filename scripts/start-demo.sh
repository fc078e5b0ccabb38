#!/usr/bin/env bash
# Starts the Stageflow demo: Backstage with the Stageflow plugins and the
# Acme examples on in-memory SQLite. Frontend on :3000, backend on :7007.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
echo "==> Starting the demo: http://localhost:3000 (backend http://localhost:7007)"
exec yarn start "$@"
