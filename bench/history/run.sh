#!/usr/bin/env bash
# Issue 5's history benchmark: seeds 100,000 rollouts (10,000 on one daemon) and measures the
# first page of the fleet-wide and the per-daemon history: storage query, server function and
# SSR page (p50/p95/p99, sequential, warm), then the same URLs under wrk if it is installed
# (`apt-get install wrk`).
#   bench/history/run.sh                      # SQLite, release build
#   PROFILE=debug bench/history/run.sh
#   DB=postgres bench/history/run.sh          # a throwaway PostgreSQL (scripts/with-postgres.sh)
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
export RUST_LOG=warn PORTAL_SIM_STATE_FILE=memory
cargo build -q $flag -p server --example bench_history
bin="target/$profile/examples/bench_history"

if ! command -v wrk >/dev/null; then
  "$bin"
  echo "(wrk not installed: skipping the wrk runs)"
  exit 0
fi
handoff="$(mktemp)"; rm -f "$handoff"
BENCH_HANDOFF="$handoff" "$bin" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
while [ ! -s "$handoff" ]; do
  kill -0 $pid 2>/dev/null || { echo "benchmark exited early" >&2; exit 1; }
  sleep 1
done
sleep 1
base="$(sed -n 1p "$handoff")"; cookie="$(sed -n 2p "$handoff")"
lua="bench/history/percentiles.lua"
for conns in 1 4; do
  echo "wrk, ${conns} connection(s), 10 s each:"
  for path in "/history" "/history?cluster=prod&daemon=hot"; do
    echo " GET $path"
    WRK_COOKIE="$cookie" wrk -t1 -c"$conns" -d10s -s "$lua" "$base$path" | grep 'wrk:'
  done
  for body in "" "query[cluster]=prod&query[daemon]=hot"; do
    echo " POST /api/list-history ${body:-(no filter)}"
    WRK_COOKIE="$cookie" WRK_BODY="$body" wrk -t1 -c"$conns" -d10s -s "$lua" "$base/api/list-history" | grep 'wrk:'
  done
done
