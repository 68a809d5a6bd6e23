#!/usr/bin/env bash
# Issue 15's promotion page budget: /promotions/:id with 3 stages and 1,000 instances, rendered
# on the server, warm (server-side p95 under 20 ms). The bundle side is bench/portal/run.sh
# (the page's one island, follow_promotion).
#   bench/promotions/run.sh                 # release build, SQLite
#   PROFILE=debug bench/promotions/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
profile="${PROFILE:-release}"
flag=""; [ "$profile" = release ] && flag="--release"
export RUST_LOG=warn PORTAL_SIM_STATE_FILE=memory
export DATABASE_URL="${DATABASE_URL:-sqlite://$(mktemp -d)/bench.db}"
# The same flags as `make release` (Makefile: RELEASE_RUSTFLAGS).
RUSTFLAGS="--cfg erase_components" cargo run -q $flag -p server --example bench_promotions
