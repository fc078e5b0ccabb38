#!/usr/bin/env bash
# Installs what the demo and the tests need on a machine that has only Node
# and npm: Yarn 4 from the npm registry, then the workspace dependencies.
# Sourced by start-demo.sh and test-all.sh.
set -euo pipefail

YARN_VERSION="$(node -p "require('./package.json').packageManager.split('@')[1]")"

if ! command -v yarn >/dev/null 2>&1 || [ "$(yarn --version 2>/dev/null)" != "$YARN_VERSION" ]; then
  echo "==> Installing Yarn $YARN_VERSION from the npm registry"
  npm install --global --no-fund --no-audit "@yarnpkg/cli-dist@$YARN_VERSION"
  hash -r
fi

# Native addons (better-sqlite3) build against the Node headers of the
# machine; without this node-gyp tries to download them.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node_version.h ]; then
  export npm_config_nodedir=/usr
fi

echo "==> Installing dependencies (yarn install --immutable)"
yarn install --immutable
