#!/usr/bin/env bash
# The real servers the tests talk to. Debian packages are installed when
# missing and we are root; PostgreSQL and Redis are expected to run on
# 127.0.0.1 (5432 and 6379) and their absence fails the run.
set -euo pipefail

missing=()
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v git >/dev/null 2>&1 || missing+=(git)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "Missing system packages: ${missing[*]} (install them, or run as root)" >&2
    exit 1
  fi
fi

for service in "PostgreSQL 127.0.0.1 5432" "Redis 127.0.0.1 6379"; do
  set -- $service
  if ! node -e "require('net').connect($3,'$2').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))"; then
    echo "$1 is not reachable on $2:$3; the tests need it running" >&2
    exit 1
  fi
done
