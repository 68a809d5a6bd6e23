#!/usr/bin/env bash
# Benchmarks ecs-sim against moto's server (same client: aws-sdk-ecs in the
# bench_ops example) and measures a 10,000-instance, 50-daemon world.
# Usage: bench/ecs-sim/run.sh [seconds-per-op] [concurrency]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS="${1:-5}"
CONC="${2:-8}"
SIM_PORT=4599
MOTO_PORT=5599
VENV="${MOTO_VENV:-bench/ecs-sim/.venv}"

cargo build --release -q -p ecs-sim --bin ecs-sim --example bench_ops --example large_world
if [ ! -x "$VENV/bin/moto_server" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q 'moto[server]' boto3
fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

target/release/ecs-sim --addr 127.0.0.1:$SIM_PORT --world default > /tmp/ecs-sim-bench.log 2>&1 &
pids+=($!)
"$VENV/bin/moto_server" -H 127.0.0.1 -p $MOTO_PORT > /tmp/moto-bench.log 2>&1 &
pids+=($!)
for _ in $(seq 50); do
  curl -sf -o /dev/null http://127.0.0.1:$SIM_PORT/_sim/health && curl -s -o /dev/null http://127.0.0.1:$MOTO_PORT/ && break
  sleep 0.2
done
"$VENV/bin/python" bench/ecs-sim/moto_setup.py http://127.0.0.1:$MOTO_PORT

echo "== machine: $(nproc) cores, $(uname -sr)"
echo "== ecs-sim (release), ${SECS}s per op, concurrency ${CONC}"
target/release/examples/bench_ops http://127.0.0.1:$SIM_PORT "$SECS" "$CONC" | tee /tmp/bench-sim.jsonl
echo "== moto $("$VENV/bin/python" -c 'import moto; print(moto.__version__)') server, ${SECS}s per op, concurrency ${CONC}"
target/release/examples/bench_ops http://127.0.0.1:$MOTO_PORT "$SECS" "$CONC" | tee /tmp/bench-moto.jsonl
echo "== ratio (ecs-sim rps / moto rps)"
python3 - <<'PY'
import json
sim = {j["op"]: j for j in map(json.loads, open("/tmp/bench-sim.jsonl"))}
moto = {j["op"]: j for j in map(json.loads, open("/tmp/bench-moto.jsonl"))}
for op, s in sim.items():
    m = moto.get(op, {})
    if "rps" in s and m.get("rps"):
        print(f"{op:28} {s['rps']:9.0f} vs {m['rps']:7.0f} req/s  = {s['rps'] / m['rps']:5.1f}x")
PY
cleanup
pids=()
echo "== large world"
target/release/examples/large_world 10000 50
