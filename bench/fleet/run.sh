#!/usr/bin/env bash
# Issue 14's fleet view budget: /fleet with 50 environments × 100 families, from stored
# inventories, rendered on the server.
#   bench/fleet/run.sh                  # release build, SQLite
#   DATABASE_URL=postgres://… bench/fleet/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
profile="${PROFILE:-release}"
flag=""; [ "$profile" = release ] && flag="--release"
export RUST_LOG=warn PORTAL_SIM_STATE_FILE=memory
export DATABASE_URL="${DATABASE_URL:-sqlite://$(mktemp -d)/bench.db}"
# The same flags as `make release` (Makefile: RELEASE_RUSTFLAGS).
RUSTFLAGS="--cfg erase_components" cargo run -q $flag -p server --example bench_fleet
