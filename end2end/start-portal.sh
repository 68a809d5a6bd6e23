#!/usr/bin/env bash
# Starts the built portal for Playwright: given port, fresh SQLite database, in-memory emulator.
set -euo pipefail
port="$1"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
tmp="$(mktemp -d -t daemon-portal-e2e.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
export PORTAL_LISTEN="127.0.0.1:${port}"
export DATABASE_URL="sqlite://${tmp}/portal.db"
export LEPTOS_SITE_ROOT="${root}/target/site"
export PORTAL_SIM_STATE_FILE="memory"
export PORTAL_ECS_MODE="embedded"
# The specs drive the emulator through /_sim/ (signed in as admin); off by default.
export PORTAL_SIM_CONTROL="on"
# Quick rollouts: simulated seconds per real second; `default` keeps the emulator's own speed.
export PORTAL_SIM_SPEED="${PORTAL_SIM_SPEED:-30}"
if [ "$PORTAL_SIM_SPEED" = default ]; then unset PORTAL_SIM_SPEED; fi
export RUST_LOG="${RUST_LOG:-warn}"
# PORTAL_BIN: another build of the portal, e.g. target/release/server after `make release`.
exec "${PORTAL_BIN:-${root}/target/debug/server}"
