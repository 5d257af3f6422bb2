#!/usr/bin/env bash
# Installs what trainbook's lab and tests need on a fresh Debian machine, then builds it.
# Safe to run again: each step is skipped when its result is already there.
#   scripts/setup.sh          npm packages, Python venv with JupyterLab, tslab kernel, build, labextension
#   scripts/setup.sh --tests  the same plus Chromium for the browser tests and PostgreSQL for the hub's
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
want_chromium=0
[ "${1:-}" = "--tests" ] && want_chromium=1
step() { printf '== %s\n' "$*" >&2; }

# --- Debian packages -------------------------------------------------------------------------
apt_wanted=()
for pkg in python3-venv python3-pip python3-babel git; do
  dpkg -s "$pkg" >/dev/null 2>&1 || apt_wanted+=("$pkg")
done
if [ "$want_chromium" = 1 ] && ! command -v chromium >/dev/null 2>&1; then apt_wanted+=(chromium); fi
# The team hub's tests and bench start throwaway PostgreSQL clusters (Debian's server binaries).
if [ "$want_chromium" = 1 ] && ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then apt_wanted+=(postgresql); fi
if [ ${#apt_wanted[@]} -gt 0 ]; then
  step "apt-get install ${apt_wanted[*]}"
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${apt_wanted[@]}" >/dev/null
fi

# --- npm packages ----------------------------------------------------------------------------
if [ ! -d node_modules ] || [ package.json -nt node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm install`, not `npm ci`: npm 11 leaves other platforms' optional packages (rollup's)
  # out of the lock file, and `npm ci` then refuses it as out of sync.
  step "npm install"
  npm install --no-audit --no-fund
fi

# --- Python venv with JupyterLab (Debian's python3, not another one first on PATH) -----------
if [ ! -x .venv/bin/jupyter-lab ]; then
  step "python venv + jupyterlab"
  [ -d .venv ] || /usr/bin/python3 -m venv --system-site-packages .venv
  PIP_RETRIES=0 .venv/bin/pip install --quiet --disable-pip-version-check "jupyterlab==4.6.4"
fi

# The venv sits inside this "type": "module" package: without this marker Node would read the
# CommonJS scripts that JupyterLab runs from it (jupyter_builder's yarn.js) as ES modules.
[ -f .venv/package.json ] || echo '{ "type": "commonjs" }' > .venv/package.json

# --- build: SDK, extension, prebuilt labextension ---------------------------------------------
step "build"
npm run --silent build

# --- install into the venv the way users install: prebuilt labextension + tslab kernelspec ----
node sdk/bin/trainbook.js jupyter install --prefix .venv --link >&2

# --- the example notebooks import 'trainbook' as a user's project would ------------------------
mkdir -p examples/node_modules
[ -L examples/node_modules/trainbook ] || ln -sfn ../.. examples/node_modules/trainbook
# ... and `npx trainbook` works in a terminal there, as after `npm install trainbook`.
mkdir -p examples/node_modules/.bin
[ -L examples/node_modules/.bin/trainbook ] || ln -sfn ../trainbook/sdk/bin/trainbook.js examples/node_modules/.bin/trainbook

# --- no news or update checks from JupyterLab: this lab works offline ------------------------
mkdir -p .venv/share/jupyter/lab/settings
cat > .venv/share/jupyter/lab/settings/overrides.json <<'JSON'
{
  "@jupyterlab/apputils-extension:notification": { "fetchNews": "false", "checkForUpdates": false }
}
JSON
