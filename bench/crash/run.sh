#!/usr/bin/env bash
# Issue 11's crash and fault run: builds the portal and ecs-sim (debug), then runs run.py.
#   bench/crash/run.sh            # 24 kills
#   bench/crash/run.sh 40         # 40 kills
#   SEED=7 CLOCK_OFFSET_SECS=10800 bench/crash/run.sh   # replay a run, ECS 3 h ahead
#   PORTAL_BIN=/path/to/server bench/crash/run.py 24    # another build of the portal
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build -q -p server --bin server -p ecs-sim --bin ecs-sim
exec python3 bench/crash/run.py "$@"
