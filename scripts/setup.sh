#!/usr/bin/env bash
# Installs what the project needs and is missing. Idempotent; says what it does.
#   scripts/setup.sh run    # what `make run` needs: wasm target, cargo-leptos, wasm-bindgen
#   scripts/setup.sh test   # also Chromium, PostgreSQL server binaries, the npm packages
#   scripts/setup.sh release # also wasm-opt (npm `binaryen`) for release builds
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-run}"

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }

CARGO_LEPTOS_VERSION=0.3.10
# The wasm-bindgen CLI must match the crate version pinned in Cargo.toml exactly.
WASM_BINDGEN_VERSION="$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)"
BINARYEN_VERSION=132.0.0

apt_updated=0
apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    say "need Debian packages: $* — run: sudo apt-get install -y $*"; exit 1
  fi
  if [ "$apt_updated" -eq 0 ]; then say "apt-get update"; apt-get update -qq; apt_updated=1; fi
  say "apt-get install -y $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

setup_rust() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
  if ! have cargo-leptos || [ "$(cargo-leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
    say "cargo install cargo-leptos --locked --version $CARGO_LEPTOS_VERSION"
    cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION"
  fi
  if ! have wasm-bindgen || [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
    # Not --locked: the CLI's lock file names a crate version the registry no longer has.
    say "cargo install wasm-bindgen-cli --version =$WASM_BINDGEN_VERSION"
    cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --force
  fi
}

setup_test() {
  if [ ! -x /usr/bin/chromium ]; then apt_install chromium; fi
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then apt_install postgresql; fi
  if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "npm ci (end2end)"
    # Playwright's browser download is unreachable here and unneeded: tests use Debian's Chromium.
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
}

setup_release() {
  if [ ! -x .tools/node_modules/.bin/wasm-opt ] || [ "$(.tools/node_modules/.bin/wasm-opt --version | grep -o '[0-9]*' | head -1)" != "${BINARYEN_VERSION%%.*}" ]; then
    # Debian's binaryen (108) produces wasm that breaks hydration; npm's is current.
    say "npm install binaryen@$BINARYEN_VERSION (wasm-opt, into .tools/)"
    mkdir -p .tools
    (cd .tools && npm install --no-audit --no-fund --no-save "binaryen@$BINARYEN_VERSION" >/dev/null)
  fi
}

setup_rust
case "$what" in
  run) ;;
  test) setup_test ;;
  release) setup_release ;;
  *) echo "usage: $0 run|test|release" >&2; exit 2 ;;
esac
say "ready ($what)"
