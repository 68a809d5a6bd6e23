#!/usr/bin/env bash
# `make screenshots`: the README's pictures, from a portal on a fresh database and emulator
# whose clock runs at 3× so that a rollout is caught in progress.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/.."
port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
PORTAL_SIM_SPEED=3 ./start-portal.sh "$port" >/dev/null 2>&1 &
portal=$!
trap 'kill $portal 2>/dev/null || true' EXIT
node -e "
const url = 'http://127.0.0.1:${port}/readyz';
(async () => {
  for (let i = 0; i < 240; i++) {
    try { if ((await fetch(url)).ok) return; } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  console.error('the portal did not get ready'); process.exit(1);
})();"
BASE="http://127.0.0.1:${port}" node scripts/readme-screenshots.mjs
