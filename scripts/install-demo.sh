#!/usr/bin/env bash
# Installs trainbook as a user would, from the packed npm package, into a demo folder:
#   scripts/install-demo.sh <demo-dir> <python-prefix>
# The demo folder gets the example notebook, trainbook + tslab + tfjs (wasm) from npm, and the
# Python prefix gets the prebuilt JupyterLab extension and the tslab kernelspec.
set -euo pipefail
demo=$1
prefix=$2
repo=$(cd "$(dirname "$0")/.." && pwd)
[ -d "$repo/labextension" ] || { echo "install-demo: build first (npm run build)" >&2; exit 2; }
packs=$(mktemp -d)
tarball=$(cd "$repo" && npm pack --silent --ignore-scripts --pack-destination "$packs" | tail -n 1)
mkdir -p "$demo"
cp "$repo/examples/train.ipynb" "$demo/"
cd "$demo"
[ -f package.json ] || echo '{ "name": "trainbook-demo", "private": true }' > package.json
# @types/node alongside tslab: without it tslab cannot type-check `console` and friends.
npm install --no-audit --no-fund --prefer-offline \
  "$packs/$tarball" tslab@1.0.22 @types/node@20 @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0
npx --no-install trainbook jupyter install --prefix "$prefix"
rm -rf "$packs"
