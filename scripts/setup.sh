#!/usr/bin/env bash
# Installs what trainbook's tests and lab need on a fresh Debian machine. Safe to run again:
# each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '== %s\n' "$*"; }

if ! command -v git >/dev/null 2>&1; then
  step "apt: git"
  apt-get update -qq && apt-get install -y -qq git >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm install`, not `npm ci`: npm 11 leaves other platforms' optional packages (rollup's)
  # out of the lock file, and `npm ci` then refuses it as out of sync.
  step "npm install"
  npm install --no-audit --no-fund
fi
