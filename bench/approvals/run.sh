#!/usr/bin/env bash
# Issue 5's approvals inbox benchmark: seeds 100,000 change requests (300 pending) and times the
# first page of each Approvals list, the navigation's counts and the SSR page (sequential, warm).
#   bench/approvals/run.sh                    # SQLite, release build
#   PROFILE=debug bench/approvals/run.sh
#   DB=postgres bench/approvals/run.sh        # a throwaway PostgreSQL (scripts/with-postgres.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
profile="${PROFILE:-release}"
flag=""; [ "$profile" = release ] && flag="--release"
if [ "${DB:-sqlite}" = postgres ] && [ -z "${TEST_POSTGRES_URL:-}" ]; then
  exec scripts/with-postgres.sh env DB=postgres "$0" "$@"
fi
if [ "${DB:-sqlite}" = postgres ]; then
  export DATABASE_URL="$TEST_POSTGRES_URL"
else
  export DATABASE_URL="sqlite://$(mktemp -d)/bench.db"
fi
export RUST_LOG=warn PORTAL_SIM_STATE_FILE=memory LEPTOS_SITE_ROOT=target/site
cargo build -q $flag -p server --example bench_approvals
exec "target/$profile/examples/bench_approvals"
