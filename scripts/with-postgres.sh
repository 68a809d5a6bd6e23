#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster on a free loopback port, exported as
# TEST_POSTGRES_URL; the cluster is stopped and deleted afterwards, whatever happens.
set -euo pipefail
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$bin/initdb" ] || { echo "PostgreSQL server binaries not found; run scripts/setup.sh test" >&2; exit 1; }

dir="$(mktemp -d -t daemon-portal-pg.XXXXXX)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
as=()
if [ "$(id -u)" -eq 0 ]; then
  # The server refuses to run as root: use a dedicated user.
  id pgtest >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin pgtest
  chown pgtest "$dir"
  as=(runuser -u pgtest --)
fi
cleanup() {
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

echo "[postgres] starting a throwaway cluster on 127.0.0.1:$port"
"${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off" start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 1; }

export TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
"$@"
