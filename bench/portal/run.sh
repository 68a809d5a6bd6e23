#!/usr/bin/env bash
# Issue 4's page benchmarks: ECS calls per page view (from the emulator's request log) and
# server-side render latency on loopback, plus the release hydrate bundle size.
#   bench/portal/run.sh            # release build (representative latencies)
#   PROFILE=debug bench/portal/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
profile="${PROFILE:-release}"
flag=""; [ "$profile" = release ] && flag="--release"
export RUST_LOG=warn DATABASE_URL="sqlite://$(mktemp -d)/bench.db" PORTAL_SIM_STATE_FILE=memory
# The same flags as `make release` (Makefile: RELEASE_RUSTFLAGS), so this measures what ships
# and reuses its build.
RUSTFLAGS="--cfg erase_components" cargo run -q $flag -p server --example bench_pages

if [ "${BUNDLE:-1}" = 1 ]; then
  scripts/setup.sh release >/dev/null
  # The same flags as `make release` (Makefile: RELEASE_RUSTFLAGS).
  PATH="$PWD/.tools/node_modules/.bin:$PATH" RUSTFLAGS="--cfg erase_components" \
    cargo leptos build --release --split --frontend-only >/dev/null 2>&1
  node scripts/finish-site.mjs target/site/pkg >/dev/null
  python3 bench/portal/bundle.py target/site/pkg
fi
