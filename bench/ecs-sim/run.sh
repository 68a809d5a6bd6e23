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
SIM_PID=${pids[0]}
MOTO_PID=${pids[1]}
# Server CPU time (clock ticks) of a process, to report CPU per request: the
# client shares the machine, so req/s alone understates the faster server.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
: > /tmp/bench-sim.jsonl
: > /tmp/bench-moto.jsonl
for op in ListClusters DescribeClusters DescribeCapacityProviders ListContainerInstances; do
  for side in sim moto; do
    if [ $side = sim ]; then url=http://127.0.0.1:$SIM_PORT; pid=$SIM_PID; else url=http://127.0.0.1:$MOTO_PORT; pid=$MOTO_PID; fi
    before=$(ticks "$pid")
    line=$(target/release/examples/bench_ops "$url" "$SECS" "$CONC" "$op")
    after=$(ticks "$pid")
    echo "${line%\}},\"server_cpu_s\":$(awk "BEGIN {print ($after - $before) / $HZ}")}" >> /tmp/bench-$side.jsonl
  done
done
echo "== ecs-sim (release), ${SECS}s per op, concurrency ${CONC}"
cat /tmp/bench-sim.jsonl
echo "== moto $("$VENV/bin/python" -c 'import moto; print(moto.__version__)') server, ${SECS}s per op, concurrency ${CONC}"
cat /tmp/bench-moto.jsonl
echo "== ratio (ecs-sim / moto): requests per second, and server CPU per request"
python3 - <<'PY'
import json
sim = {j["op"]: j for j in map(json.loads, open("/tmp/bench-sim.jsonl"))}
moto = {j["op"]: j for j in map(json.loads, open("/tmp/bench-moto.jsonl"))}
for op, s in sim.items():
    m = moto.get(op, {})
    if "rps" in s and m.get("rps"):
        s_us = 1e6 * s["server_cpu_s"] / max(s["requests"], 1)
        m_us = 1e6 * m["server_cpu_s"] / max(m["requests"], 1)
        print(f"{op:26} {s['rps']:7.0f} vs {m['rps']:5.0f} req/s = {s['rps'] / m['rps']:5.1f}x | "
              f"server CPU {s_us:6.0f} vs {m_us:6.0f} us/req = {m_us / max(s_us, 1e-9):5.1f}x")
PY
cleanup
pids=()
echo "== large world"
target/release/examples/large_world 10000 50
